import "server-only";
import type Stripe from "stripe";
import type { RefundStatus } from "@/lib/generated/prisma/enums";
import { isStripeRefusal, stripeErrorCode } from "@/lib/stripe/errors";

/**
 * The Stripe side of a refund: the only module that calls Stripe's Refunds
 * API. It sends a refund, reads one back and lists them, always answering
 * with an ObservedRefund in the app's terms.
 */

export interface ObservedRefund {
  stripeRefundId: string;
  status: RefundStatus;
  amountCents: number;
  currency: string;
  chargeId: string | null;
  paymentIntentId: string | null;
  /** metadata.refund_id: the refund row it was sent for (set by sendRefund); null for one made at Stripe directly. */
  refundId: string | null;
  failureReason: string | null;
}

export interface RefundRequest {
  refundId: string;
  paymentId: string;
  amountCents: number;
  idempotencyKey: string;
  /** The debit: its PaymentIntent when it has one, else the (legacy) charge. */
  paymentIntentId: string | null;
  chargeId: string | null;
}

export type RefundSendResult = { outcome: "sent"; refund: ObservedRefund } | { outcome: "refused"; code: string; message: string };

/**
 * Sends the refund (or re-sends it: same idempotency key and parameters, so
 * Stripe answers with the same refund). "refused" when Stripe answered and
 * declined it; any other failure is thrown: the outcome is unknown.
 */
export async function sendRefund(stripe: Stripe, request: RefundRequest): Promise<RefundSendResult> {
  try {
    const refund = await stripe.refunds.create(
      {
        ...(request.paymentIntentId ? { payment_intent: request.paymentIntentId } : { charge: request.chargeId! }),
        amount: request.amountCents,
        metadata: { refund_id: request.refundId, payment_id: request.paymentId },
      },
      { idempotencyKey: request.idempotencyKey },
    );
    return { outcome: "sent", refund: observeRefund(refund) };
  } catch (err) {
    if (isStripeRefusal(err)) return { outcome: "refused", code: err.code ?? "rejected", message: err.message };
    throw err;
  }
}

/** Stripe's refund ids (re_ for charges, pyr_ for some payment methods): anything else is not looked up. */
const REFUND_ID = /^(re|pyr)_[A-Za-z0-9]{1,200}$/;

/** A refund as Stripe has it now, or null when Stripe has no such refund (or the id is not a refund id). */
export async function readRefund(stripe: Stripe, refundId: unknown): Promise<ObservedRefund | null> {
  if (typeof refundId !== "string" || !REFUND_ID.test(refundId)) return null;
  try {
    return observeRefund(await stripe.refunds.retrieve(refundId));
  } catch (err) {
    if (stripeErrorCode(err) === "resource_missing") return null;
    throw err;
  }
}

/** Every refund of a charge (or, without one, of a PaymentIntent), read afresh (charge.refunded carries the charge, not the refund). */
export async function readRefundsOfCharge(
  stripe: Stripe,
  chargeId: string | null,
  paymentIntentId: string | null = null,
): Promise<ObservedRefund[]> {
  const refunds: ObservedRefund[] = [];
  const filter = chargeId ? { charge: chargeId } : paymentIntentId ? { payment_intent: paymentIntentId } : null;
  if (!filter) return refunds;
  for await (const refund of stripe.refunds.list({ ...filter, limit: 100 })) refunds.push(observeRefund(refund));
  return refunds;
}

/** Refunds created at or after `since` (reconciliation), oldest pages last. */
export async function listRefundsSince(stripe: Stripe, since: Date): Promise<ObservedRefund[]> {
  const refunds: ObservedRefund[] = [];
  for await (const refund of stripe.refunds.list({ created: { gte: Math.floor(since.getTime() / 1000) }, limit: 100 }))
    refunds.push(observeRefund(refund));
  return refunds;
}

/** Stripe's refund status in the app's terms (requires_action waits like pending). */
function statusOf(status: string | null): RefundStatus {
  switch (status) {
    case "succeeded":
      return "SUCCEEDED";
    case "failed":
      return "FAILED";
    case "canceled":
      return "CANCELED";
    default:
      return "PENDING";
  }
}

function idOf(ref: string | { id: string } | null | undefined): string | null {
  return typeof ref === "string" ? ref : (ref?.id ?? null);
}

function observeRefund(refund: Stripe.Refund): ObservedRefund {
  return {
    stripeRefundId: refund.id,
    status: statusOf(refund.status),
    amountCents: refund.amount,
    currency: refund.currency,
    chargeId: idOf(refund.charge),
    paymentIntentId: idOf(refund.payment_intent),
    refundId: refund.metadata?.refund_id ?? null,
    failureReason: refund.failure_reason ?? null,
  };
}
