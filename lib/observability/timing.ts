/**
 * Opt-in per-request timing for benchmarks (BENCH_TIMING=1, never in normal
 * runs): how long a request spends in database queries, Plaid SDK calls and
 * Stripe SDK calls, so the rest is the app's own time. One AsyncLocalStorage
 * store per HTTP request (installed by ./http.ts from instrumentation.ts);
 * the DB adapter and the SDK clients add to it through `timed`.
 *
 * When disabled nothing is wrapped: the clients are built exactly as before
 * and `timingEnabled()` is a constant check.
 */
import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";

export type TimingKind = "db" | "plaid" | "stripe";

export interface RequestTiming {
  /** performance.now() when the request arrived. */
  start: number;
  db: { count: number; ms: number };
  plaid: { count: number; ms: number };
  stripe: { count: number; ms: number };
}

const ENABLED = process.env.BENCH_TIMING === "1";

// Next bundles instrumentation and route code separately: share one store through globalThis.
const globalForTiming = globalThis as unknown as { fundwellTiming?: AsyncLocalStorage<RequestTiming> };
const storage: AsyncLocalStorage<RequestTiming> | null = ENABLED
  ? (globalForTiming.fundwellTiming ??= new AsyncLocalStorage<RequestTiming>())
  : null;

export function timingEnabled(): boolean {
  return ENABLED;
}

export function newTiming(start = performance.now()): RequestTiming {
  return { start, db: { count: 0, ms: 0 }, plaid: { count: 0, ms: 0 }, stripe: { count: 0, ms: 0 } };
}

export function currentTiming(): RequestTiming | undefined {
  return storage?.getStore();
}

/** Runs fn with its own timing store (a no-op wrapper when timing is disabled). */
export function runWithTiming<T>(timing: RequestTiming, fn: () => T): T {
  return storage ? storage.run(timing, fn) : fn();
}

export function record(kind: TimingKind, ms: number, timing: RequestTiming | undefined = currentTiming()): void {
  if (!timing) return;
  timing[kind].count += 1;
  timing[kind].ms += ms;
}

/** Times one awaited call into the current request's store. */
export async function timed<T>(kind: TimingKind, fn: () => Promise<T>): Promise<T> {
  const timing = currentTiming();
  if (!timing) return fn();
  const started = performance.now();
  try {
    return await fn();
  } finally {
    record(kind, performance.now() - started, timing);
  }
}

/**
 * `Server-Timing` value: total so far, app (total minus upstream), the
 * upstream calls and the database (count in desc). DB time is part of "app"
 * (it is our queries); concurrent queries (Promise.all) are summed.
 */
export function serverTimingValue(t: RequestTiming, now = performance.now()): string {
  const total = now - t.start;
  const upstream = t.plaid.ms + t.stripe.ms;
  const f = (v: number) => v.toFixed(2);
  return [
    `total;dur=${f(total)}`,
    `app;dur=${f(total - upstream)}`,
    `db;dur=${f(t.db.ms)};desc="${t.db.count} queries"`,
    `plaid;dur=${f(t.plaid.ms)};desc="${t.plaid.count} calls"`,
    `stripe;dur=${f(t.stripe.ms)};desc="${t.stripe.count} calls"`,
  ].join(", ");
}
