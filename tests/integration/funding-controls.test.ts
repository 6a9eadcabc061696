import { randomUUID } from "node:crypto";
import { inject, afterAll, describe, expect, it } from "vitest";
import { bankingDeps } from "@/lib/banking/deps";
import { linkBankAccount } from "@/lib/banking/link-account";
import { removeBankAccount } from "@/lib/banking/remove-account";
import { decideReview } from "@/lib/admin/review";
import { setUserDisabled } from "@/lib/admin/users";
import { createFundingPayment } from "@/lib/funding/create-payment";
import { getDashboardData } from "@/lib/funding/dashboard";
import { MANDATE_TEXT_VERSION } from "@/lib/funding/mandate-text";
import { recoverUnsubmittedPayment } from "@/lib/funding/submission";
import { getStripe } from "@/lib/stripe/client";
import { rejection } from "../helpers/app-error";
import { signedIn, testDb, uniqueEmail } from "../helpers/db";
import { customUserPassword, linkResult, sandboxControl } from "../helpers/sandbox";

/**
 * Controls re-checked where they cannot race: a block, a disable or a
 * removal that commits while a funding request is on its way stops it, at
 * the write (under the user's lock) or just before the debit is sent; and
 * checks that cost nothing come before the billed balance call.
 */

const db = testDb();
afterAll(() => db.$disconnect());
const LIMITS = { minCents: 100, maxCents: 50_000, dailyMaxCents: 60_000, thirtyDayMaxCents: 100_000 };
const deps = (limits = LIMITS) => ({ ...bankingDeps(), db, limits });
const ctx = { ip: "198.51.100.9", userAgent: "vitest" };
const accepted = { accepted: true as const, textVersion: MANDATE_TEXT_VERSION };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function admin() {
  const row = await db.user.create({ data: { email: uniqueEmail("admin"), name: "Ad Min", role: "ADMIN", emailVerified: new Date() } });
  return { id: row.id, ip: "203.0.113.1" };
}

async function linkedUser() {
  const user = await signedIn(
    db,
    await db.user.create({ data: { email: uniqueEmail("controlled"), name: "Con Trol", emailVerified: new Date() } }),
  );
  const link = await linkResult();
  const bank = await linkBankAccount(bankingDeps(), user, link.input());
  const customer = (await db.user.findUniqueOrThrow({ where: { id: user.id } })).stripeCustomerId!;
  return { user, bank, link, customer };
}

const intentsOf = async (customer: string) => (await getStripe().paymentIntents.list({ customer, limit: 100 })).data;

/** The active fault rules (with how often each matched), to count upstream calls. */
async function faultRules(): Promise<{ route: string; itemId?: string; customer?: string; matched: number; times?: number }[]> {
  return ((await (await fetch(`${inject("sandboxUrl")}/__sandbox/faults`)).json()) as { rules: never[] }).rules;
}

/** The balance call for this item takes 2.5 s (as in the review that found the race). */
const slowBalance = (itemId: string) =>
  sandboxControl("faults/add", { rules: [{ route: "/accounts/balance/get", latencyMs: 2_500, itemId, times: 1 }] });

describe("a change committed while the request is on its way", () => {
  it("a block during a slowed balance call: refused, no payment row, nothing at Stripe", async () => {
    const { user, bank, link, customer } = await linkedUser();
    const reviewer = await admin();
    await slowBalance(link.plaidItemId);
    const funding = rejection(
      createFundingPayment(deps(), user, { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 2_500, mandate: accepted }, ctx),
    );
    await sleep(800);
    await decideReview(db, reviewer, bank.id, "block");
    expect(await funding).toMatchObject({ status: 422, code: "ACCOUNT_BLOCKED" });
    expect(await db.payment.count({ where: { userId: user.id } })).toBe(0);
    expect(await intentsOf(customer)).toEqual([]);
  });

  it("a disable during a slowed balance call: refused as signed out, no payment row, nothing at Stripe", async () => {
    const { user, bank, link, customer } = await linkedUser();
    const reviewer = await admin();
    await slowBalance(link.plaidItemId);
    const funding = rejection(
      createFundingPayment(deps(), user, { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 2_500, mandate: accepted }, ctx),
    );
    await sleep(800);
    await setUserDisabled(db, reviewer, user.id, true);
    expect(await funding).toMatchObject({ status: 401, code: "SIGNED_OUT" });
    expect(await db.payment.count({ where: { userId: user.id } })).toBe(0);
    expect(await intentsOf(customer)).toEqual([]);
  });

  it("a removal during a slowed balance call: refused, no payment row", async () => {
    const { user, bank, link, customer } = await linkedUser();
    await slowBalance(link.plaidItemId);
    const funding = rejection(
      createFundingPayment(deps(), user, { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 2_000, mandate: accepted }, ctx),
    );
    await sleep(800);
    await removeBankAccount(deps(), { id: user.id }, bank.id);
    // Refused either here (404) or by the bank, whose item is gone (422): never written.
    expect([404, 422]).toContain((await funding).status);
    expect(await db.payment.count({ where: { userId: user.id } })).toBe(0);
    expect(await intentsOf(customer)).toEqual([]);
  });
});

