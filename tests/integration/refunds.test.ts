import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { POST as webhook } from "@/app/api/webhooks/stripe/route";
import { bankingDeps } from "@/lib/banking/deps";
import { linkBankAccount } from "@/lib/banking/link-account";
import { getDb } from "@/lib/db";
import { createFundingPayment } from "@/lib/funding/create-payment";
import { getDashboardData } from "@/lib/funding/dashboard";
import { MANDATE_TEXT_VERSION } from "@/lib/funding/mandate-text";
import { refundPayment } from "@/lib/funding/refunds";
import { reconcileRefundsAndDisputes } from "@/lib/funding/reconcile-lists";
import { getAdminPaymentDetail } from "@/lib/admin/payments";
import { getAdminOverview } from "@/lib/admin/overview";
import { getStripe } from "@/lib/stripe/client";
import { rejection } from "../helpers/app-error";
import { signedIn, testDb, uniqueEmail } from "../helpers/db";
import { isolatedDb, randomAccountNumber } from "../helpers/admin-support";
import { customUserPassword, linkResult, sandboxControl } from "../helpers/sandbox";
import { stripeEventFor, stripeWebhookRequest } from "./webhooks-fixtures";

/**
 * Refunds from the admin console, disputes and Stripe's fees, against the
 * sandbox's Stripe: a refund is written down before Stripe is called, holds
 * its amount while pending, reverses the ledger once when it succeeds, and
 * a failed one undoes nothing; reconciliation finds refunds and disputes
 * whose webhook never arrived.
 */

process.env.LOG_LEVEL ??= "warn";
const db = testDb();
afterAll(async () => {
  await db.$disconnect();
  await getDb().$disconnect();
});
const LIMITS = { minCents: 100, maxCents: 50_000, dailyMaxCents: 60_000, thirtyDayMaxCents: 100_000 };
const deps = () => ({ db, stripe: getStripe() });
const accepted = { accepted: true as const, textVersion: MANDATE_TEXT_VERSION };

async function admin() {
  return db.user.create({ data: { email: uniqueEmail("refund-admin"), role: "ADMIN", emailVerified: new Date() } });
}

async function deliver(type: string, objectId: string) {
  const event = await stripeEventFor(type, objectId);
  const res = await webhook(stripeWebhookRequest(JSON.stringify(event, null, 2)));
  expect(res.status).toBe(200);
}

/** A user with a succeeded, credited payment of `amountCents` (its success webhook delivered). */
async function succeededPayment(amountCents = 2_000) {
  const { accountNumber, mask } = randomAccountNumber();
  const user = await signedIn(
    db,
    await db.user.create({ data: { email: uniqueEmail("refunds"), name: "Re Fund", emailVerified: new Date() } }),
  );
  const link = await linkResult({
    institutionId: "ins_109509",
    username: "user_custom",
    password: customUserPassword({ accountNumber, mask }),
  });
  const bank = await linkBankAccount(bankingDeps(), user, link.input("Custom Checking"));
  const { payment } = await createFundingPayment(
    { ...bankingDeps(), db, limits: LIMITS },
    user,
    { requestId: randomUUID(), bankAccountId: bank.id, amountCents, mandate: accepted },
    { ip: "198.51.100.30", userAgent: "vitest" },
  );
  const { stripePaymentIntentId } = await db.payment.findUniqueOrThrow({ where: { id: payment.id } });
  await sandboxControl("stripe/succeed", { payment_intent: stripePaymentIntentId });
  await deliver("payment_intent.succeeded", stripePaymentIntentId!);
  const row = await db.payment.findUniqueOrThrow({ where: { id: payment.id } });
  expect(row.status).toBe("SUCCEEDED");
  return { user, payment: row };
}

const available = async (user: Awaited<ReturnType<typeof succeededPayment>>["user"]) =>
  (await getDashboardData(db, user))!.balances.availableCents;
const ledgerKinds = async (paymentId: string) =>
  (await db.ledgerEntry.findMany({ where: { paymentId }, orderBy: { createdAt: "asc" } })).map((e) => [e.kind, e.amountCents]);

