import "server-only";
import type { Db } from "@/lib/db";
import type { Payment } from "@/lib/generated/prisma/client";
import { logger } from "@/lib/log";
import { applyObservedStatus, type SubmissionResult } from "./ledger";
import { applyReturnToAccount } from "./returns";
import type { ObservedDebit } from "./stripe-debit";

type PaymentRef = Pick<Payment, "id" | "userId" | "bankAccountId" | "amountCents" | "currency">;

/**
 * The one step that brings a payment to what Stripe reports about its debit,
 * for webhooks, reconciliation and creation alike: check that the debit is
 * for the payment's amount and currency, then move the ledger's state
 * machine; a failure whose ACH return leaves the account unusable marks the
 * account (lib/funding/returns.ts). Null when they differ: a balance is never credited with an
 * amount the debit did not have (logged for an operator).
 */
export async function syncPayment(
  db: Db,
  payment: PaymentRef,
  debit: ObservedDebit,
  source: string,
  submission?: SubmissionResult,
): Promise<{ changed: boolean; status: Payment["status"] } | null> {
  if (debit.amountCents !== payment.amountCents || debit.currency.toLowerCase() !== payment.currency.toLowerCase()) {
    logger.error(
      { paymentId: payment.id, amount: debit.amountCents, currency: debit.currency, source },
      "Stripe debit does not match its payment; not applied",
    );
    return null;
  }
  const result = await applyObservedStatus(db, payment.id, debit.observed, source, submission);
  // A return that leaves the account unusable marks it, whether this report moved the payment or an earlier one did.
  if (result.status === "FAILED") await applyReturnToAccount(db, payment, debit.observed, source);
  return result;
}

/** A debit read from Stripe (webhooks): find its payment, then sync it. Returns the payment's id if its status moved. */
export async function syncDebit(db: Db, debit: ObservedDebit, source: string): Promise<string[]> {
  const payment = await paymentForDebit(db, debit);
  if (!payment) {
    logger.info({ paymentIntentId: debit.paymentIntentId, chargeId: debit.chargeId }, "no payment for this Stripe debit");
    return [];
  }
  const result = await syncPayment(db, payment, debit, source);
  return result?.changed ? [payment.id] : [];
}

/**
 * The payment a debit belongs to: by the PaymentIntent (or, for legacy
 * charges, the charge) id stored on it; else by metadata.payment_id when
 * the create call's answer was lost, and then the intent id is recorded.
 * Never a payment already linked to another debit.
 */
export async function paymentForDebit(db: Db, debit: ObservedDebit): Promise<Payment | null> {
  const linked = debit.paymentIntentId
    ? await db.payment.findUnique({ where: { stripePaymentIntentId: debit.paymentIntentId } })
    : debit.chargeId
      ? await db.payment.findFirst({ where: { stripeChargeId: debit.chargeId } })
      : null;
  if (linked || !debit.paymentId) return linked;

  const payment = await db.payment.findUnique({ where: { id: debit.paymentId } });
  if (!payment) return null;
  const otherDebit = debit.paymentIntentId
    ? payment.stripePaymentIntentId !== null && payment.stripePaymentIntentId !== debit.paymentIntentId
    : payment.stripePaymentIntentId !== null || (payment.stripeChargeId !== null && payment.stripeChargeId !== debit.chargeId);
  if (otherDebit) {
    logger.warn(
      { paymentId: payment.id, paymentIntentId: debit.paymentIntentId, chargeId: debit.chargeId },
      "Stripe debit names a payment linked to another debit",
    );
    return null;
  }
  if (debit.paymentIntentId && !payment.stripePaymentIntentId) {
    await db.payment.updateMany({
      where: { id: payment.id, stripePaymentIntentId: null },
      data: { stripePaymentIntentId: debit.paymentIntentId },
    });
  }
  return payment;
}
