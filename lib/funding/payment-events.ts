import "server-only";
import type Stripe from "stripe";
import type { Db } from "@/lib/db";
import { errorSummary, logger } from "@/lib/log";
import { recordChargeFees } from "./balance";
import { applyDispute } from "./disputes";
import { applyMandateUpdate } from "./mandates";
import { applyObservedRefund } from "./refunds";
import { readDebitOfCharge, readDebit, type ObservedDebit } from "./stripe-debit";
import { readRefund, readRefundsOfCharge } from "./stripe-refund";
import { paymentForDebit, syncDebit } from "./sync";

/**
 * What a verified Stripe event does to payments, refunds, disputes and
 * authorizations (lib/webhooks/stripe.ts stores it once, then dispatches
 * here). Payloads are not trusted for state: the debit, charge, refund,
 * dispute or mandate is read again from Stripe, so late or reordered events
 * apply the current state.
 */
export interface PaymentEventOutcome {
  handled: boolean;
  /** Payment, mandate or bank account ids this event changed. */
  changed: string[];
}

const INTENT_EVENTS = new Set([
  "payment_intent.processing",
  "payment_intent.succeeded",
  "payment_intent.payment_failed",
  "payment_intent.canceled",
]);
const CHARGE_EVENTS = new Set(["charge.pending", "charge.succeeded", "charge.failed"]);
const REFUND_EVENTS = new Set(["refund.created", "refund.updated", "refund.failed", "charge.refund.updated"]);
/** Every report about a dispute: the first reverses the balance, later ones bring its fee and status. */
const DISPUTE_EVENTS = new Set([
  "charge.dispute.created",
  "charge.dispute.updated",
  "charge.dispute.closed",
  "charge.dispute.funds_withdrawn",
]);

export async function applyStripeEvent(db: Db, stripe: Stripe, event: Stripe.Event): Promise<PaymentEventOutcome> {
  const source = `webhook:${event.id}`;
  if (INTENT_EVENTS.has(event.type)) {
    const intent = event.data.object as Stripe.PaymentIntent;
    return {
      handled: true,
      changed: await syncDebitAndFees(db, stripe, await readDebit(stripe, { paymentIntentId: intent.id, chargeId: null }), source),
    };
  }
  if (CHARGE_EVENTS.has(event.type)) {
    return {
      handled: true,
      changed: await syncDebitAndFees(db, stripe, await readDebitOfCharge(stripe, event.data.object as Stripe.Charge), source),
    };
  }
  if (DISPUTE_EVENTS.has(event.type)) {
    return { handled: true, changed: await applyDispute(db, stripe, (event.data.object as { id?: unknown }).id, source, event.id) };
  }
  if (REFUND_EVENTS.has(event.type)) {
    const refund = await readRefund(stripe, (event.data.object as { id?: unknown }).id);
    if (!refund) logger.warn({ eventId: event.id }, "refund event names a refund Stripe does not have; nothing applied");
    return { handled: true, changed: refund ? await applyObservedRefund(db, refund, source) : [] };
  }
  if (event.type === "charge.refunded") {
    const chargeId = (event.data.object as { id?: unknown }).id;
    if (typeof chargeId !== "string" || !/^(ch|py)_[A-Za-z0-9]{1,200}$/.test(chargeId)) return { handled: true, changed: [] };
    const changed: string[] = [];
    for (const refund of await readRefundsOfCharge(stripe, chargeId)) changed.push(...(await applyObservedRefund(db, refund, source)));
    return { handled: true, changed };
  }
  if (event.type === "mandate.updated") {
    return { handled: true, changed: await applyMandateUpdate(db, stripe, (event.data.object as Stripe.Mandate).id, source) };
  }
  logger.info({ eventId: event.id, type: event.type }, "stripe webhook type not handled");
  return { handled: false, changed: [] };
}

/**
 * Syncs the debit, then, once it succeeded, records Stripe's fee and net
 * from its balance transaction. A failure to read the fee does not fail the
 * event (the payment is already right): reconciliation records it later.
 */
async function syncDebitAndFees(db: Db, stripe: Stripe, debit: ObservedDebit, source: string): Promise<string[]> {
  const changed = await syncDebit(db, debit, source);
  if (debit.observed.status !== "SUCCEEDED") return changed;
  const payment = await paymentForDebit(db, debit);
  if (!payment || payment.status !== "SUCCEEDED" || payment.feeCents !== null) return changed;
  try {
    await recordChargeFees(db, stripe, payment);
  } catch (err) {
    logger.warn({ paymentId: payment.id, ...errorSummary(err) }, "fee of a succeeded debit not read; reconciliation will");
  }
  return changed;
}
