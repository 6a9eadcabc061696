/**
 * Admin blocks and disables racing the debits: concurrent funding
 * submissions from many users while an admin blocks some of their accounts
 * and disables others, at random moments of the load. The invariant: no
 * debit at Stripe for any payment whose block or disable committed before
 * its row; a payment written before the change but not yet sent is
 * canceled, never sent; nothing answers 5xx; the ledger equals Stripe.
 */
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { bankingDeps } from "@/lib/banking/deps";
import { AppError } from "@/lib/errors";
import { decideReview } from "@/lib/admin/review";
import { setUserDisabled } from "@/lib/admin/users";
import { createFundingPayment } from "@/lib/funding/create-payment";
import { MANDATE_TEXT_VERSION } from "@/lib/funding/mandates";
import { reconcilePayments } from "@/lib/funding/reconcile";
import { getStripe } from "@/lib/stripe/client";
import { getDb } from "@/lib/db";
import { signedIn, testDb, uniqueEmail } from "../helpers/db";
import { linkBankAccount, sandbox, type Linked } from "../integration/webhooks-fixtures";
import { checkLedgerAgainstStripe, elapsed, pool, report, shuffle } from "./support";

process.env.LOG_LEVEL ??= "warn";
const db = testDb();
afterAll(async () => {
  await db.$disconnect();
  await getDb().$disconnect();
});

const USERS = 24;
const PER_USER = 15;
const IN_FLIGHT = 32;
const BLOCKED = 6;
const DISABLED = 6;
const LIMITS = { minCents: 100, maxCents: 10_000, dailyMaxCents: 10_000_000, thirtyDayMaxCents: 10_000_000 };
const accepted = { accepted: true as const, textVersion: MANDATE_TEXT_VERSION };

describe("admin blocks and disables racing the debits", () => {
  it(
    "no debit for a payment whose block or disable committed before its row; the rest settle and match Stripe",
    { timeout: 600_000 },
    async () => {
      const users: Linked[] = await pool(Array.from({ length: USERS }), 8, () => linkBankAccount(db));
      const actors = new Map(
        await Promise.all(users.map(async (u) => [u.userId, await signedIn(db, { id: u.userId, sessionVersion: 0 })] as const)),
      );
      await db.user.updateMany({ where: { id: { in: users.map((u) => u.userId) } }, data: { emailVerified: new Date() } });
      const adminRow = await db.user.create({ data: { email: uniqueEmail("racing-admin"), name: "Racing Admin", role: "ADMIN" } });
      const admin = { id: adminRow.id, ip: "203.0.113.99" };

      const submissions = shuffle(
        users.flatMap((user) =>
          Array.from({ length: PER_USER }, (_, i) => ({
            user,
            input: { requestId: randomUUID(), bankAccountId: user.bankAccountId, amountCents: 100 + ((i * 613) % 500), mandate: accepted },
          })),
        ),
        11,
      );
      const blockedUsers = users.slice(0, BLOCKED);
      const disabledUsers = users.slice(BLOCKED, BLOCKED + DISABLED);
      /** When each change had committed (taken right after it returned: later than the commit, never earlier). */
      const committedAt = new Map<string, Date>();

      const deps = { ...bankingDeps(), db, limits: LIMITS };
      const start = performance.now();
      const admins = (async () => {
        // Spread over the load: each change waits a different, fixed time.
        await Promise.all([
          ...blockedUsers.map(async (u, i) => {
            await new Promise((resolve) => setTimeout(resolve, 150 + i * 220));
            await decideReview(db, admin, u.bankAccountId, "block");
            committedAt.set(u.userId, new Date());
          }),
          ...disabledUsers.map(async (u, i) => {
            await new Promise((resolve) => setTimeout(resolve, 260 + i * 230));
            await setUserDisabled(db, admin, u.userId, true);
            committedAt.set(u.userId, new Date());
          }),
        ]);
      })();
      const outcomes = await pool(submissions, IN_FLIGHT, async ({ user, input }) => {
        try {
          const { payment } = await createFundingPayment(deps, actors.get(user.userId)!, input, {
            ip: "203.0.113.11",
            userAgent: "hardening",
          });
          return { userId: user.userId, status: 201, paymentId: payment.id, code: null as string | null };
        } catch (err) {
          if (err instanceof AppError) return { userId: user.userId, status: err.status, paymentId: null, code: err.code as string };
          return {
            userId: user.userId,
            status: 500,
            paymentId: null,
            code: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
          };
        }
      });
      await admins;
      const loadTime = elapsed(start);

      expect(outcomes.filter((o) => o.status >= 500)).toEqual([]);
      // The only refusals are the changes themselves.
      const refusals = new Set(outcomes.filter((o) => o.status >= 400).map((o) => `${o.status} ${o.code}`));
      for (const r of refusals) expect(["422 ACCOUNT_BLOCKED", "401 SIGNED_OUT"]).toContain(r);
      const changed = new Set([...blockedUsers, ...disabledUsers].map((u) => u.userId));
      for (const o of outcomes) if (!changed.has(o.userId)) expect(o.status, `user ${o.userId} was not changed`).toBe(201);

      // The invariant, per changed user: no payment row written after the change committed, and no
      // debit for a payment that was written but not yet sent when it committed (canceled instead).
      let refusedAfter = 0;
      let stoppedBeforeSending = 0;
      for (const u of [...blockedUsers, ...disabledUsers]) {
        const at = committedAt.get(u.userId)!;
        const rows = await db.payment.findMany({
          where: { userId: u.userId },
          select: { createdAt: true, status: true, stripePaymentIntentId: true, failureCode: true },
        });
        expect(
          rows.filter((p) => p.createdAt > at),
          `payments written after the change of ${u.userId}`,
        ).toEqual([]);
        for (const p of rows.filter((p) => p.status === "CANCELED")) {
          expect(p.stripePaymentIntentId).toBeNull();
          expect(p.failureCode).toMatch(/^stopped:/);
        }
        stoppedBeforeSending += rows.filter((p) => p.status === "CANCELED").length;
        refusedAfter += outcomes.filter((o) => o.userId === u.userId && o.status >= 400).length;
      }
      // The changes did land in the middle of the load.
      expect(refusedAfter).toBeGreaterThan(0);

      const userIds = users.map((u) => u.userId);
      const intents = await db.payment.count({ where: { userId: { in: userIds }, stripePaymentIntentId: { not: null } } });
      await sandbox("stripe/settle_all");
      const reconcile = await reconcilePayments(db, { olderThanMinutes: 0, userIds });
      expect(reconcile.errors).toBe(0);
      const ledger = await checkLedgerAgainstStripe(db, getStripe(), userIds);
      expect(ledger.problems.slice(0, 10)).toEqual([]);
      expect(ledger.intents).toBe(intents);
      expect(ledger.ledgerCents).toBe(ledger.succeededCents);

      await report("funding-vs-admin", {
        submissions: submissions.length,
        users: USERS,
        inFlight: IN_FLIGHT,
        blocks: BLOCKED,
        disables: DISABLED,
        load: loadTime,
        accepted: outcomes.filter((o) => o.status === 201).length,
        refusedAfterChange: refusedAfter,
        canceledBeforeSending: stoppedBeforeSending,
        paymentIntents: ledger.intents,
        ledgerCents: ledger.ledgerCents,
      });
    },
  );
});