describe("a payment written but not yet sent", () => {
  /** A funding request whose debit Stripe does not answer (503): written down, unsubmitted. */
  async function unsent() {
    const setup = await linkedUser();
    // One answer for the SDK's first try and each of its 2 retries (lib/stripe/client.ts); only this customer's requests.
    await sandboxControl("faults/add", { rules: [{ route: "/v1/payment_intents", status: 503, customer: setup.customer, times: 3 }] });
    const requestId = randomUUID();
    const input = { requestId, bankAccountId: setup.bank.id, amountCents: 3_000, mandate: accepted };
    expect(await rejection(createFundingPayment(deps(), setup.user, input, ctx))).toMatchObject({
      status: 502,
      code: "UPSTREAM_UNAVAILABLE",
    });
    const payment = await db.payment.findFirstOrThrow({ where: { userId: setup.user.id } });
    expect(payment).toMatchObject({ status: "PENDING", stripePaymentIntentId: null });
    // Every injected failure was used: Stripe answers this customer normally again.
    expect((await faultRules()).filter((r) => r.customer === setup.customer).map((r) => r.times)).toEqual([0]);
    return { ...setup, input, payment };
  }

  it("a retry with the same request id after a block: canceled with the reason, never sent", async () => {
    const { user, bank, customer, input, payment } = await unsent();
    await decideReview(db, await admin(), bank.id, "block");
    expect(await rejection(createFundingPayment(deps(), user, input, ctx))).toMatchObject({
      status: 422,
      code: "ACCOUNT_BLOCKED",
      message: /This transfer was canceled; nothing was debited\.$/,
    });
    const after = await db.payment.findUniqueOrThrow({ where: { id: payment.id } });
    expect(after).toMatchObject({
      status: "CANCELED",
      stripePaymentIntentId: null,
      failureCode: "stopped:account_blocked",
      failureMessage: "Canceled before it was sent: funding from this bank account was blocked. Nothing was debited.",
    });
    expect(await intentsOf(customer)).toEqual([]);
    // The person sees it, with the reason.
    const shown = (await getDashboardData(db, user))!.payments.find((p) => p.id === payment.id);
    expect(shown).toMatchObject({ status: "CANCELED", failureReason: after.failureMessage });
  });

  it("reconciliation's recovery after a disable: canceled, never sent", async () => {
    const { user, customer, payment } = await unsent();
    await setUserDisabled(db, await admin(), user.id, true);
    expect(await recoverUnsubmittedPayment({ db, stripe: getStripe() }, payment.id)).toBe("canceled");
    expect(await db.payment.findUniqueOrThrow({ where: { id: payment.id } })).toMatchObject({
      status: "CANCELED",
      failureCode: "stopped:user_disabled",
    });
    expect(await intentsOf(customer)).toEqual([]);
  });

  it("reconciliation's recovery after a block: canceled, never sent", async () => {
    const { bank, customer, payment } = await unsent();
    await decideReview(db, await admin(), bank.id, "block");
    expect(await recoverUnsubmittedPayment({ db, stripe: getStripe() }, payment.id)).toBe("canceled");
    expect(await db.payment.findUniqueOrThrow({ where: { id: payment.id } })).toMatchObject({
      status: "CANCELED",
      failureCode: "stopped:account_blocked",
    });
    expect(await intentsOf(customer)).toEqual([]);
  });

  it("without a change, the retry sends it (the check lets it through)", async () => {
    const { user, customer, input, payment } = await unsent();
    const { payment: sent } = await createFundingPayment(deps(), user, input, ctx);
    expect(sent).toMatchObject({ id: payment.id, status: "PROCESSING" });
    expect(await intentsOf(customer)).toHaveLength(1);
  });
});