describe("fees from balance transactions", () => {
  it("a succeeded debit records Stripe's fee and net, shown to the admin", async () => {
    const { payment } = await succeededPayment(2_000);
    // Stripe's ACH pricing in the sandbox: 0.8%.
    expect(payment).toMatchObject({ feeCents: 16, netCents: 1_984 });
    expect((await getAdminPaymentDetail(db, payment.id)).payment).toMatchObject({ feeCents: 16, netCents: 1_984 });
  });
});

describe("the admin overview's totals from balance transactions", () => {
  it("sums Stripe's fees (dispute fees included), the net of succeeded debits and what was refunded", async () => {
    // A database of its own: the totals are over every payment.
    const own = await isolatedDb();
    try {
      const user = await own.db.user.create({ data: { email: uniqueEmail("totals") } });
      const item = await own.db.plaidItem.create({
        data: { id: randomUUID(), userId: user.id, plaidItemId: randomUUID(), accessTokenCiphertext: "sealed", status: "ACTIVE" },
      });
      const bank = await own.db.bankAccount.create({
        data: { userId: user.id, itemId: item.id, plaidAccountId: "acc", name: "Checking", type: "depository", status: "ACTIVE" },
      });
      const payment = (amountCents: number, data: Record<string, unknown>) =>
        own.db.payment.create({
          data: { userId: user.id, bankAccountId: bank.id, amountCents, requestId: randomUUID(), idempotencyKey: randomUUID(), ...data },
        });
      await payment(10_000, { status: "SUCCEEDED", feeCents: 80, netCents: 9_920 });
      const disputed = await payment(5_000, {
        status: "SUCCEEDED",
        feeCents: 40,
        netCents: 4_960,
        disputedAt: new Date(),
        disputeFeeCents: 1_500,
      });
      await payment(2_000, { status: "SUCCEEDED" });
      await payment(3_000, { status: "FAILED" });
      await own.db.refund.create({
        data: { paymentId: disputed.id, userId: user.id, amountCents: 5_000, status: "SUCCEEDED", idempotencyKey: randomUUID() },
      });
      expect((await getAdminOverview(own.db)).stripeMoney).toEqual({
        feesCents: 80 + 40 + 1_500,
        disputeFeesCents: 1_500,
        netCents: 9_920 + 4_960,
        withoutFee: 1,
        refundedCents: 5_000,
      });
    } finally {
      await own.close();
    }
  });
});

