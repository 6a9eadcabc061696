import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, inject, it } from "vitest";
import { POST } from "@/app/api/webhooks/stripe/route";
import { bankingDeps } from "@/lib/banking/deps";
import { linkBankAccount } from "@/lib/banking/link-account";
import { getDb } from "@/lib/db";
import { createFundingPayment } from "@/lib/funding/create-payment";
import { getDashboardData } from "@/lib/funding/dashboard";
import { MANDATE_TEXT_VERSION } from "@/lib/funding/mandate-text";
import { stopIfMayNotDebit } from "@/lib/funding/send-check";
import { getAdminPaymentDetail } from "@/lib/admin/payments";
import { getStripe } from "@/lib/stripe/client";
import { rejection } from "../helpers/app-error";
import { signedIn, testDb, uniqueEmail } from "../helpers/db";
import { randomAccountNumber } from "../helpers/admin-support";
import { customUserPassword, linkResult, sandboxControl } from "../helpers/sandbox";
import { stripeEventFor, stripeWebhookRequest } from "./webhooks-fixtures";

/**
 * ACH returns decide whether a bank account stays usable: after anything but
 * insufficient funds the account is marked unusable (audited, authorization
 * revoked), funding from it is refused before any upstream call, and the
 * dashboard and the admin say why.
 */

process.env.LOG_LEVEL ??= "warn";
const db = testDb();
afterAll(async () => {
  await db.$disconnect();
  await getDb().$disconnect();
});
const LIMITS = { minCents: 100, maxCents: 50_000, dailyMaxCents: 60_000, thirtyDayMaxCents: 100_000 };
const deps = () => ({ ...bankingDeps(), db, limits: LIMITS });
const ctx = { ip: "198.51.100.20", userAgent: "vitest" };
const accepted = { accepted: true as const, textVersion: MANDATE_TEXT_VERSION };

/**
 * A user with a linked checking account of its own numbers (a number Stripe's
 * test bank does not list settles as a success unless told otherwise): no
 * other test's block matches it by Stripe's fingerprint.
 */
async function linkedUser() {
  const { accountNumber, mask } = randomAccountNumber();
  const user = await signedIn(
    db,
    await db.user.create({ data: { email: uniqueEmail("returns"), name: "Re Turn", emailVerified: new Date() } }),
  );
  const link = await linkResult({
    institutionId: "ins_109509",
    username: "user_custom",
    password: customUserPassword({ accountNumber, mask }),
  });
  const bank = await linkBankAccount(bankingDeps(), user, link.input("Custom Checking"));
  const customer = (await db.user.findUniqueOrThrow({ where: { id: user.id } })).stripeCustomerId!;
  return { user, bank, link, customer };
}

const fund = (user: Awaited<ReturnType<typeof linkedUser>>["user"], bankAccountId: string, amountCents = 2_000) =>
  createFundingPayment(deps(), user, { requestId: randomUUID(), bankAccountId, amountCents, mandate: accepted }, ctx);

/** Fails the payment's debit in the sandbox and delivers Stripe's payment_failed event to the webhook route. */
async function failDebit(paymentId: string, code: string, returnCode?: string) {
  const { stripePaymentIntentId } = await db.payment.findUniqueOrThrow({ where: { id: paymentId } });
  await sandboxControl("stripe/fail", { payment_intent: stripePaymentIntentId, code, ...(returnCode ? { return_code: returnCode } : {}) });
  const event = await stripeEventFor("payment_intent.payment_failed", stripePaymentIntentId!);
  const res = await POST(stripeWebhookRequest(JSON.stringify(event, null, 2)));
  expect(res.status).toBe(200);
}

/** Rules that fail and count every balance call for this item and every PaymentIntent request for this customer. */
async function watchUpstream(itemId: string, customer: string) {
  const tag = randomUUID();
  await sandboxControl("faults/add", {
    rules: [
      { route: "/accounts/balance/get", status: 500, itemId, message: tag, times: 1 },
      { route: "/v1/payment_intents", status: 500, customer, message: tag, times: 1 },
    ],
  });
  return async () => {
    const { rules } = (await (await fetch(`${inject("sandboxUrl")}/__sandbox/faults`)).json()) as {
      rules: { message?: string; matched: number }[];
    };
    const ours = rules.filter((r) => r.message === tag);
    expect(ours).toHaveLength(2);
    return ours.reduce((n, r) => n + r.matched, 0);
  };
}

