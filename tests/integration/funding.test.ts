import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { bankingDeps } from "@/lib/banking/deps";
import { linkBankAccount } from "@/lib/banking/link-account";
import { markItemReconnected } from "@/lib/banking/reconnect";
import { AppError } from "@/lib/errors";
import { rejection } from "../helpers/app-error";
import { createFundingPayment } from "@/lib/funding/create-payment";
import { getDashboardData } from "@/lib/funding/dashboard";
import { MANDATE_TEXT_VERSION } from "@/lib/funding/mandates";
import { applyObservedStatus } from "@/lib/funding/ledger";
import { observeIntent } from "@/lib/funding/stripe-debit";
import { writePaymentWithinLimits } from "@/lib/funding/write-payment";
import { getStripe } from "@/lib/stripe/client";
import { testDb, uniqueEmail, signedIn } from "../helpers/db";
import { customUserPassword, linkResult, sandboxControl } from "../helpers/sandbox";
import type { Actor } from "@/lib/auth/actor";
import { revokeSession } from "@/lib/auth/sessions";

const db = testDb();
afterAll(() => db.$disconnect());
const LIMITS = { minCents: 100, maxCents: 50_000, dailyMaxCents: 60_000, thirtyDayMaxCents: 100_000 };
const deps = (extra: Partial<{ useCharges: boolean }> = {}) => ({ ...bankingDeps(), db, limits: LIMITS, ...extra });
const ctx = { ip: "198.51.100.7", userAgent: "vitest" };
const accepted = { accepted: true as const, textVersion: MANDATE_TEXT_VERSION };

async function linkedUser(options: Parameters<typeof linkResult>[0] & { accountName?: string } = {}) {
  const user = await signedIn(
    db,
    await db.user.create({ data: { email: uniqueEmail("funder"), name: "Fun Der", emailVerified: new Date() } }),
  );
  const link = await linkResult(options);
  const bank = await linkBankAccount(bankingDeps(), user, link.input(options.accountName));
  return { user, bank, link };
}

/** Settles a debit in the sandbox and applies what Stripe then reports (as the webhook or reconciliation would). */
async function settle(paymentId: string) {
  const payment = await db.payment.findUniqueOrThrow({ where: { id: paymentId } });
  await sandboxControl("stripe/settle", { payment_intent: payment.stripePaymentIntentId });
  const intent = await getStripe().paymentIntents.retrieve(payment.stripePaymentIntentId!);
  return applyObservedStatus(db, paymentId, observeIntent(intent), "test");
}