describe("a refund from the admin console", () => {
  it("is written before Stripe, held while pending, reverses the ledger once when it succeeds", async () => {
    const { user, payment } = await succeededPayment(2_500);
    const actor = await admin();
    expect(await available(user)).toBe(2_500);

    const result = await refundPayment(deps(), { id: actor.id, ip: "203.0.113.9" }, payment.id, "Customer asked on the phone");
    expect(result.status).toBe("PENDING");
    const refund = await db.refund.findUniqueOrThrow({ where: { id: result.refundId } });
    expect(refund).toMatchObject({ status: "PENDING", amountCents: 2_500, reason: "Customer asked on the phone", createdById: actor.id });
    expect(refund.stripeRefundId).toMatch(/^(re|pyr)_/);
    expect(refund.idempotencyKey).toBe(`refund:${refund.id}`);
    expect(await db.auditLog.findFirst({ where: { action: "admin.payment.refund", targetId: payment.id } })).toMatchObject({
      actorId: actor.id,
      ip: "203.0.113.9",
      metadata: { refundId: refund.id, reason: "Customer asked on the phone" },
    });
    // Pending: the ledger is not reversed yet, but the amount is held, and the user sees it.
    expect(await ledgerKinds(payment.id)).toEqual([["CREDIT", 2_500]]);
    expect(await available(user)).toBe(0);
    expect((await getDashboardData(db, user))!.payments.find((p) => p.id === payment.id)).toMatchObject({ refund: "pending" });
    // A second refund while one is on its way: refused, nothing sent.
    expect(await rejection(refundPayment(deps(), { id: actor.id }, payment.id, "again"))).toMatchObject({
      status: 409,
      code: "NOT_REFUNDABLE",
    });
    expect((await getStripe().refunds.list({ charge: payment.stripeChargeId!, limit: 10 })).data).toHaveLength(1);

    await sandboxControl("stripe/settle_refund", { refund: refund.stripeRefundId });
    await deliver("refund.updated", refund.stripeRefundId!);
    expect(await db.refund.findUniqueOrThrow({ where: { id: refund.id } })).toMatchObject({
      status: "SUCCEEDED",
      settledAt: expect.any(Date),
    });
    expect(await ledgerKinds(payment.id)).toEqual([
      ["CREDIT", 2_500],
      ["REFUND_REVERSAL", -2_500],
    ]);
    expect(await available(user)).toBe(0);
    expect((await getDashboardData(db, user))!.payments.find((p) => p.id === payment.id)).toMatchObject({ refund: "refunded" });

    // Reported again (the same event, the charge's event, reconciliation): nothing more.
    await deliver("refund.updated", refund.stripeRefundId!);
    await deliver("charge.refunded", payment.stripeChargeId!);
    await reconcileRefundsAndDisputes(db, { olderThanMinutes: 0, userIds: [user.id] });
    expect(await ledgerKinds(payment.id)).toHaveLength(2);
    expect(await db.auditLog.count({ where: { action: "payment.refund_succeeded", targetId: payment.id } })).toBe(1);
    const detail = await getAdminPaymentDetail(db, payment.id);
    expect(detail.payment).toMatchObject({ refundable: false, refundReversed: true });
    expect(detail.refunds).toEqual([expect.objectContaining({ status: "SUCCEEDED", createdByEmail: actor.email })]);
    // Already refunded: refused.
    expect(await rejection(refundPayment(deps(), { id: actor.id }, payment.id, "again"))).toMatchObject({ code: "NOT_REFUNDABLE" });
  });

  it("a refund that fails undoes nothing, once; the payment can be refunded again", async () => {
    const { user, payment } = await succeededPayment(1_800);
    const actor = await admin();
    const { refundId } = await refundPayment(deps(), { id: actor.id }, payment.id, "Duplicate funding");
    const { stripeRefundId } = await db.refund.findUniqueOrThrow({ where: { id: refundId } });
    await sandboxControl("stripe/fail_refund", { refund: stripeRefundId, failure_reason: "insufficient_funds" });
    await deliver("refund.failed", stripeRefundId!);
    await deliver("refund.failed", stripeRefundId!);
    await deliver("refund.updated", stripeRefundId!);
    expect(await db.refund.findUniqueOrThrow({ where: { id: refundId } })).toMatchObject({
      status: "FAILED",
      failureReason: "insufficient_funds",
    });
    expect(await ledgerKinds(payment.id)).toEqual([["CREDIT", 1_800]]);
    expect(await available(user)).toBe(1_800);
    expect(await db.auditLog.count({ where: { action: "payment.refund_failed", targetId: payment.id } })).toBe(1);
    expect((await getDashboardData(db, user))!.payments.find((p) => p.id === payment.id)).toMatchObject({ refund: null });

    const again = await refundPayment(deps(), { id: actor.id }, payment.id, "Second try");
    expect(again.status).toBe("PENDING");
    expect(await available(user)).toBe(0);
  });

  it("two admins refunding at once make one refund", async () => {
    const { payment } = await succeededPayment(1_200);
    const [a, b] = [await admin(), await admin()];
    const results = await Promise.allSettled([
      refundPayment(deps(), { id: a.id }, payment.id, "a"),
      refundPayment(deps(), { id: b.id }, payment.id, "b"),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await db.refund.count({ where: { paymentId: payment.id } })).toBe(1);
    expect((await getStripe().refunds.list({ charge: payment.stripeChargeId!, limit: 10 })).data).toHaveLength(1);
  });

  it("only a succeeded, credited, undisputed payment can be refunded", async () => {
    const actor = await admin();
    const { payment } = await succeededPayment(1_000);
    await sandboxControl("stripe/dispute", { payment_intent: payment.stripePaymentIntentId });
    await deliver(
      "charge.dispute.created",
      (await getStripe().disputes.list({ limit: 100 })).data.find((d) => d.charge === payment.stripeChargeId)!.id,
    );
    expect(await rejection(refundPayment(deps(), { id: actor.id }, payment.id, "x"))).toMatchObject({
      status: 409,
      code: "NOT_REFUNDABLE",
    });
    expect(await rejection(refundPayment(deps(), { id: actor.id }, "no-such-payment", "x"))).toMatchObject({ status: 404 });
  });

  it("an unknown outcome leaves it REQUESTED; reconciliation sends it again with the same key: one refund at Stripe", async () => {
    const { user, payment } = await succeededPayment(1_500);
    const actor = await admin();
    // Every try of the create call (the SDK retries twice) gets a 500: the outcome is unknown to the app.
    await sandboxControl("faults/add", { rules: [{ route: "/v1/refunds", status: 500, times: 3 }] });
    expect(await rejection(refundPayment(deps(), { id: actor.id }, payment.id, "Lost answer"))).toMatchObject({
      code: "UPSTREAM_UNAVAILABLE",
    });
    const refund = await db.refund.findFirstOrThrow({ where: { paymentId: payment.id } });
    expect(refund).toMatchObject({ status: "REQUESTED", stripeRefundId: null });
    expect(await available(user)).toBe(0);

    const report = await reconcileRefundsAndDisputes(db, { olderThanMinutes: 0, userIds: [user.id] });
    expect(report.refundsChecked).toBeGreaterThanOrEqual(1);
    expect(await db.refund.findUniqueOrThrow({ where: { id: refund.id } })).toMatchObject({ status: "PENDING" });
    expect((await getStripe().refunds.list({ charge: payment.stripeChargeId!, limit: 10 })).data).toHaveLength(1);
  });
});

describe("reconciliation finds what no webhook brought", () => {
  it("a refund made at Stripe directly, and its success, are adopted and reversed once", async () => {
    const { user, payment } = await succeededPayment(1_300);
    const made = await getStripe().refunds.create({ payment_intent: payment.stripePaymentIntentId! });
    await reconcileRefundsAndDisputes(db, { olderThanMinutes: 0, userIds: [user.id] });
    expect(await db.refund.findUniqueOrThrow({ where: { stripeRefundId: made.id } })).toMatchObject({ status: "PENDING", reason: null });
    expect(await available(user)).toBe(0);
    await sandboxControl("stripe/settle_refund", { refund: made.id });
    await reconcileRefundsAndDisputes(db, { olderThanMinutes: 0, userIds: [user.id] });
    await reconcileRefundsAndDisputes(db, { olderThanMinutes: 0, userIds: [user.id] });
    expect(await ledgerKinds(payment.id)).toEqual([
      ["CREDIT", 1_300],
      ["REFUND_REVERSAL", -1_300],
    ]);
  });

  it("a dispute whose webhook never arrived reverses the balance, with its reason, date and fee for the admin", async () => {
    const { user, payment } = await succeededPayment(2_200);
    await sandboxControl("stripe/dispute", { payment_intent: payment.stripePaymentIntentId });
    const report = await reconcileRefundsAndDisputes(db, { olderThanMinutes: 0, userIds: [user.id] });
    expect(report.disputesListed).toBe(1);
    const row = await db.payment.findUniqueOrThrow({ where: { id: payment.id } });
    expect(row).toMatchObject({ disputedAt: expect.any(Date), disputeFeeCents: 1_500 });
    expect(row.stripeDisputeId).toMatch(/^(dp|du)_/);
    expect(row.disputeReason).toBeTruthy();
    expect(await ledgerKinds(payment.id)).toEqual([
      ["CREDIT", 2_200],
      ["DISPUTE_REVERSAL", -2_200],
    ]);
    expect((await getAdminPaymentDetail(db, payment.id)).payment.dispute).toMatchObject({ feeCents: 1_500, reason: row.disputeReason });
    // The webhook arriving after all changes nothing more.
    await deliver("charge.dispute.created", row.stripeDisputeId!);
    expect(await ledgerKinds(payment.id)).toHaveLength(2);
  });
});