describe("an ACH return that leaves the account unusable", () => {
  it("account_closed: the payment fails with R02, the account becomes unusable, and funding from it is refused before any call", async () => {
    const { user, bank, link, customer } = await linkedUser();
    const { payment } = await fund(user, bank.id);
    expect(await db.mandateAcceptance.count({ where: { bankAccountId: bank.id, revokedAt: null } })).toBe(1);

    await failDebit(payment.id, "account_closed");

    const row = await db.payment.findUniqueOrThrow({ where: { id: payment.id } });
    expect(row).toMatchObject({
      status: "FAILED",
      failureCode: "account_closed",
      returnCode: "R02",
      failureMessage: "The bank account is closed.",
    });
    const account = await db.bankAccount.findUniqueOrThrow({ where: { id: bank.id } });
    expect(account).toMatchObject({
      status: "UNUSABLE",
      unusablePaymentId: payment.id,
      unusableFailureCode: "account_closed",
      unusableReturnCode: "R02",
      unusableAt: expect.any(Date),
    });
    expect(await db.mandateAcceptance.count({ where: { bankAccountId: bank.id, revokedAt: null } })).toBe(0);
    expect(await db.auditLog.findFirst({ where: { action: "bank_account.unusable", targetId: bank.id } })).toMatchObject({
      actorId: null,
      metadata: { paymentId: payment.id, failureCode: "account_closed", returnCode: "R02" },
    });
    expect(
      await db.auditLog.findFirst({ where: { action: "mandate.revoked", metadata: { path: ["bankAccountId"], equals: bank.id } } }),
    ).toMatchObject({
      metadata: { reason: "bank_account_unusable" },
    });

    // The dashboard says why, and what to do.
    const view = (await getDashboardData(db, user))!.bankAccounts.find((a) => a.id === bank.id)!;
    expect(view).toMatchObject({
      status: "UNUSABLE",
      returned: { reason: "The bank account is closed.", nextStep: "Link your bank again to keep funding." },
    });
    expect(JSON.stringify(view)).not.toContain("R02");

    // Refused with a clear message, before the bank's balance call or Stripe.
    const calls = await watchUpstream(link.plaidItemId, customer);
    const intentsBefore = (await getStripe().paymentIntents.list({ customer, limit: 100 })).data.length;
    const refused = await rejection(fund(user, bank.id));
    expect(refused).toMatchObject({ status: 422, code: "ACCOUNT_UNUSABLE" });
    expect(refused.message).toMatch(/returned a transfer.*Link your bank again/);
    expect(await calls()).toBe(0);
    expect(await db.payment.count({ where: { userId: user.id } })).toBe(1);
    expect((await getStripe().paymentIntents.list({ customer, limit: 100 })).data).toHaveLength(intentsBefore);

    // The admin sees the R-code on the payment.
    expect((await getAdminPaymentDetail(db, payment.id)).payment).toMatchObject({
      failureCode: "account_closed",
      returnCode: "R02",
      returnMeaning: "The bank account is closed.",
    });
  });

  it("the R-code Stripe names wins (debit_not_authorized, R29); another report of it changes nothing more", async () => {
    const { user, bank } = await linkedUser();
    const { payment } = await fund(user, bank.id);
    await failDebit(payment.id, "debit_not_authorized", "R29");
    expect(await db.payment.findUniqueOrThrow({ where: { id: payment.id } })).toMatchObject({ returnCode: "R29" });
    expect(await db.bankAccount.findUniqueOrThrow({ where: { id: bank.id } })).toMatchObject({
      status: "UNUSABLE",
      unusableReturnCode: "R29",
    });
    // Another report of the same failure (the charge's event): no second mark, no second audit entry.
    const { stripeChargeId } = await db.payment.findUniqueOrThrow({ where: { id: payment.id } });
    const chargeEvent = await stripeEventFor("charge.failed", stripeChargeId!);
    expect((await POST(stripeWebhookRequest(JSON.stringify(chargeEvent, null, 2)))).status).toBe(200);
    expect(await db.auditLog.count({ where: { action: "bank_account.unusable", targetId: bank.id } })).toBe(1);
  });

  it("a payment written before the return is canceled at the last check, never sent", async () => {
    const { user, bank } = await linkedUser();
    const { payment } = await fund(user, bank.id);
    await failDebit(payment.id, "no_account");
    // A payment row as a request already past the write would have left it.
    const pending = await db.payment.create({
      data: { userId: user.id, bankAccountId: bank.id, amountCents: 1_000, requestId: randomUUID(), idempotencyKey: randomUUID() },
    });
    expect(await stopIfMayNotDebit(db, pending.id)).toBe("ACCOUNT_UNUSABLE");
    expect(await db.payment.findUniqueOrThrow({ where: { id: pending.id } })).toMatchObject({
      status: "CANCELED",
      failureCode: "stopped:account_unusable",
    });
  });
});