describe("cheap before costly", () => {
  it("requests over the daily limit make no balance call at the bank", async () => {
    const { user, bank, link } = await linkedUser();
    const limits = { ...LIMITS, dailyMaxCents: 5_000 };
    const first = { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 4_000, mandate: accepted };
    await createFundingPayment(deps(limits), user, first, ctx);
    // Counts this item's balance calls (a rule with no effect).
    await sandboxControl("faults/add", { rules: [{ route: "/accounts/balance/get", itemId: link.plaidItemId, latencyMs: 0 }] });
    const counted = async () =>
      (await faultRules()).find((r) => r.itemId === link.plaidItemId && r.route === "/accounts/balance/get")!.matched;
    const before = await counted();
    const refusals = await Promise.all(
      Array.from({ length: 20 }, () =>
        rejection(createFundingPayment(deps(limits), user, { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 2_000 }, ctx)),
      ),
    );
    expect(new Set(refusals.map((e) => e.code))).toEqual(new Set(["DAILY_LIMIT"]));
    expect(await counted()).toBe(before);
  });
});

describe("blocks stick", () => {
  /** A user linking the account with these numbers (user_custom), as Link would hand it over. */
  async function linkNumbers(userId: string | null, numbers: { accountNumber: string; mask: string }) {
    const user = userId
      ? await signedIn(db, await db.user.findUniqueOrThrow({ where: { id: userId } }))
      : await signedIn(db, await db.user.create({ data: { email: uniqueEmail("sticky"), name: "Sti Cky", emailVerified: new Date() } }));
    const link = await linkResult({ username: "user_custom", password: customUserPassword({ ...numbers, available: 500 }) });
    const bank = await linkBankAccount(bankingDeps(), user, link.input("Custom Checking"));
    return { user, bank };
  }
  const fundFrom = (user: Awaited<ReturnType<typeof linkNumbers>>["user"], bankAccountId: string) =>
    createFundingPayment(deps(), user, { requestId: randomUUID(), bankAccountId, amountCents: 1_000, mandate: accepted }, ctx);

  it("block → the user cannot remove it → removed by support → relinked: lands blocked, cannot fund; lifting needs a reason", async () => {
    const numbers = { accountNumber: `0009${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`, mask: "7391" };
    const reviewer = await admin();
    const first = await linkNumbers(null, numbers);
    await decideReview(db, reviewer, first.bank.id, "block");
    expect(await rejection(removeBankAccount(deps(), { id: first.user.id }, first.bank.id))).toMatchObject({
      status: 409,
      code: "ACCOUNT_BLOCKED",
    });
    await removeBankAccount(deps(), { id: reviewer.id, isAdmin: true }, first.bank.id);

    const again = await linkNumbers(first.user.id, numbers);
    expect(again.bank.id).not.toBe(first.bank.id);
    expect(await db.bankAccount.findUniqueOrThrow({ where: { id: again.bank.id } })).toMatchObject({
      status: "ACTIVE",
      reviewStatus: "BLOCKED",
    });
    expect(await db.auditLog.count({ where: { action: "bank_account.block_matched", targetId: again.bank.id } })).toBe(1);
    expect(await rejection(fundFrom(again.user, again.bank.id))).toMatchObject({ status: 422, code: "ACCOUNT_BLOCKED" });
    expect(await db.payment.count({ where: { bankAccountId: again.bank.id } })).toBe(0);

    // Someone else with the same numbers is not blocked by this user's block.
    const stranger = await linkNumbers(null, numbers);
    expect((await db.bankAccount.findUniqueOrThrow({ where: { id: stranger.bank.id } })).reviewStatus).not.toBe("BLOCKED");

    // Lifting: a reason is required, kept in the audit log; then the account funds.
    expect(await rejection(decideReview(db, reviewer, again.bank.id, "approve"))).toMatchObject({ status: 400, code: "REASON_REQUIRED" });
    await decideReview(db, reviewer, again.bank.id, "approve", "Confirmed with the customer by phone");
    const lifted = await db.auditLog.findFirstOrThrow({ where: { action: "admin.bank_account.block_lifted", targetId: again.bank.id } });
    expect(lifted.metadata).toMatchObject({ reason: "Confirmed with the customer by phone", blocksLifted: 1 });
    expect(await db.bankAccountBlock.count({ where: { userId: first.user.id, liftedAt: null } })).toBe(0);
    expect((await fundFrom(again.user, again.bank.id)).payment.status).toBe("PROCESSING");
  });
});
