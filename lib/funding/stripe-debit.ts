import "server-only";
import type Stripe from "stripe";
import { isStripeRefusal, stripeErrorCode } from "@/lib/stripe/errors";
import type { ObservedStatus } from "./ledger";
import { achReturnOf } from "./ach-returns";

/**
 * The Stripe side of an ACH debit: the only module that calls Stripe's
 * PaymentIntents or Charges APIs. It sends a debit, reads one back, and finds
 * one by the payment id in its metadata, always answering with an
 * ObservedDebit; whether the account uses PaymentIntents (the default) or
 * legacy Charges (STRIPE_USE_CHARGES) stays in here.
 */

/** A debit as Stripe reports it, in the ledger's terms. */
export interface ObservedDebit {
  paymentIntentId: string | null;
  chargeId: string | null;
  amountCents: number;
  currency: string;
  observed: ObservedStatus;
  /** The Stripe mandate the debit's charge carries, if known. */
  mandateId: string | null;
  /** metadata.payment_id: the payment it was sent for (set by sendDebit). */
  paymentId: string | null;
}

/** What the debit needs from the written-down payment. */
export interface DebitRequest {
  paymentId: string;
  userId: string;
  amountCents: number;
  currency: string;
  idempotencyKey: string;
  customer: string;
  /** The `ba_` bank account (a source, or a payment method for PaymentIntents). */
  source: string;
  /** Either Stripe's mandate from an earlier debit, or the acceptance to present with this one. */
  mandate: { stripeMandateId: string } | { customerAcceptance: Stripe.PaymentIntentCreateParams.MandateData.CustomerAcceptance };
}

/** "refused": Stripe declined it; `paymentIntentId` when Stripe recorded the failed attempt as a PaymentIntent (its error carries it). */
export type SendResult = { outcome: "sent"; debit: ObservedDebit } | { outcome: "refused"; code: string; paymentIntentId?: string };

const DESCRIPTION = "Fundwell balance funding";

/**
 * Sends the debit (or re-sends it: same idempotency key, same parameters, so
 * Stripe answers with the same object). "refused" when Stripe answered and
 * declined it; any other failure is thrown: the outcome is unknown.
 */
export async function sendDebit(stripe: Stripe, debit: DebitRequest, options: { useCharges: boolean }): Promise<SendResult> {
  const metadata = { payment_id: debit.paymentId, user_id: debit.userId };
  try {
    if (options.useCharges) {
      const charge = await stripe.charges.create(
        {
          amount: debit.amountCents,
          currency: debit.currency,
          customer: debit.customer,
          source: debit.source,
          metadata,
          description: DESCRIPTION,
        },
        { idempotencyKey: debit.idempotencyKey },
      );
      return { outcome: "sent", debit: fromCharge(charge) };
    }
    const intent = await stripe.paymentIntents.create(
      {
        amount: debit.amountCents,
        currency: debit.currency,
        customer: debit.customer,
        payment_method: debit.source,
        allowed_payment_method_types: ["us_bank_account"],
        confirm: true,
        metadata,
        description: DESCRIPTION,
        // The charge carries the mandate id (payment_method_details.us_bank_account.mandate).
        expand: ["latest_charge"],
        ...("stripeMandateId" in debit.mandate
          ? { mandate: debit.mandate.stripeMandateId }
          : { mandate_data: { customer_acceptance: debit.mandate.customerAcceptance } }),
      },
      { idempotencyKey: debit.idempotencyKey },
    );
    return { outcome: "sent", debit: fromIntent(intent) };
  } catch (err) {
    if (isStripeRefusal(err)) {
      const intentId = idOf(err.payment_intent as { id: string } | undefined);
      return { outcome: "refused", code: err.code ?? "rejected", ...(intentId ? { paymentIntentId: intentId } : {}) };
    }
    throw err;
  }
}

/** Reads a debit back by the id stored on its payment (the intent when there is one). */
export async function readDebit(stripe: Stripe, ids: { paymentIntentId: string | null; chargeId: string | null }): Promise<ObservedDebit> {
  if (ids.paymentIntentId) return fromIntent(await stripe.paymentIntents.retrieve(ids.paymentIntentId));
  if (ids.chargeId) return fromCharge(await stripe.charges.retrieve(ids.chargeId));
  throw new Error("a debit needs a PaymentIntent or a charge id");
}

/** The debit a charge belongs to, read afresh: its PaymentIntent when it has one (the source of truth), else the charge. */
export async function readDebitOfCharge(stripe: Stripe, charge: Pick<Stripe.Charge, "id" | "payment_intent">): Promise<ObservedDebit> {
  const intentId = idOf(charge.payment_intent);
  return intentId
    ? readDebit(stripe, { paymentIntentId: intentId, chargeId: null })
    : readDebit(stripe, { paymentIntentId: null, chargeId: charge.id });
}

/** The charge itself, read afresh (a dispute is about the charge, whatever its intent says). */
export async function readCharge(stripe: Stripe, chargeId: string): Promise<ObservedDebit> {
  return fromCharge(await stripe.charges.retrieve(chargeId));
}

/** Stripe's dispute ids: anything else is not looked up (and never put into a request path). */
const DISPUTE_ID = /^(dp|du)_[A-Za-z0-9]{1,200}$/;

