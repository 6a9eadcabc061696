import { getDb } from "@/lib/db";
import { jsonError } from "@/lib/http/api";
import { BODY_LIMITS, readBody } from "@/lib/http/body";
import { processStripeEvent, StripeSignatureError, verifyStripeEvent } from "@/lib/webhooks/stripe";
import { errorSummary, logger } from "@/lib/log";

/**
 * Stripe webhooks. The raw body is what `Stripe-Signature` signs: 400 when
 * the header is missing (before the body is read) or the signature is wrong
 * (nothing stored), 413 past BODY_LIMITS.webhook, 200 once the event is
 * stored and applied (also for duplicates and types we do not act on), 500
 * when applying failed so Stripe delivers it again.
 */
export async function POST(req: Request): Promise<Response> {
  const signature = req.headers.get("stripe-signature");
  if (!signature) return jsonError(400, "Missing Stripe-Signature header.");
  const body = await readBody(req, BODY_LIMITS.webhook);
  if ("response" in body) return body.response;
  let event;
  try {
    event = verifyStripeEvent(body.text, signature);
  } catch (err) {
    if (err instanceof StripeSignatureError) return jsonError(400, err.message);
    logger.error(errorSummary(err), "stripe webhook cannot be verified");
    return jsonError(500, "Stripe webhooks are not configured on this server.");
  }
  try {
    const result = await processStripeEvent(getDb(), event);
    return Response.json({ received: true, duplicate: result.duplicate });
  } catch (err) {
    logger.error({ eventId: event.id, type: event.type, ...errorSummary(err) }, "stripe webhook failed");
    return jsonError(500, "The event could not be processed; it will be retried.");
  }
}
