/**
 * Shared pieces of the hardening suite (`npm run test:hardening`): bounded
 * concurrency, output capture for the secret scan, and the ledger-vs-Stripe
 * invariant every load/fault test ends with.
 */
import { format } from "node:util";
import Stripe from "stripe";
import { Configuration, PlaidApi } from "plaid";
import type { Db } from "@/lib/db";
import { getConfig } from "@/lib/config";
import { LOCAL_SANDBOX_CREDENTIALS } from "@/lib/config/schema";

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Deterministic shuffle (mulberry32) so a failing order can be replayed from its seed. */
export function shuffle<T>(items: T[], seed: number): T[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Strings that must never leave the server: Plaid access/processor tokens and the Stripe secret key. */
export function secretPatterns(): RegExp[] {
  const stripeKey = process.env.STRIPE_SECRET_KEY || LOCAL_SANDBOX_CREDENTIALS.stripeSecretKey;
  const escaped = stripeKey.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return [
    /access-(sandbox|development|production)-[0-9a-f-]{8,}/,
    /processor-(sandbox|development|production)-[0-9a-f-]{8,}/,
    new RegExp(escaped),
  ];
}

export function findSecrets(text: string): string[] {
  return secretPatterns().flatMap((re) => {
    const m = text.match(re);
    return m ? [m[0]] : [];
  });
}

/**
 * Records everything written to the console and to stdout/stderr while a
 * test runs (and still lets it through), so it can be scanned for secrets.
 */
export function captureOutput(): { text(): string; restore(): void } {
  const chunks: string[] = [];
  const originals = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug };
  for (const key of Object.keys(originals) as (keyof typeof originals)[]) {
    console[key] = (...args: unknown[]) => {
      chunks.push(format(...args));
      originals[key](...args);
    };
  }
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    chunks.push(String(chunk));
    return (out as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    chunks.push(String(chunk));
    return (err as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  return {
    text: () => chunks.join("\n"),
    restore() {
      Object.assign(console, originals);
      process.stdout.write = out as typeof process.stdout.write;
      process.stderr.write = err as typeof process.stderr.write;
    },
  };
}

/** SDK clients on the run's sandbox with a short timeout (so injected latency becomes a client timeout). */
export function shortTimeoutClients(timeoutMs: number): { stripe: Stripe; plaid: PlaidApi } {
  const config = getConfig();
  const base = new URL(config.stripe.apiBase!);
  const stripe = new Stripe(config.stripe.secretKey, {
    telemetry: false,
    maxNetworkRetries: 2,
    timeout: timeoutMs,
    host: base.hostname,
    port: Number(base.port || 80),
    protocol: base.protocol.replace(":", "") as "http" | "https",
  });
  const plaid = new PlaidApi(
    new Configuration({
      basePath: config.plaid.basePath,
      baseOptions: {
        headers: { "PLAID-CLIENT-ID": config.plaid.clientId, "PLAID-SECRET": config.plaid.secret, "Plaid-Version": "2020-09-14" },
        timeout: timeoutMs,
      },
    }),
  );
  return { stripe, plaid };
}

export interface LedgerCheck {
  customers: number;
  intents: number;
  succeededIntents: number;
  /** Succeeded at Stripe, minus what disputes took back. */
  succeededCents: number;
  ledgerCents: number;
  problems: string[];
}

/**
 * The ledger invariant, per user: the sum of the customer's succeeded
 * PaymentIntents at Stripe, minus its disputed charges and succeeded
 * refunds, equals the sum of the user's ledger entries (credits, dispute
 * and refund reversals); every
 * PaymentIntent belongs to exactly one payment (metadata.payment_id, and that
 * payment stores its id); no payment is credited twice; a payment's status
 * agrees with its intent's once final.
 */
export async function checkLedgerAgainstStripe(db: Db, stripe: Stripe, userIds: string[]): Promise<LedgerCheck> {
  const result: LedgerCheck = { customers: 0, intents: 0, succeededIntents: 0, succeededCents: 0, ledgerCents: 0, problems: [] };
  const users = await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, stripeCustomerId: true } });
  await pool(users, 8, async (user) => {
    if (!user.stripeCustomerId) return;
    result.customers++;
    const payments = await db.payment.findMany({ where: { userId: user.id }, include: { ledgerEntries: true } });
    const byId = new Map(payments.map((p) => [p.id, p]));
    const seenPayments = new Set<string>();
    let succeeded = 0;
    for await (const intent of stripe.paymentIntents.list({ customer: user.stripeCustomerId, limit: 100 })) {
      result.intents++;
      const paymentId = intent.metadata?.payment_id;
      const payment = paymentId ? byId.get(paymentId) : undefined;
      if (!payment) {
        result.problems.push(`intent ${intent.id} maps to no payment of user ${user.id}`);
        continue;
      }
      if (seenPayments.has(payment.id)) result.problems.push(`payment ${payment.id} has more than one PaymentIntent`);
      seenPayments.add(payment.id);
      if (payment.stripePaymentIntentId !== intent.id)
        result.problems.push(`payment ${payment.id} stores ${payment.stripePaymentIntentId}, Stripe has ${intent.id}`);
      if (intent.status === "succeeded") {
        succeeded += intent.amount;
        result.succeededIntents++;
        if (payment.status !== "SUCCEEDED") result.problems.push(`payment ${payment.id} is ${payment.status}, its intent succeeded`);
      }
      if (intent.status === "requires_payment_method" && intent.last_payment_error && payment.status !== "FAILED") {
        result.problems.push(`payment ${payment.id} is ${payment.status}, its intent failed`);
      }
    }
    // Disputed charges: Stripe took that money back, and so must the ledger (a reversal entry).
    let disputed = 0;
    let refunded = 0;
    for await (const charge of stripe.charges.list({ customer: user.stripeCustomerId, limit: 100 })) {
      if (charge.disputed) disputed += charge.amount;
      // Refunds the ledger takes back once Stripe reports them succeeded (lib/funding/refunds.ts).
      if (charge.amount_refunded > 0)
        for await (const refund of stripe.refunds.list({ charge: charge.id, limit: 100 }))
          if (refund.status === "succeeded") refunded += refund.amount;
    }
    disputed += refunded;
    const ledger = payments.reduce((sum, p) => sum + p.ledgerEntries.reduce((s, e) => s + e.amountCents, 0), 0);
    const credits = await db.ledgerEntry.groupBy({ by: ["paymentId", "kind"], where: { userId: user.id }, _count: { _all: true } });
    for (const p of payments) {
      const credited = p.ledgerEntries.some((e) => e.kind === "CREDIT");
      if (credited && p.status !== "SUCCEEDED") result.problems.push(`payment ${p.id} credited while ${p.status}`);
      if (p.ledgerEntries.some((e) => e.kind === "DISPUTE_REVERSAL") && (!credited || !p.disputedAt))
        result.problems.push(`payment ${p.id} reversed without a credit or a dispute`);
      if (p.stripePaymentIntentId && !seenPayments.has(p.id))
        result.problems.push(`payment ${p.id} points at ${p.stripePaymentIntentId}, which Stripe does not list for its customer`);
    }
    for (const c of credits) if (c._count._all > 1) result.problems.push(`payment ${c.paymentId} has ${c._count._all} ${c.kind} entries`);
    result.succeededCents += succeeded - disputed;
    result.ledgerCents += ledger;
    if (succeeded - disputed !== ledger)
      result.problems.push(
        `user ${user.id}: Stripe succeeded ${succeeded} cents (${disputed} disputed or refunded), ledger ${ledger} cents`,
      );
  });
  return result;
}

export function elapsed(start: number): string {
  return `${((performance.now() - start) / 1000).toFixed(1)} s`;
}

/** A line for docs/hardening.md's results table (printed, and appended to .data/hardening-results.jsonl). */
export async function report(name: string, fields: Record<string, unknown>): Promise<void> {
  const { appendFileSync, mkdirSync } = await import("node:fs");
  const line = JSON.stringify({ time: new Date().toISOString(), check: name, ...fields });
  mkdirSync(".data", { recursive: true });
  appendFileSync(".data/hardening-results.jsonl", `${line}\n`);
  process.stdout.write(`[hardening] ${line}\n`);
}