describe("funding the balance", () => {
  it("asks for the ACH authorization first, records it, and passes it to Stripe as mandate_data", async () => {
    const { user, bank } = await linkedUser();
    const requestId = randomUUID();
    expect(
      await rejection(createFundingPayment(deps(), user, { requestId, bankAccountId: bank.id, amountCents: 2_500 }, ctx)),
    ).toMatchObject({ status: 400, code: "MANDATE_REQUIRED" });
    expect(await db.payment.count({ where: { userId: user.id } })).toBe(0);

    const { payment, created } = await createFundingPayment(
      deps(),
      user,
      { requestId, bankAccountId: bank.id, amountCents: 2_500, mandate: accepted },
      ctx,
    );
    expect(created).toBe(true);
    expect(payment).toMatchObject({
      amountCents: 2_500,
      status: "PROCESSING",
      bankLabel: "First Platypus Bank ····0000",
      failureReason: null,
    });
    const mandate = await db.mandateAcceptance.findFirstOrThrow({ where: { userId: user.id } });
    expect(mandate).toMatchObject({ textVersion: MANDATE_TEXT_VERSION, ipAddress: ctx.ip, userAgent: "vitest", revokedAt: null });
    expect(mandate.stripeMandateId).toMatch(/^mandate_/);
    const row = await db.payment.findUniqueOrThrow({ where: { id: payment.id } });
    const intent = await getStripe().paymentIntents.retrieve(row.stripePaymentIntentId!);
    expect(intent).toMatchObject({
      amount: 2_500,
      currency: "usd",
      status: "processing",
      metadata: { payment_id: payment.id, user_id: user.id },
    });
    expect((await getDashboardData(db, user))!.balances).toEqual({ availableCents: 0, pendingCents: 2_500 });
  });

  it("refuses a user disabled or signed out everywhere since their session began (401), before calling the bank or writing anything", async () => {
    const { user, bank } = await linkedUser();
    const stripeIntentsBefore = (
      await getStripe().paymentIntents.list({
        customer: (await db.user.findUniqueOrThrow({ where: { id: user.id } })).stripeCustomerId!,
        limit: 100,
      })
    ).data.length;
    const fund = (actor: Actor) =>
      createFundingPayment(deps(), actor, { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 1_000, mandate: accepted }, ctx);

    // "Sign out everywhere" bumps the version: the old session's actor no longer matches.
    await db.user.update({ where: { id: user.id }, data: { sessionVersion: { increment: 1 } } });
    expect(await rejection(fund(user))).toMatchObject({ status: 401, code: "SIGNED_OUT" });
    expect(await getDashboardData(db, user)).toBeNull();
    const current = { ...user, sessionVersion: user.sessionVersion + 1 };
    expect(await getDashboardData(db, current)).not.toBeNull();

    await db.user.update({ where: { id: user.id }, data: { disabled: true } });
    expect(await rejection(fund(current))).toMatchObject({ status: 401, code: "SIGNED_OUT" });
    expect(await getDashboardData(db, current)).toBeNull();
    expect(await rejection(fund({ id: "no-such-user", sessionVersion: 0, sessionId: user.sessionId }))).toMatchObject({
      status: 401,
      code: "SIGNED_OUT",
    });

    // Signing out ends that one session: its actor is refused, another sign-in of the same user is not.
    await db.user.update({ where: { id: user.id }, data: { disabled: false } });
    const other = await signedIn(db, { id: user.id, sessionVersion: current.sessionVersion });
    await revokeSession(db, current.sessionId, user.id);
    expect(await rejection(fund(current))).toMatchObject({ status: 401, code: "SIGNED_OUT" });
    expect(await getDashboardData(db, current)).toBeNull();
    expect(await getDashboardData(db, other)).not.toBeNull();

    expect(await db.payment.count({ where: { userId: user.id } })).toBe(0);
    expect(await db.mandateAcceptance.count({ where: { userId: user.id } })).toBe(0);
    const stripeIntentsAfter = (
      await getStripe().paymentIntents.list({
        customer: (await db.user.findUniqueOrThrow({ where: { id: user.id } })).stripeCustomerId!,
        limit: 100,
      })
    ).data.length;
    expect(stripeIntentsAfter).toBe(stripeIntentsBefore);

    // Enabled again, a live session funds.
    await db.user.update({ where: { id: user.id }, data: { disabled: false } });
    expect((await fund(other)).created).toBe(true);
  });

  it("funds again without relinking or a new authorization, and credits the balance exactly once on success", async () => {
    const { user, bank } = await linkedUser();
    const first = await createFundingPayment(
      deps(),
      user,
      { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 1_000, mandate: accepted },
      ctx,
    );
    const second = await createFundingPayment(deps(), user, { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 1_500 }, ctx);
    expect(await db.mandateAcceptance.count({ where: { userId: user.id } })).toBe(1);
    const mandateId = (await db.mandateAcceptance.findFirstOrThrow({ where: { userId: user.id } })).stripeMandateId;
    const secondIntent = await getStripe().paymentIntents.retrieve(
      (await db.payment.findUniqueOrThrow({ where: { id: second.payment.id } })).stripePaymentIntentId!,
      { expand: ["latest_charge"] },
    );
    expect(
      (secondIntent.latest_charge as { payment_method_details: { us_bank_account: { mandate: string } } }).payment_method_details
        .us_bank_account.mandate,
    ).toBe(mandateId);

    expect((await settle(first.payment.id)).status).toBe("SUCCEEDED");
    const settledIntent = await getStripe().paymentIntents.retrieve(
      (await db.payment.findUniqueOrThrow({ where: { id: first.payment.id } })).stripePaymentIntentId!,
    );
    expect(await applyObservedStatus(db, first.payment.id, observeIntent(settledIntent), "duplicate")).toEqual({
      changed: false,
      status: "SUCCEEDED",
    });
    expect((await getDashboardData(db, user))!.balances).toEqual({ availableCents: 1_000, pendingCents: 1_500 });
    expect(await db.ledgerEntry.count({ where: { userId: user.id } })).toBe(1);
  });

  it("applies racing status reports in one order: one final status, one credit, one audit entry per move", async () => {
    const { user, bank } = await linkedUser();
    const { payment } = await createFundingPayment(
      deps(),
      user,
      { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 1_200, mandate: accepted },
      ctx,
    );
    // Webhooks, reconciliation and retries reporting at once, each on its own connection.
    const reports = Array.from({ length: 24 }, (_, i) =>
      i % 3 === 0
        ? { status: "SUCCEEDED" as const }
        : i % 3 === 1
          ? { status: "PROCESSING" as const }
          : { status: "FAILED" as const, failureCode: "insufficient_funds", failureMessage: "Insufficient funds." },
    );
    const results = await Promise.all(reports.map((r, i) => applyObservedStatus(db, payment.id, r, `race-${i}`)));
    const final = await db.payment.findUniqueOrThrow({ where: { id: payment.id } });
    expect(["SUCCEEDED", "FAILED"]).toContain(final.status);
    // Exactly one report moved it to its final status; every report answers with a status it really had.
    expect(results.filter((r) => r.changed && (r.status === "SUCCEEDED" || r.status === "FAILED"))).toHaveLength(1);
    expect(await db.ledgerEntry.count({ where: { paymentId: payment.id } })).toBe(final.status === "SUCCEEDED" ? 1 : 0);
    expect(final.failureCode).toBe(final.status === "FAILED" ? "insufficient_funds" : null);
    // The audit trail is one chain of forward moves, from the status each move really found.
    const moves = (await db.auditLog.findMany({ where: { targetId: payment.id }, orderBy: { createdAt: "asc" } })).filter((a) =>
      String((a.metadata as { source?: string }).source).startsWith("race-"),
    );
    expect(moves.length).toBe(results.filter((r) => r.changed).length);
    let current = "PROCESSING";
    for (const move of moves) {
      expect((move.metadata as { from: string }).from).toBe(current);
      current = move.action.slice("payment.".length).toUpperCase();
    }
    expect(current).toBe(final.status);
  });

  it("turns a double submit (same request id, concurrently and later) into one debit", async () => {
    const { user, bank } = await linkedUser();
    const input = { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 2_000, mandate: accepted };
    const results = await Promise.all(Array.from({ length: 5 }, () => createFundingPayment(deps(), user, input, ctx)));
    const replay = await createFundingPayment(deps(), user, input, ctx);
    expect(new Set([...results, replay].map((r) => r.payment.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await db.payment.count({ where: { userId: user.id } })).toBe(1);
    const { stripeCustomerId } = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    const intents = await getStripe().paymentIntents.list({ customer: stripeCustomerId!, limit: 100 });
    expect(intents.data).toHaveLength(1);
    expect(await rejection(createFundingPayment(deps(), user, { ...input, amountCents: 2_001 }, ctx))).toMatchObject({
      status: 409,
      code: "REQUEST_REUSED",
    });
  });

  it("enforces the minimum, maximum, daily and 30-day limits", async () => {
    const { user, bank } = await linkedUser({
      username: "user_custom",
      password: customUserPassword({ accountNumber: "000123456789", mask: "6789", current: 100_000 }),
      accountName: "Custom Checking",
    });
    const fund = (amountCents: number, createdAt?: Date) =>
      createFundingPayment(deps(), user, { requestId: randomUUID(), bankAccountId: bank.id, amountCents, mandate: accepted }, ctx).then(
        async (r) => {
          if (createdAt) await db.payment.update({ where: { id: r.payment.id }, data: { createdAt } });
          return r;
        },
      );
    expect(await rejection(fund(99))).toMatchObject({ code: "AMOUNT_TOO_SMALL", message: "The minimum is $1.00 per transfer." });
    expect(await rejection(fund(50_001))).toMatchObject({ code: "AMOUNT_TOO_LARGE", message: "The maximum is $500.00 per transfer." });
    await fund(45_000, new Date(Date.now() - 3 * 24 * 3600_000)); // 3 days ago: counts for 30 days only
    await fund(40_000);
    expect(await rejection(fund(25_000))).toMatchObject({ code: "DAILY_LIMIT", message: expect.stringContaining("$200.00 left today") });
    await fund(14_000);
    expect(await rejection(fund(2_000))).toMatchObject({ code: "THIRTY_DAY_LIMIT", message: expect.stringContaining("$10.00 left") });
  });

  it("holds the daily limit when many writes arrive at once: only as many debits as fit are written", async () => {
    const { user, bank } = await linkedUser();
    const first = await createFundingPayment(
      deps(),
      user,
      { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 100, mandate: accepted },
      ctx,
    );
    const mandateId = (await db.payment.findUniqueOrThrow({ where: { id: first.payment.id } })).mandateAcceptanceId!;
    // $600 a day: after the first $1, five of twelve concurrent $110 writes fit ($551), a sixth would not ($661).
    const write = () =>
      writePaymentWithinLimits(
        db,
        {
          actor: user,
          bankAccountId: bank.id,
          amountCents: 11_000,
          requestId: randomUUID(),
          mandate: { existingId: mandateId },
          ip: null,
        },
        LIMITS,
      );
    const results = await Promise.allSettled(Array.from({ length: 12 }, write));
    const refused = results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason as AppError);
    expect(refused.map((e) => e.code)).toEqual(Array(7).fill("DAILY_LIMIT"));
    const total = await db.payment.aggregate({ where: { userId: user.id }, _sum: { amountCents: true }, _count: true });
    expect(total).toMatchObject({ _count: 6, _sum: { amountCents: 55_100 } });
  });

  it("refuses when the live balance is short, and falls back to the current balance when available is null", async () => {
    const { user, bank, link } = await linkedUser();
    const err = await rejection(
      createFundingPayment(deps(), user, { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 15_000, mandate: accepted }, ctx),
    );
    expect(err).toMatchObject({
      status: 422,
      code: "INSUFFICIENT_BALANCE",
      message: "Your bank reports $100.00 available, which is less than $150.00. Try a smaller amount.",
    });
    expect(await db.payment.count({ where: { userId: user.id } })).toBe(0);

    const accountId = link.input().accountId;
    await sandboxControl("plaid/set_balance", { account_id: accountId, available: null, current: 300 });
    const ok = await createFundingPayment(
      deps(),
      user,
      { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 15_000, mandate: accepted },
      ctx,
    );
    expect(ok.payment.status).toBe("PROCESSING");
    expect(
      await rejection(createFundingPayment(deps(), user, { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 35_000 }, ctx)),
    ).toMatchObject({ code: "INSUFFICIENT_BALANCE" });
  });

  it("shows an ACH failure with its reason and never credits it", async () => {
    const { user, bank } = await linkedUser({
      username: "user_custom",
      password: customUserPassword({ accountNumber: "000222222227", mask: "2227" }),
      accountName: "Custom Checking",
    });
    const { payment } = await createFundingPayment(
      deps(),
      user,
      { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 3_000, mandate: accepted },
      ctx,
    );
    expect(await settle(payment.id)).toEqual({ changed: true, status: "FAILED" });
    const row = await db.payment.findUniqueOrThrow({ where: { id: payment.id } });
    expect(row).toMatchObject({
      status: "FAILED",
      failureCode: "insufficient_funds",
      failureMessage: "Insufficient funds in the bank account.",
    });
    expect((await getDashboardData(db, user))!.balances).toEqual({ availableCents: 0, pendingCents: 0 });
  });

  it("refuses blocked, removed and other people's accounts", async () => {
    const { user, bank } = await linkedUser();
    const stranger = await signedIn(db, await db.user.create({ data: { email: uniqueEmail("stranger"), emailVerified: new Date() } }));
    expect(
      await rejection(
        createFundingPayment(
          deps(),
          stranger,
          { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 1_000, mandate: accepted },
          ctx,
        ),
      ),
    ).toMatchObject({ status: 404 });
    await db.bankAccount.update({ where: { id: bank.id }, data: { reviewStatus: "BLOCKED" } });
    expect(
      await rejection(
        createFundingPayment(deps(), user, { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 1_000, mandate: accepted }, ctx),
      ),
    ).toMatchObject({ status: 422, code: "ACCOUNT_BLOCKED" });
  });

  it("stops at ITEM_LOGIN_REQUIRED, and funds again once the item is reconnected", async () => {
    const { user, bank, link } = await linkedUser();
    await sandboxControl("plaid/reset_login", { item_id: link.plaidItemId });
    const err = await rejection(
      createFundingPayment(deps(), user, { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 1_000, mandate: accepted }, ctx),
    );
    expect(err).toMatchObject({ status: 422, code: "ACCOUNT_NOT_ACTIVE", message: expect.stringMatching(/Reconnect your bank/) });
    expect((await db.plaidItem.findFirstOrThrow({ where: { userId: user.id } })).status).toBe("LOGIN_REQUIRED");
    expect(await rejection(markItemReconnected({ db, plaid: bankingDeps().plaid }, user.id, bank.itemId))).toMatchObject({ status: 409 });

    // Link update mode re-authenticates the item at Plaid (the sandbox's LOGIN_REPAIRED does the same).
    await sandboxControl("plaid/fire_webhook", { item_id: link.plaidItemId, webhook_type: "ITEM", webhook_code: "LOGIN_REPAIRED" });
    await markItemReconnected({ db, plaid: bankingDeps().plaid }, user.id, bank.itemId);
    const { payment } = await createFundingPayment(
      deps(),
      user,
      { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 1_000, mandate: accepted },
      ctx,
    );
    expect(payment.status).toBe("PROCESSING");
  });

  it("supports the legacy Charges path behind a setting", async () => {
    const { user, bank } = await linkedUser();
    const { payment } = await createFundingPayment(
      deps({ useCharges: true }),
      user,
      { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 1_200, mandate: accepted },
      ctx,
    );
    const row = await db.payment.findUniqueOrThrow({ where: { id: payment.id } });
    expect(row.stripeChargeId).toMatch(/^(ch|py)_/);
    expect(row.stripePaymentIntentId).toBeNull();
    expect(row.status).toBe("PROCESSING");
  });
});
