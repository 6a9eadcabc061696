import type Stripe from "stripe";
import type { Db, Prisma } from "@/lib/db";
import type { Payment } from "@/lib/generated/prisma/client";
import { recordAudit } from "@/lib/audit";
import { revokeActiveMandates } from "@/lib/banking/refresh-bank-account";
import { getConfig } from "@/lib/config";
import { applyDisputeReversal, applyObservedStatus, observeCharge, observeIntent, type ObservedStatus } from "@/lib/funding/payment-status";
import { getStripe } from "@/lib/stripe/client";
import { errorSummary, logger } from "@/lib/log";

export class StripeSignatureError extends Error {}

/** Verifies `Stripe-Signature` over the raw body (5-minute tolerance) and parses the event. */
export function verifyStripeEvent(rawBody: string, signatureHeader: string | null, deps: { stripe?: Stripe; secret?: string | null } = {}): Stripe.Event {
  if (!signatureHeader) throw new StripeSignatureError("Missing Stripe-Signature header.");
  const secret = deps.secret !== undefined ? deps.secret : getConfig().stripe.webhookSecret;
  if (!secret) throw new Error("STRIPE_WEBHOOK_SECRET is not configured");
  try {
    return (deps.stripe ?? getStripe()).webhooks.constructEvent(rawBody, signatureHeader, secret);
  } catch (err) {
    logger.warn({ error: errorSummary(err).error.split("\n")[0] }, "stripe webhook rejected");
    throw new StripeSignatureError("Invalid Stripe signature.");
  }
}

export interface StripeEventResult {
  duplicate: boolean;
  handled: boolean;
  /** Payment or mandate ids this event changed. */
  changed: string[];
}

const INTENT_EVENTS = new Set(["payment_intent.processing", "payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled"]);
const CHARGE_EVENTS = new Set(["charge.pending", "charge.succeeded", "charge.failed"]);

/**
 * Stores a verified event once by id, then applies it. A redelivered event
 * that was already processed is acknowledged without re-applying; one whose
 * first delivery failed halfway (stored, not processed) is applied again,
 * which is safe: the payment state machine only moves forward and credits
 * once. Payloads are not trusted for state: the PaymentIntent, Charge or
 * Mandate is read again from Stripe, so late or reordered events apply the
 * current state.
 */
export async function processStripeEvent(db: Db, event: Stripe.Event, deps: { stripe?: Stripe } = {}): Promise<StripeEventResult> {
  const stripe = deps.stripe ?? getStripe();
  const object = event.data.object as { id?: unknown };
  const inserted = await db.stripeEvent.createMany({
    data: [{ id: event.id, type: event.type, objectId: typeof object.id === "string" ? object.id : null, payload: event as unknown as Prisma.InputJsonObject }],
    skipDuplicates: true,
  });
  if (inserted.count === 0) {
    const existing = await db.stripeEvent.findUnique({ where: { id: event.id }, select: { processedAt: true } });
    if (existing?.processedAt) {
      logger.info({ eventId: event.id, type: event.type }, "stripe webhook duplicate acknowledged");
      return { duplicate: true, handled: false, changed: [] };
    }
  }

  let outcome: { handled: boolean; changed: string[] };
  try {
    outcome = await applyEvent(db, stripe, event);
  } catch (err) {
    // The object is gone or not on this account: retrying will not help, and
    // our own payments are still covered by reconciliation. Other errors
    // propagate (500) so Stripe delivers the event again.
    if ((err as { code?: unknown }).code !== "resource_missing") throw err;
    logger.warn({ eventId: event.id, type: event.type }, "stripe webhook object not found at Stripe; acknowledged");
    outcome = { handled: false, changed: [] };
  }
  const { handled, changed } = outcome;

  await db.stripeEvent.update({ where: { id: event.id }, data: { processedAt: new Date() } });
  logger.info({ eventId: event.id, type: event.type, changed: changed.length }, "stripe webhook processed");
  return { duplicate: false, handled, changed };
}

