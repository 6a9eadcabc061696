/**
 * Issue 7.2: funding while the sandbox injects errors (500), timeouts
 * (latency beyond the SDK timeout) and dropped connections on Plaid's
 * balance call and Stripe's PaymentIntent create. Every request ends in a
 * visible, consistent state: a payment row in a defined status, or a clear
 * 4xx/502 with nothing half-written. Reconciliation (which also re-sends or
 * adopts unanswered creates) then brings the ledger exactly in line with Stripe.
 */
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { createFundingPayment } from "@/lib/funding/create-payment";
import { MANDATE_TEXT_VERSION } from "@/lib/funding/mandates";
import { reconcilePayments } from "@/lib/funding/reconcile";
import { getDb } from "@/lib/db";
import { testDb, signedIn } from "../helpers/db";
import { linkBankAccount, sandbox, type Linked } from "../integration/webhooks-fixtures";
import { checkLedgerAgainstStripe, elapsed, pool, report, shortTimeoutClients, shuffle } from "./support";

process.env.LOG_LEVEL ??= "error";
const db = testDb();
afterEach(() => sandbox("faults/clear"));
afterAll(async () => {
  await db.$disconnect();
  await getDb().$disconnect();
});

const REQUESTS = Number(process.env.HARDENING_FAULT_REQUESTS ?? 300);
const USERS = 30;
const IN_FLIGHT = 30;
const SDK_TIMEOUT_MS = 1_000;
const LIMITS = { minCents: 100, maxCents: 10_000, dailyMaxCents: 10_000_000, thirtyDayMaxCents: 10_000_000 };
const accepted = { accepted: true as const, textVersion: MANDATE_TEXT_VERSION };

/** 10% errors, 10% timeouts, 10% dropped connections on each route (draws are sequential, so ~27% of calls are hit). */
function faultsOn(route: string) {
  return [
    { route, status: 500, rate: 0.1 },
    { route, latencyMs: SDK_TIMEOUT_MS * 2.5, rate: 0.1 },
    { route, drop: true, rate: 0.1 },
  ];
}

