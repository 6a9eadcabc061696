/**
 * Timing hooks for the database adapter and the Plaid/Stripe SDKs, applied
 * only when BENCH_TIMING=1 (lib/db/client.ts, lib/plaid/client.ts,
 * lib/stripe/client.ts check `timingEnabled()` first, so normal runs build
 * the clients untouched).
 */
import "server-only";
import Stripe from "stripe";
import { timed } from "./timing";

type AsyncMethod = (...args: unknown[]) => Promise<unknown>;
interface Queryable {
  queryRaw: AsyncMethod;
  executeRaw: AsyncMethod;
}
interface Adapter extends Queryable {
  startTransaction: AsyncMethod;
}

/** Wraps one SQL round trip; the default adds it to the request's timing store. */
export type QueryWrapper = (run: () => Promise<unknown>, sql: string) => Promise<unknown>;
const timeQuery: QueryWrapper = (run) => timed("db", run);

function timeQueries(q: Queryable, wrap: QueryWrapper): void {
  const queryRaw = q.queryRaw.bind(q);
  const executeRaw = q.executeRaw.bind(q);
  q.queryRaw = (...args) => wrap(() => queryRaw(...args), sqlOf(args[0]));
  q.executeRaw = (...args) => wrap(() => executeRaw(...args), sqlOf(args[0]));
}

const sqlOf = (query: unknown) => String((query as { sql?: unknown } | undefined)?.sql ?? "");

/**
 * Counts and times every SQL statement the Prisma driver adapter sends
 * (queries, BEGIN, COMMIT, raw SQL): one round trip each.
 */
export function instrumentAdapterFactory<F extends { connect: () => Promise<unknown> }>(factory: F, wrap: QueryWrapper = timeQuery): F {
  const connect = factory.connect.bind(factory);
  factory.connect = (async () => {
    const adapter = (await connect()) as Adapter;
    timeQueries(adapter, wrap);
    const startTransaction = adapter.startTransaction.bind(adapter);
    // BEGIN runs inside startTransaction, before the transaction object exists: time the whole call as one query.
    adapter.startTransaction = async (...args) => {
      const tx = (await wrap(() => startTransaction(...args), "BEGIN")) as Queryable;
      timeQueries(tx, wrap);
      return tx;
    };
    return adapter;
  }) as F["connect"];
  return factory;
}

/** A view of the Plaid client whose every API method is timed as "plaid". */
export function instrumentPlaid<T extends object>(client: T): T {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function" || typeof prop !== "string" || prop === "constructor") return value;
      return (...args: unknown[]) => timed("plaid", () => (value as AsyncMethod).apply(target, args));
    },
  });
}

/**
 * Stripe's Node HTTP client, timed as "stripe" from the request until the
 * response body is parsed (each retry attempt counts as a call).
 */
export function timedStripeHttpClient(): Stripe.HttpClient {
  const inner = Stripe.createNodeHttpClient();
  const client = Object.create(inner) as Stripe.HttpClient;
  client.makeRequest = async (...args: Parameters<Stripe.HttpClient["makeRequest"]>) => {
    let done: ((v: unknown) => void) | undefined;
    const finished = new Promise((resolve) => (done = resolve));
    void timed("stripe", () => finished);
    try {
      const res = await inner.makeRequest(...args);
      const toJSON = res.toJSON.bind(res);
      res.toJSON = () => toJSON().finally(() => done!(null));
      return res;
    } catch (err) {
      done!(null);
      throw err;
    }
  };
  return client;
}
