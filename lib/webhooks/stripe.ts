import "server-only";
import type Stripe from "stripe";
import type { Db, Prisma } from "@/lib/db";
import { getConfig } from "@/lib/config";
import { applyStripeEvent, type PaymentEventOutcome } from "@/lib/funding/payment-events";
import { errorSummary, logger } from "@/lib/log";
import { getStripe } from "@/lib/stripe/client";
import { stripeErrorCode } from "@/lib/stripe/errors";

/**
 * Stripe webhooks, transport only: verify the signature, store the event
 * once by id, dispatch it to lib/funding/payment-events.ts, mark it done.
 */
export class StripeSignatureError extends Error {}

/** Verifies `Stripe-Signature` over the raw body (5-minute tolerance) and parses the event. */
export function verifyStripeEvent(
  rawBody: string,
  signatureHeader: string | null,
  deps: { stripe?: Stripe; secret?: string | null } = {},
): Stripe.Event {
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

export interface StripeEventResult extends PaymentEventOutcome {
  duplicate: boolean;
}

/**
 * Stores a verified event once by id, then applies it. A redelivered event
 * that was already processed is acknowledged without re-applying; one whose
 * first delivery failed halfway (stored, not processed) is applied again,
 * which is safe: the payment state machine only moves forward and credits
 * once. A failure propagates (the route answers 500) so Stripe delivers the
 * event again, except an object Stripe no longer has: retrying cannot help,
 * and our own payments are still covered by reconciliation.
 */
export async function processStripeEvent(db: Db, event: Stripe.Event, deps: { stripe?: Stripe } = {}): Promise<StripeEventResult> {
  const object = event.data.object as { id?: unknown };
  const inserted = await db.stripeEvent.createMany({
    data: [
      {
        id: event.id,
        type: event.type,
        objectId: typeof object.id === "string" ? object.id : null,
        payload: event as unknown as Prisma.InputJsonObject,
      },
    ],
    skipDuplicates: true,
  });
  if (inserted.count === 0) {
    const existing = await db.stripeEvent.findUnique({ where: { id: event.id }, select: { processedAt: true } });
    if (existing?.processedAt) {
      logger.info({ eventId: event.id, type: event.type }, "stripe webhook duplicate acknowledged");
      return { duplicate: true, handled: false, changed: [] };
    }
  }

  let outcome: PaymentEventOutcome;
  try {
    outcome = await applyStripeEvent(db, deps.stripe ?? getStripe(), event);
  } catch (err) {
    if (stripeErrorCode(err) !== "resource_missing") throw err;
    logger.warn({ eventId: event.id, type: event.type }, "stripe webhook object not found at Stripe; acknowledged");
    outcome = { handled: false, changed: [] };
  }

  await db.stripeEvent.update({ where: { id: event.id }, data: { processedAt: new Date() } });
  logger.info({ eventId: event.id, type: event.type, changed: outcome.changed.length }, "stripe webhook processed");
  return { duplicate: false, ...outcome };
}