describe("funding under injected Plaid and Stripe faults", () => {
  it("answers every request with a defined state, and reconciliation makes the ledger equal Stripe", { timeout: 600_000 }, async () => {
    const users: Linked[] = await pool(Array.from({ length: USERS }), 8, () => linkBankAccount(db));
    // Each signed in once, as a browser would be (a new user's session version is 0).
    const actors = new Map(
      await Promise.all(users.map(async (u) => [u.userId, await signedIn(db, { id: u.userId, sessionVersion: 0 })] as const)),
    );
    const clients = shortTimeoutClients(SDK_TIMEOUT_MS);
    const deps = { db, plaid: clients.plaid, stripe: clients.stripe, limits: LIMITS };
    const originals = Array.from({ length: Math.round(REQUESTS * 0.8) }, (_, i) => {
      const user = users[i % USERS]!;
      return {
        user,
        input: { requestId: randomUUID(), bankAccountId: user.bankAccountId, amountCents: 100 + ((i * 4513) % 9_900), mandate: accepted },
      };
    });
    const submissions = shuffle([...originals, ...originals.slice(0, REQUESTS - originals.length)], 11);

    const rules = await sandbox<{ rules: unknown[] }>("faults", {
      seed: 2026,
      rules: [...faultsOn("/accounts/balance/get"), ...faultsOn("/v1/payment_intents")],
    });
    expect(rules.rules).toHaveLength(6);

    const start = performance.now();
    const outcomes = await pool(submissions, IN_FLIGHT, async ({ user, input }) => {
      // A person retries once after "try again in a moment", with the same request id (as the fund form does).
      for (let attempt = 1; ; attempt++) {
        try {
          const { payment } = await createFundingPayment(deps, actors.get(user.userId)!, input, {
            ip: "203.0.113.11",
            userAgent: "hardening",
          });
          return { status: 200, attempt, input, user, paymentId: payment.id, paymentStatus: payment.status };
        } catch (err) {
          if (!(err instanceof AppError))
            return { status: 500, attempt, input, user, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
          if ((err.status === 502 || err.status === 503) && attempt < 2) continue;
          return { status: err.status, attempt, input, user, code: err.code, message: err.message };
        }
      }
    });
    const loadTime = elapsed(start);
    const { rules: applied } = await fetch(`${process.env.SANDBOX_URL}/__sandbox/faults`).then(
      (r) => r.json() as Promise<{ rules: { route: string; applied: number; latencyMs?: number; drop?: boolean; status?: number }[] }>,
    );
    await sandbox("faults/clear");

    // 1. Visible, consistent state for every request.
    const retryable = (o: { status: number; code?: string }) =>
      (o.status === 502 && o.code === "UPSTREAM_UNAVAILABLE") || (o.status === 503 && o.code === "TRANSFER_CONFIRMING");
    const unexpected = outcomes.filter((o) => o.status >= 500 && !retryable(o));
    expect(unexpected.map((o) => ({ status: o.status, code: o.code, error: o.error }))).toEqual([]);
    expect(outcomes.filter((o) => o.status >= 400 && o.status < 500).map((o) => o.code)).toEqual([]);
    for (const o of outcomes) {
      const row = await db.payment.findUnique({
        where: { userId_requestId: { userId: o.user.userId, requestId: o.input.requestId } },
        include: { ledgerEntries: true },
      });
      if (o.status === 200) {
        expect(row, `answered 200 without a row: ${o.input.requestId}`).not.toBeNull();
        expect(row!.stripePaymentIntentId, "answered 200 without an intent").not.toBeNull();
        expect(["PROCESSING", "SUCCEEDED", "FAILED"]).toContain(row!.status);
      } else if (row) {
        // 502/503 after the row was written: the create's outcome is unknown. It must be a plain,
        // unsubmitted PENDING row (retry or reconciliation sends it), never credited.
        expect(row.ledgerEntries).toEqual([]);
        expect(["PENDING", "PROCESSING"]).toContain(row.status);
      }
      if (o.message) expect(o.message).not.toMatch(/\n\s+at |access-|sk_/);
    }
    // Both kinds of fault really happened.
    const appliedTotal = applied.reduce((n, r) => n + r.applied, 0);
    expect(appliedTotal).toBeGreaterThan(REQUESTS * 0.2);

    // 2. In-flight delayed calls finish at the sandbox; a reconciliation pass while Stripe still
    //    misbehaves must not break anything; then one with Stripe healthy recovers every create.
    await new Promise((r) => setTimeout(r, SDK_TIMEOUT_MS * 3));
    const userIds = users.map((u) => u.userId);
    await sandbox("faults", { seed: 7, rules: faultsOn("/v1/payment_intents") });
    // (A third of the users: reconciliation runs one payment at a time, and every injected timeout costs seconds.)
    const underFaults = await reconcilePayments(db, { olderThanMinutes: 0, userIds: userIds.slice(0, USERS / 3), stripe: clients.stripe });
    await sandbox("faults/clear");
    await new Promise((r) => setTimeout(r, SDK_TIMEOUT_MS * 3));
    const recovered = await reconcilePayments(db, { olderThanMinutes: 0, userIds, stripe: clients.stripe });
    expect(recovered.errors).toBe(0);
    expect(await db.payment.count({ where: { userId: { in: userIds }, status: "PENDING", stripePaymentIntentId: null } })).toBe(0);

    await sandbox("stripe/settle_all");
    const settled = await reconcilePayments(db, { olderThanMinutes: 0, userIds, stripe: clients.stripe });
    expect(settled.errors).toBe(0);
    const ledger = await checkLedgerAgainstStripe(db, clients.stripe, userIds);
    expect(ledger.problems.slice(0, 10)).toEqual([]);
    expect(ledger.ledgerCents).toBe(ledger.succeededCents);
    const payments = await db.payment.count({ where: { userId: { in: userIds } } });
    expect(ledger.intents).toBe(payments);

    const count = (s: number) => outcomes.filter((o) => o.status === s).length;
    await report("funding-faults", {
      requests: submissions.length,
      distinct: originals.length,
      inFlight: IN_FLIGHT,
      sdkTimeoutMs: SDK_TIMEOUT_MS,
      faultsApplied: Object.fromEntries(
        applied.map((r) => [`${r.route} ${r.status ? r.status : r.drop ? "drop" : `latency ${r.latencyMs}ms`}`, r.applied]),
      ),
      answered200: count(200),
      answered502: count(502),
      retried: outcomes.filter((o) => o.attempt > 1).length,
      load: loadTime,
      reconcileUnderFaults: underFaults,
      reconcileRecovered: recovered,
      reconcileSettled: settled,
      payments,
      paymentIntents: ledger.intents,
      ledgerCents: ledger.ledgerCents,
      stripeSucceededCents: ledger.succeededCents,
    });
  });
});
