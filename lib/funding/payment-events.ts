import "server-only";
import type Stripe from "stripe";
import type { Db } from "@/lib/db";
import { logger } from "@/lib/log";
import { applyDisputeReversal } from "./ledger";
import { applyMandateUpdate, revokeMandates } from "./mandates";
import { readCharge, readDebitOfCharge, readDebit } from "./stripe-debit";
import { paymentForDebit, syncDebit, syncPayment } from "./sync";

/**
 * What a verified Stripe event does to payments and authorizations
 * (lib/webhooks/stripe.ts stores it once, then dispatches here). Payloads
 * are not trusted for state: the debit, charge or mandate is read again from
 * Stripe, so late or reordered events apply the current state.
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

export async function applyStripeEvent(db: Db, stripe: Stripe, event: Stripe.Event): Promise<PaymentEventOutcome> {
  const source = `webhook:${event.id}`;
  if (INTENT_EVENTS.has(event.type)) {
    const intent = event.data.object as Stripe.PaymentIntent;
    return { handled: true, changed: await syncDebit(db, await readDebit(stripe, { paymentIntentId: intent.id, chargeId: null }), source) };
  }
  if (CHARGE_EVENTS.has(event.type)) {
    return { handled: true, changed: await syncDebit(db, await readDebitOfCharge(stripe, event.data.object as Stripe.Charge), source) };
  }
  if (event.type === "charge.dispute.created") {
    return { handled: true, changed: await applyDispute(db, stripe, event.data.object as Stripe.Dispute, source) };
  }
  if (event.type === "mandate.updated") {
    return { handled: true, changed: await applyMandateUpdate(db, stripe, (event.data.object as Stripe.Mandate).id, source) };
  }
  logger.info({ eventId: event.id, type: event.type }, "stripe webhook type not handled");
  return { handled: false, changed: [] };
}

/**
 * A disputed ACH debit: the account holder told the bank it was not
 * authorized, Stripe took the money back and revoked the mandate. The
 * payment is brought to the charge's status first (succeeded: credited
 * once, whatever order the events came in), then reversed from the balance
 * (applyDisputeReversal: once per payment), and every authorization in force
 * for that bank account is revoked, so the next debit asks again.
 */
async function applyDispute(db: Db, stripe: Stripe, dispute: Stripe.Dispute, source: string): Promise<string[]> {
  const chargeId = typeof dispute.charge === "string" ? dispute.charge : dispute.charge.id;
  // The charge, not its intent: only a succeeded charge can be disputed, and the charge says so.
  const debit = await readCharge(stripe, chargeId);
  const changed: string[] = [];
  if (debit.mandateId) {
    const revoked = await db.$transaction((tx) => revokeMandates(tx, { stripeMandateId: debit.mandateId! }, "dispute", { source }));
    changed.push(...revoked.map((m) => m.id));
  }
  const payment = await paymentForDebit(db, debit);
  if (!payment) {
    logger.info({ chargeId, disputeId: dispute.id }, "dispute for an unknown payment");
    return changed;
  }
  const synced = await syncPayment(db, payment, debit, source);
  if (synced?.changed) changed.push(payment.id);
  if (dispute.amount !== payment.amountCents) {
    logger.warn(
      { paymentId: payment.id, disputeId: dispute.id },
      "dispute amount differs from the payment; the payment's amount is reversed",
    );
  }
  const { newlyDisputed, reversed } = await applyDisputeReversal(
    db,
    payment.id,
    { id: dispute.id, reason: dispute.reason ?? null },
    source,
  );
  if (newlyDisputed && !reversed)
    logger.warn({ paymentId: payment.id, disputeId: dispute.id }, "disputed payment was never credited; nothing to reverse");
  if (newlyDisputed) changed.push(payment.id);
  const revoked = await db.$transaction((tx) => revokeMandates(tx, { bankAccountId: payment.bankAccountId }, "dispute", { source }));
  if (revoked.length > 0) changed.push(payment.bankAccountId);
  return changed;
}