async function applyEvent(db: Db, stripe: Stripe, event: Stripe.Event): Promise<{ handled: boolean; changed: string[] }> {
  const source = `webhook:${event.id}`;
  if (INTENT_EVENTS.has(event.type)) {
    return { handled: true, changed: await applyIntent(db, stripe, (event.data.object as Stripe.PaymentIntent).id, source) };
  }
  if (CHARGE_EVENTS.has(event.type)) {
    return { handled: true, changed: await applyCharge(db, stripe, event.data.object as Stripe.Charge, source) };
  }
  if (event.type === "charge.dispute.created") {
    return { handled: true, changed: await applyDispute(db, stripe, event.data.object as Stripe.Dispute, event.id) };
  }
  if (event.type === "mandate.updated") {
    const mandate = await stripe.mandates.retrieve((event.data.object as Stripe.Mandate).id);
    return { handled: true, changed: mandate.status === "inactive" ? await revokeByStripeMandate(db, mandate.id, "mandate_inactive", event.id) : [] };
  }
  logger.info({ eventId: event.id, type: event.type }, "stripe webhook type not handled");
  return { handled: false, changed: [] };
}

/** Reads the PaymentIntent from Stripe and applies its status to its payment. Returns the payment id if it changed. */
export async function applyIntent(db: Db, stripe: Stripe, intentId: string, source: string): Promise<string[]> {
  const intent = await stripe.paymentIntents.retrieve(intentId);
  const payment = await paymentForIntent(db, intent);
  if (!payment) {
    logger.info({ paymentIntentId: intent.id }, "no payment for PaymentIntent");
    return [];
  }
  return applyChecked(db, payment, intent.amount, intent.currency, observeIntent(intent), source);
}

async function applyCharge(db: Db, stripe: Stripe, eventCharge: Stripe.Charge, source: string): Promise<string[]> {
  // A PaymentIntent's charge: the intent is the source of truth.
  const intentId = typeof eventCharge.payment_intent === "string" ? eventCharge.payment_intent : (eventCharge.payment_intent?.id ?? null);
  if (intentId) return applyIntent(db, stripe, intentId, source);
  const charge = await stripe.charges.retrieve(eventCharge.id);
  const payment = await paymentForCharge(db, charge);
  if (!payment) {
    logger.info({ chargeId: charge.id }, "no payment for charge");
    return [];
  }
  return applyChecked(db, payment, charge.amount, charge.currency, observeCharge(charge), source);
}

async function applyChecked(db: Db, payment: Payment, amount: number, currency: string, observed: ObservedStatus, source: string): Promise<string[]> {
  if (amount !== payment.amountCents || currency.toLowerCase() !== payment.currency.toLowerCase()) {
    // Never credit a balance with an amount the debit did not have.
    logger.error({ paymentId: payment.id, amount, currency }, "Stripe object does not match its payment; not applied");
    return [];
  }
  const result = await applyObservedStatus(db, payment.id, observed, source);
  return result.changed ? [payment.id] : [];
}

/** By stripePaymentIntentId, else by metadata.payment_id (the create call's answer was lost): then the id is recorded. */
export async function paymentForIntent(db: Db, intent: Stripe.PaymentIntent): Promise<Payment | null> {
  const linked = await db.payment.findUnique({ where: { stripePaymentIntentId: intent.id } });
  if (linked) return linked;
  const paymentId = intent.metadata?.payment_id;
  if (!paymentId) return null;
  const payment = await db.payment.findUnique({ where: { id: paymentId } });
  if (!payment) return null;
  if (payment.stripePaymentIntentId && payment.stripePaymentIntentId !== intent.id) {
    logger.warn({ paymentId, paymentIntentId: intent.id }, "PaymentIntent names a payment linked to another intent");
    return null;
  }
  if (!payment.stripePaymentIntentId) {
    await db.payment.updateMany({ where: { id: payment.id, stripePaymentIntentId: null }, data: { stripePaymentIntentId: intent.id } });
  }
  return payment;
}

