import "server-only";
import type Stripe from "stripe";
import type { Db } from "@/lib/db";
import { recordAudit } from "@/lib/audit";
import { logger } from "@/lib/log";
import { isStorableText } from "@/lib/safe-text";
import { applyDisputeReversal } from "./ledger";
import { applyMandateUpdate, revokeMandates } from "./mandates";
import { readCharge, readDebitOfCharge, readDebit, readDispute } from "./stripe-debit";
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
    return { handled: true, changed: await applyDispute(db, stripe, event, source) };
  }
  if (event.type === "mandate.updated") {
    return { handled: true, changed: await applyMandateUpdate(db, stripe, (event.data.object as Stripe.Mandate).id, source) };
  }
  logger.info({ eventId: event.id, type: event.type }, "stripe webhook type not handled");
  return { handled: false, changed: [] };
}

/**
 * A disputed ACH debit: the account holder told the bank it was not
 * authorized, Stripe took the money back and revoked the mandate.
 *
 * Only the event's dispute id is taken from the payload: the dispute is read
 * from Stripe, and its charge, amount and status are what count. A dispute
 * Stripe does not have (a forged or altered event) is acknowledged and
 * audited, and nothing is reversed; an inquiry (`warning_*`: no money taken)
 * reverses nothing either. Otherwise the payment is brought to the charge's
 * status first (succeeded: credited once, whatever order the events came
 * in), then reversed from the balance (applyDisputeReversal: once per
 * payment), and every authorization in force for that bank account is
 * revoked, so the next debit asks again. A failure to read from Stripe is
 * thrown (the webhook answers 500 and Stripe delivers it again).
 */
async function applyDispute(db: Db, stripe: Stripe, event: Stripe.Event, source: string): Promise<string[]> {
  const claimedId = (event.data.object as { id?: unknown }).id;
  const dispute = await readDispute(stripe, claimedId);
  if (!dispute) {
    const disputeId = typeof claimedId === "string" && claimedId.length <= 255 && isStorableText(claimedId) ? claimedId : null;
    logger.warn({ eventId: event.id, disputeId }, "dispute event names a dispute Stripe does not have; nothing reversed");
    await recordAudit(db, {
      actorId: null,
      action: "stripe.dispute_unknown",
      targetType: "stripe_event",
      targetId: event.id,
      metadata: { disputeId, source },
    });
    return [];
  }
  if (dispute.status.startsWith("warning_")) {
    logger.info({ disputeId: dispute.id, status: dispute.status }, "dispute is an inquiry (no funds withdrawn); nothing reversed");
    return [];
  }
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