describe("a bank account Stripe blocked after a return the app has not heard of", () => {
  it("a debit Stripe refuses with bank_account_unusable fails, marks the account unusable and asks for a new link", async () => {
    const { user, bank, customer } = await linkedUser();
    await fund(user, bank.id);
    // Stripe's documented answer to a debit on a blocked account: HTTP 402, code bank_account_unusable.
    await sandboxControl("faults/add", {
      rules: [{ route: "/v1/payment_intents", status: 402, code: "bank_account_unusable", customer, times: 1 }],
    });
    const refused = await rejection(fund(user, bank.id, 1_500));
    expect(refused).toMatchObject({ status: 422, code: "ACCOUNT_UNUSABLE" });
    expect(refused.message).toMatch(/Link your bank again/);

    const failed = await db.payment.findFirstOrThrow({ where: { userId: user.id, amountCents: 1_500 } });
    expect(failed).toMatchObject({ status: "FAILED", failureCode: "bank_account_unusable" });
    expect(await db.bankAccount.findUniqueOrThrow({ where: { id: bank.id } })).toMatchObject({
      status: "UNUSABLE",
      unusablePaymentId: failed.id,
      unusableFailureCode: "bank_account_unusable",
    });
    expect(await db.mandateAcceptance.count({ where: { bankAccountId: bank.id, revokedAt: null } })).toBe(0);
    const view = (await getDashboardData(db, user))!.bankAccounts.find((a) => a.id === bank.id)!;
    expect(view.returned).toMatchObject({ nextStep: "Link your bank again to keep funding." });
    // No further debit is attempted on it.
    expect(await rejection(fund(user, bank.id, 1_200))).toMatchObject({ code: "ACCOUNT_UNUSABLE" });
    expect(await db.payment.count({ where: { userId: user.id } })).toBe(2);
  });
});

describe("a bank account Stripe blocked, as the sandbox blocks it", () => {
  it("after a return whose webhook never came, the next debit is refused by Stripe and the account asks for a new link", async () => {
    const { user, bank } = await linkedUser();
    const { payment } = await fund(user, bank.id);
    const { stripePaymentIntentId } = await db.payment.findUniqueOrThrow({ where: { id: payment.id } });
    // The bank returns it (R02): Stripe blocks the account; the app has not heard of it yet.
    await sandboxControl("stripe/fail", { payment_intent: stripePaymentIntentId, code: "account_closed" });
    expect(await db.bankAccount.findUniqueOrThrow({ where: { id: bank.id } })).toMatchObject({ status: "ACTIVE" });

    const refused = await rejection(fund(user, bank.id, 1_500));
    expect(refused).toMatchObject({ status: 422, code: "ACCOUNT_UNUSABLE" });
    const second = await db.payment.findFirstOrThrow({ where: { userId: user.id, amountCents: 1_500 } });
    // Stripe recorded the attempt as a failed PaymentIntent: the payment keeps its id.
    expect(second).toMatchObject({
      status: "FAILED",
      failureCode: "bank_account_unusable",
      stripePaymentIntentId: expect.stringMatching(/^pi_/),
    });
    expect(await db.bankAccount.findUniqueOrThrow({ where: { id: bank.id } })).toMatchObject({ status: "UNUSABLE" });

    // The webhooks then arrive (the return, the refused attempt): nothing is marked twice.
    const returned = await stripeEventFor("payment_intent.payment_failed", stripePaymentIntentId!);
    expect((await POST(stripeWebhookRequest(JSON.stringify(returned, null, 2)))).status).toBe(200);
    const attempt = await stripeEventFor("payment_intent.payment_failed", second.stripePaymentIntentId!);
    expect((await POST(stripeWebhookRequest(JSON.stringify(attempt, null, 2)))).status).toBe(200);
    expect(await db.payment.findUniqueOrThrow({ where: { id: payment.id } })).toMatchObject({ status: "FAILED", returnCode: "R02" });
    expect(await db.auditLog.count({ where: { action: "bank_account.unusable", targetId: bank.id } })).toBe(1);
    const view = (await getDashboardData(db, user))!;
    expect(view.bankAccounts.find((a) => a.id === bank.id)).toMatchObject({ status: "UNUSABLE" });
    // The failed transfers say why and what to do next.
    expect(view.payments.find((p) => p.id === payment.id)).toMatchObject({
      failureReason: "The bank account is closed.",
      nextStep: "Link your bank again to keep funding.",
    });
  });
});

describe("an ACH return for insufficient funds", () => {
  it("keeps the account usable: R01 on the payment, the authorization stands, the next debit goes ahead", async () => {
    const { user, bank } = await linkedUser();
    const { payment } = await fund(user, bank.id);
    await failDebit(payment.id, "insufficient_funds");
    expect(await db.payment.findUniqueOrThrow({ where: { id: payment.id } })).toMatchObject({
      status: "FAILED",
      failureCode: "insufficient_funds",
      returnCode: "R01",
    });
    expect(await db.bankAccount.findUniqueOrThrow({ where: { id: bank.id } })).toMatchObject({ status: "ACTIVE", unusableAt: null });
    expect(await db.mandateAcceptance.count({ where: { bankAccountId: bank.id, revokedAt: null } })).toBe(1);
    expect(await db.auditLog.count({ where: { action: "bank_account.unusable", targetId: bank.id } })).toBe(0);
    const view = (await getDashboardData(db, user))!.bankAccounts.find((a) => a.id === bank.id)!;
    expect(view).toMatchObject({ status: "ACTIVE", returned: null });
    expect((await fund(user, bank.id, 1_500)).payment.status).toBe("PROCESSING");
  });
});
