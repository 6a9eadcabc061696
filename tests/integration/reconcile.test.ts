import { afterAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/webhooks/stripe/route";
import { getDb } from "@/lib/db";
import { reconcilePayments, startReconcileSchedule } from "@/lib/funding/reconcile";
import { getStripe } from "@/lib/stripe/client";
import { testDb } from "../helpers/db";
import { linkBankAccount, sandbox, startDebit, stripeEventFor, stripeWebhookRequest } from "./webhooks-fixtures";

// Info logs of every processed webhook would drown the test output.
process.env.LOG_LEVEL ??= "warn";

const db = testDb();
afterAll(async () => {
  await db.$disconnect();
  await getDb().$disconnect();
});

const state = async (paymentId: string) => ({
  payment: await db.payment.findUniqueOrThrow({ where: { id: paymentId } }),
  credits: await db.ledgerEntry.count({ where: { paymentId } }),
});

describe("reconcilePayments", () => {
  it("settles a payment whose webhook was dropped, credits it once; a second run changes nothing; a late webhook neither", async () => {
    const linked = await linkBankAccount(db, { btok: "btok_us_verified" });
    const ok = await startDebit(db, linked, 6_100);
    const failedLink = await linkBankAccount(db, { btok: "btok_us_verified_insufficientFunds" });
    const failed = await startDebit(db, failedLink, 800);
    // Settled at Stripe; no webhook is delivered (the sandbox has no endpoint in tests).
    await sandbox("stripe/settle", { payment_intent: ok.intent.id });
    await sandbox("stripe/settle", { payment_intent: failed.intent.id });
    expect((await state(ok.paymentId)).payment.status).toBe("PENDING");

    // Scoped to this test's users: other files' payments run in parallel on the same database.
    const userIds = [linked.userId, failedLink.userId];
    // Not stale yet with the default threshold (10 minutes): not touched.
    expect((await reconcilePayments(db, { userIds })).checked).toBe(0);
    expect((await state(ok.paymentId)).payment.status).toBe("PENDING");
    // Ten minutes later they are.
    const later = await reconcilePayments(db, { userIds, now: new Date(Date.now() + 11 * 60_000), batchSize: 1 });
    expect(later).toMatchObject({ checked: 2, updated: 2, succeeded: 1, failed: 1, errors: 0 });

    const first = later;
    let s = await state(ok.paymentId);
    expect(s.payment.status).toBe("SUCCEEDED");
    expect(s.credits).toBe(1);
    const f = await state(failed.paymentId);
    expect(f.payment.status).toBe("FAILED");
    expect(f.payment.failureMessage).toBe("Insufficient funds in the bank account.");
    expect(f.credits).toBe(0);
    const audit = await db.auditLog.findFirstOrThrow({ where: { action: "payment.succeeded", targetId: ok.paymentId } });
    expect(audit.metadata).toMatchObject({ source: "reconcile" });

    const second = await reconcilePayments(db, { olderThanMinutes: 0, userIds });
    expect(second).toMatchObject({ checked: 0, updated: 0 });
    s = await state(ok.paymentId);
    expect(s.payment.status).toBe("SUCCEEDED");
    expect(s.credits).toBe(1);
    expect(first.checked).toBe(2);
    expect(await db.auditLog.count({ where: { targetId: { in: [ok.paymentId, failed.paymentId] } } })).toBe(2);

    // The webhook finally arrives: acknowledged, nothing doubled.
    const event = await stripeEventFor("payment_intent.succeeded", ok.intent.id);
    expect((await POST(stripeWebhookRequest(JSON.stringify(event)))).status).toBe(200);
    expect((await state(ok.paymentId)).credits).toBe(1);
  });

  it("moves a still-processing debit to PROCESSING only, and re-sends a payment whose create never got an answer", async () => {
    const linked = await linkBankAccount(db, { btok: "btok_us_verified" });
    const processing = await startDebit(db, linked, 1_100);
    // A payment row whose create call never got an answer (no intent id) and never reached Stripe.
    const unsubmitted = await db.payment.create({
      data: {
        userId: linked.userId,
        bankAccountId: linked.bankAccountId,
        amountCents: 999,
        requestId: `req-${Date.now()}`,
        idempotencyKey: `fund:${linked.userId}:${Date.now()}`,
      },
    });
    const report = await reconcilePayments(db, { olderThanMinutes: 0, batchSize: 1, userIds: [linked.userId] });
    expect(report).toMatchObject({ checked: 2, updated: 1, staleUnsubmitted: 1, errors: 0 });
    expect((await state(processing.paymentId)).payment.status).toBe("PROCESSING");
    const resent = (await state(unsubmitted.id)).payment;
    expect(resent.status).toBe("PROCESSING");
    const intent = await getStripe().paymentIntents.retrieve(resent.stripePaymentIntentId!);
    expect(intent).toMatchObject({ amount: 999, metadata: { payment_id: unsubmitted.id } });
    // Still processing at Stripe: the next run finds nothing new.
    expect(await reconcilePayments(db, { olderThanMinutes: 0, userIds: [linked.userId] })).toMatchObject({
      checked: 2,
      updated: 0,
      unchanged: 2,
      staleUnsubmitted: 0,
    });
  });

  it("adopts an intent Stripe created for a payment whose answer was lost, and cancels one too old to re-send", async () => {
    const linked = await linkBankAccount(db, { btok: "btok_us_verified" });
    const lost = await startDebit(db, linked, 1_300);
    // Forget the intent id, as if the create's response never arrived.
    await db.payment.update({ where: { id: lost.paymentId }, data: { stripePaymentIntentId: null, status: "PENDING" } });
    const old = await db.payment.create({
      data: {
        userId: linked.userId,
        bankAccountId: linked.bankAccountId,
        amountCents: 777,
        requestId: `old-${Date.now()}`,
        idempotencyKey: `fund:${linked.userId}:old-${Date.now()}`,
        createdAt: new Date(Date.now() - 25 * 3600_000),
      },
    });
    await reconcilePayments(db, { olderThanMinutes: 0, userIds: [linked.userId] });
    const adopted = (await state(lost.paymentId)).payment;
    expect(adopted.stripePaymentIntentId).toBe(lost.intent.id);
    expect(adopted.status).toBe("PROCESSING");
    const { stripeCustomerId } = await db.user.findUniqueOrThrow({ where: { id: linked.userId } });
    expect(
      (await getStripe().paymentIntents.list({ customer: stripeCustomerId!, limit: 100 })).data.filter((i) => i.amount === 1_300),
    ).toHaveLength(1);
    const canceled = (await state(old.id)).payment;
    expect(canceled).toMatchObject({ status: "CANCELED", stripePaymentIntentId: null });
  });

  it("keeps going when Stripe does not know an intent, and never credits a mismatched amount", async () => {
    const linked = await linkBankAccount(db, { btok: "btok_us_verified" });
    const missing = await db.payment.create({
      data: {
        userId: linked.userId,
        bankAccountId: linked.bankAccountId,
        amountCents: 100,
        requestId: `req-missing-${Date.now()}`,
        idempotencyKey: `fund:missing:${Date.now()}`,
        stripePaymentIntentId: `pi_doesnotexist${Date.now()}`,
      },
    });
    const debit = await startDebit(db, linked, 2_000);
    await sandbox("stripe/settle", { payment_intent: debit.intent.id });
    await db.payment.update({ where: { id: debit.paymentId }, data: { amountCents: 20_000 } });
    const report = await reconcilePayments(db, { olderThanMinutes: 0, userIds: [linked.userId] });
    expect(report).toMatchObject({ checked: 2, missingAtStripe: 1, errors: 1, updated: 0 });
    expect((await state(missing.id)).payment.status).toBe("PENDING");
    const s = await state(debit.paymentId);
    expect(s.payment.status).toBe("PENDING");
    expect(s.credits).toBe(0);
  });

  it("reconciles legacy charges (no PaymentIntent) too", async () => {
    const linked = await linkBankAccount(db, { btok: "btok_us_verified" });
    const requestId = `legacy-${Date.now()}`;
    const payment = await db.payment.create({
      data: {
        userId: linked.userId,
        bankAccountId: linked.bankAccountId,
        amountCents: 4_000,
        requestId,
        idempotencyKey: `fund:${linked.userId}:${requestId}`,
      },
    });
    const charge = await getStripe().charges.create({
      amount: 4_000,
      currency: "usd",
      customer: linked.customerId,
      source: linked.stripeBankAccountId,
      metadata: { payment_id: payment.id },
    });
    await db.payment.update({ where: { id: payment.id }, data: { stripeChargeId: charge.id } });
    expect(await reconcilePayments(db, { olderThanMinutes: 0, userIds: [linked.userId] })).toMatchObject({ checked: 1, updated: 1 });
    expect((await state(payment.id)).payment.status).toBe("PROCESSING");
    await sandbox("stripe/settle", { charge: charge.id });
    expect(await reconcilePayments(db, { olderThanMinutes: 0, userIds: [linked.userId] })).toMatchObject({ checked: 1, succeeded: 1 });
    expect(await state(payment.id)).toMatchObject({ payment: { status: "SUCCEEDED" }, credits: 1 });
  });

  it("runs on the configured interval (0 disables) and does not start during next build", () => {
    expect(startReconcileSchedule(0)).toBeNull();
    expect(startReconcileSchedule(3_600_000, "phase-production-build")).toBeNull();
    const stop = startReconcileSchedule(3_600_000);
    expect(stop).toBeTypeOf("function");
    stop!();
  });
});
