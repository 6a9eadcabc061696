/**
 * Issue 7.1: 1,000 concurrent funding submissions, 30% of them repeating an
 * earlier submission's request id (double clicks, retries, second tabs),
 * through createFundingPayment against the run's database and sandbox with
 * 64 in flight. Exactly one PaymentIntent per distinct request id, no 5xx,
 * and once everything settles the ledger equals Stripe.
 */
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { bankingDeps } from "@/lib/banking/deps";
import { AppError } from "@/lib/errors";
import { createFundingPayment } from "@/lib/funding/create-payment";
import { MANDATE_TEXT_VERSION } from "@/lib/funding/mandates";
import { reconcilePayments } from "@/lib/funding/reconcile";
import { getStripe } from "@/lib/stripe/client";
import { getDb } from "@/lib/db";
import { testDb, signedIn } from "../helpers/db";
import { linkBankAccount, sandbox, type Linked } from "../integration/webhooks-fixtures";
import { checkLedgerAgainstStripe, elapsed, pool, report, shuffle } from "./support";

process.env.LOG_LEVEL ??= "warn";
const db = testDb();
afterAll(async () => {
  await db.$disconnect();
  await getDb().$disconnect();
});

const SUBMISSIONS = Number(process.env.HARDENING_SUBMISSIONS ?? 1_000);
const DUPLICATE_SHARE = 0.3;
const USERS = Number(process.env.HARDENING_USERS ?? 50);
const IN_FLIGHT = 64;
const LIMITS = { minCents: 100, maxCents: 10_000, dailyMaxCents: 10_000_000, thirtyDayMaxCents: 10_000_000 };
const accepted = { accepted: true as const, textVersion: MANDATE_TEXT_VERSION };

describe("1,000 concurrent funding submissions with 30% duplicated request ids", () => {
  it(
    "makes exactly one PaymentIntent per distinct request id, never a 5xx, and the ledger equals Stripe",
    { timeout: 600_000 },
    async () => {
      const setupStart = performance.now();
      const users: Linked[] = await pool(Array.from({ length: USERS }), 8, () => linkBankAccount(db));
      // Each signed in once, as a browser would be (a new user's session version is 0).
      const actors = new Map(
        await Promise.all(users.map(async (u) => [u.userId, await signedIn(db, { id: u.userId, sessionVersion: 0 })] as const)),
      );
      const setupTime = elapsed(setupStart);

      const distinct = Math.round(SUBMISSIONS * (1 - DUPLICATE_SHARE));
      const originals = Array.from({ length: distinct }, (_, i) => {
        const user = users[i % users.length]!;
        // $1.00–$99.99: under the sandbox checking account's $100 available balance.
        return {
          user,
          input: { requestId: randomUUID(), bankAccountId: user.bankAccountId, amountCents: 100 + ((i * 7919) % 9_900), mandate: accepted },
        };
      });
      const duplicates = Array.from({ length: SUBMISSIONS - distinct }, (_, i) => originals[(i * 31) % distinct]!);
      const submissions = shuffle([...originals, ...duplicates], 7);

      const deps = { ...bankingDeps(), db, limits: LIMITS };
      const start = performance.now();
      const outcomes = await pool(submissions, IN_FLIGHT, async ({ user, input }) => {
        try {
          const { payment, created } = await createFundingPayment(deps, actors.get(user.userId)!, input, {
            ip: "203.0.113.10",
            userAgent: "hardening",
          });
          return { status: created ? 201 : 200, requestId: input.requestId, paymentId: payment.id };
        } catch (err) {
          if (err instanceof AppError) return { status: err.status, requestId: input.requestId, code: err.code };
          return { status: 500, requestId: input.requestId, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
        }
      });
      const loadTime = elapsed(start);

      const serverErrors = outcomes.filter((o) => o.status >= 500);
      expect(serverErrors, JSON.stringify(serverErrors.slice(0, 5))).toEqual([]);
      // Every submission was accepted: the distinct ones created a payment, the repeats were answered with it.
      expect(outcomes.filter((o) => o.status >= 400)).toEqual([]);
      expect(outcomes.filter((o) => o.status === 201)).toHaveLength(distinct);
      const paymentByRequest = new Map<string, string>();
      for (const o of outcomes) {
        const known = paymentByRequest.get(o.requestId);
        if (known) expect(o.paymentId, `request ${o.requestId}`).toBe(known);
        else paymentByRequest.set(o.requestId, o.paymentId!);
      }
      expect(paymentByRequest.size).toBe(distinct);

      const userIds = users.map((u) => u.userId);
      expect(await db.payment.count({ where: { userId: { in: userIds } } })).toBe(distinct);
      expect(await db.payment.count({ where: { userId: { in: userIds }, stripePaymentIntentId: null } })).toBe(0);

      // Settle everything at Stripe, then let reconciliation apply it (no webhooks in this run).
      await sandbox("stripe/settle_all");
      const reconcile = await reconcilePayments(db, { olderThanMinutes: 0, userIds });
      expect(reconcile.errors).toBe(0);
      const ledger = await checkLedgerAgainstStripe(db, getStripe(), userIds);
      expect(ledger.problems.slice(0, 10)).toEqual([]);
      expect(ledger.intents).toBe(distinct);
      expect(ledger.succeededIntents).toBe(distinct);
      expect(ledger.ledgerCents).toBe(ledger.succeededCents);

      await report("funding-concurrency", {
        submissions: SUBMISSIONS,
        distinct,
        duplicates: SUBMISSIONS - distinct,
        users: USERS,
        inFlight: IN_FLIGHT,
        setup: setupTime,
        load: loadTime,
        paymentIntents: ledger.intents,
        ledgerCents: ledger.ledgerCents,
        stripeSucceededCents: ledger.succeededCents,
        serverErrors: serverErrors.length,
      });
    },
  );
});