/**
 * A dispute as Stripe has it now, or null when Stripe has no such dispute
 * (404 `resource_missing`, or an id that is not a dispute id). Any other
 * failure is thrown: a transient one means the event is delivered again.
 */
export async function readDispute(stripe: Stripe, disputeId: unknown): Promise<Stripe.Dispute | null> {
  if (typeof disputeId !== "string" || !DISPUTE_ID.test(disputeId)) return null;
  try {
    return await stripe.disputes.retrieve(disputeId);
  } catch (err) {
    if (stripeErrorCode(err) === "resource_missing") return null;
    throw err;
  }
}

/** The disputes created at or after `since` (reconciliation): each one's id and the debit it is about. */
export async function listDisputesSince(
  stripe: Stripe,
  since: Date,
): Promise<{ id: string; chargeId: string; paymentIntentId: string | null }[]> {
  const disputes: { id: string; chargeId: string; paymentIntentId: string | null }[] = [];
  for await (const dispute of stripe.disputes.list({ created: { gte: Math.floor(since.getTime() / 1000) }, limit: 100 }))
    disputes.push({ id: dispute.id, chargeId: idOf(dispute.charge)!, paymentIntentId: idOf(dispute.payment_intent) });
  return disputes;
}

/** The debit Stripe has for a payment whose create call never got an answer, found by metadata.payment_id among the customer's recent ones. */
export async function findDebitForPayment(
  stripe: Stripe,
  lookup: { customer: string; paymentId: string; useCharges: boolean },
): Promise<ObservedDebit | null> {
  const list = lookup.useCharges
    ? stripe.charges.list({ customer: lookup.customer, limit: 100 })
    : stripe.paymentIntents.list({ customer: lookup.customer, limit: 100 });
  for await (const object of list) {
    if (object.metadata?.payment_id !== lookup.paymentId) continue;
    return object.object === "charge" ? fromCharge(object) : fromIntent(object);
  }
  return null;
}

function fromIntent(intent: Stripe.PaymentIntent): ObservedDebit {
  const charge = typeof intent.latest_charge === "object" ? intent.latest_charge : null;
  return {
    paymentIntentId: intent.id,
    chargeId: idOf(intent.latest_charge),
    amountCents: intent.amount,
    currency: intent.currency,
    observed: observeIntent(intent),
    mandateId: charge ? mandateOfCharge(charge) : null,
    paymentId: intent.metadata?.payment_id ?? null,
  };
}

function fromCharge(charge: Stripe.Charge): ObservedDebit {
  return {
    paymentIntentId: idOf(charge.payment_intent),
    chargeId: charge.id,
    amountCents: charge.amount,
    currency: charge.currency,
    observed: observeCharge(charge),
    mandateId: mandateOfCharge(charge),
    paymentId: charge.metadata?.payment_id ?? null,
  };
}

function idOf(ref: string | { id: string } | null | undefined): string | null {
  return typeof ref === "string" ? ref : (ref?.id ?? null);
}

function mandateOfCharge(charge: Stripe.Charge): string | null {
  return idOf(charge.payment_method_details?.us_bank_account?.mandate);
}

/** What a PaymentIntent says about the debit. */
export function observeIntent(intent: Pick<Stripe.PaymentIntent, "status" | "latest_charge" | "last_payment_error">): ObservedStatus {
  const chargeId = idOf(intent.latest_charge);
  switch (intent.status) {
    case "processing":
      return { status: "PROCESSING", chargeId };
    case "succeeded":
      return { status: "SUCCEEDED", chargeId };
    case "canceled":
      return { status: "CANCELED", chargeId };
    case "requires_payment_method": {
      // After a confirm, this status with an error means the ACH debit failed.
      const error = intent.last_payment_error;
      if (!error) return { status: "PENDING", chargeId };
      return { ...failed(error.code ?? error.decline_code, error.network_decline_code, error.message), chargeId };
    }
    default:
      return { status: "PENDING", chargeId };
  }
}

/** What a Charge says about the debit. */
export function observeCharge(
  charge: Pick<Stripe.Charge, "id" | "status" | "failure_code" | "failure_message"> & {
    outcome?: Pick<Stripe.Charge.Outcome, "network_decline_code"> | null;
  },
): ObservedStatus {
  if (charge.status === "succeeded") return { status: "SUCCEEDED", chargeId: charge.id };
  if (charge.status === "failed") {
    return { ...failed(charge.failure_code, charge.outcome?.network_decline_code, charge.failure_message), chargeId: charge.id };
  }
  return { status: "PROCESSING", chargeId: charge.id };
}

/**
 * A failed debit in the ledger's terms: Stripe's code (or "payment_failed"
 * when it gave none), the ACH return code and the person's words, all from
 * the one mapping (lib/funding/ach-returns.ts).
 */
function failed(code: string | null | undefined, networkDeclineCode: string | null | undefined, message: string | null | undefined) {
  const ach = achReturnOf({ failureCode: code, networkDeclineCode, fallbackMessage: message });
  return {
    status: "FAILED" as const,
    failureCode: ach.failureCode ?? "payment_failed",
    returnCode: ach.returnCode,
    failureMessage: ach.reason,
  };
}