async function paymentForCharge(db: Db, charge: Stripe.Charge): Promise<Payment | null> {
  const linked = await db.payment.findFirst({ where: { stripeChargeId: charge.id } });
  if (linked) return linked;
  const paymentId = charge.metadata?.payment_id;
  if (!paymentId) return null;
  const payment = await db.payment.findUnique({ where: { id: paymentId } });
  if (!payment || payment.stripePaymentIntentId || (payment.stripeChargeId && payment.stripeChargeId !== charge.id)) return null;
  return payment;
}

/**
 * A disputed ACH debit: the account holder told the bank it was not
 * authorized, Stripe took the money back and revoked the mandate. The
 * payment is brought to the charge's status first (succeeded: credited
 * once, whatever order the events came in), then reversed from the balance
 * (applyDisputeReversal: once per payment), and every authorization in force
 * for that bank account is revoked, so the next debit asks again.
 */
async function applyDispute(db: Db, stripe: Stripe, dispute: Stripe.Dispute, eventId: string): Promise<string[]> {
  const source = `webhook:${eventId}`;
  const chargeId = typeof dispute.charge === "string" ? dispute.charge : dispute.charge.id;
  const charge = await stripe.charges.retrieve(chargeId);
  const changed: string[] = [];
  const mandateId = charge.payment_method_details?.us_bank_account?.mandate;
  if (typeof mandateId === "string") changed.push(...(await revokeByStripeMandate(db, mandateId, "dispute", eventId)));

  const intentId = typeof charge.payment_intent === "string" ? charge.payment_intent : (charge.payment_intent?.id ?? null);
  const payment =
    (intentId ? await db.payment.findUnique({ where: { stripePaymentIntentId: intentId } }) : null) ??
    (await db.payment.findFirst({ where: { stripeChargeId: charge.id } }));
  if (!payment) {
    logger.info({ chargeId: charge.id, disputeId: dispute.id }, "dispute for an unknown payment");
    return changed;
  }
  // Only a succeeded charge can be disputed: the charge already in hand says so (no second read of its intent).
  changed.push(...(await applyChecked(db, payment, charge.amount, charge.currency, observeCharge(charge), source)));
  if (dispute.amount !== payment.amountCents) logger.warn({ paymentId: payment.id, disputeId: dispute.id }, "dispute amount differs from the payment; the payment's amount is reversed");
  const { newlyDisputed, reversed } = await applyDisputeReversal(db, payment.id, { id: dispute.id, reason: dispute.reason ?? null }, source);
  if (newlyDisputed && !reversed) logger.warn({ paymentId: payment.id, disputeId: dispute.id }, "disputed payment was never credited; nothing to reverse");
  if (newlyDisputed) changed.push(payment.id);
  const revoked = await db.$transaction((tx: Prisma.TransactionClient) => revokeActiveMandates(tx, payment.bankAccountId, "dispute"));
  if (revoked > 0) changed.push(payment.bankAccountId);
  return changed;
}

async function revokeByStripeMandate(db: Db, stripeMandateId: string, reason: string, eventId: string): Promise<string[]> {
  return db.$transaction(async (tx: Prisma.TransactionClient) => {
    const active = await tx.mandateAcceptance.findMany({ where: { stripeMandateId, revokedAt: null }, select: { id: true, bankAccountId: true } });
    if (active.length === 0) return [];
    await tx.mandateAcceptance.updateMany({ where: { id: { in: active.map((m) => m.id) }, revokedAt: null }, data: { revokedAt: new Date() } });
    for (const m of active) {
      await recordAudit(tx, {
        actorId: null,
        action: "mandate.revoked",
        targetType: "mandate_acceptance",
        targetId: m.id,
        metadata: { stripeMandateId, bankAccountId: m.bankAccountId, reason, source: `webhook:${eventId}` },
      });
    }
    return active.map((m) => m.id);
  });
}
