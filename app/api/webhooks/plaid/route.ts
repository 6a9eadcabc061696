import { getDb } from "@/lib/db";
import { jsonError } from "@/lib/http/api";
import { BODY_LIMITS, readBody } from "@/lib/http/body";
import { handlePlaidWebhook } from "@/lib/webhooks/plaid";
import { errorSummary, logger } from "@/lib/log";

/**
 * Plaid webhooks. The body is read raw: its SHA-256 is what the
 * Plaid-Verification JWT signs. 400 without that header (before the body
 * is read), 413 past BODY_LIMITS.webhook, 401 when verification fails
 * (nothing is stored or changed), 200 once stored and applied (also for
 * unknown items and for a replay of a delivery already applied), 5xx when a
 * transient failure should make Plaid deliver it again.
 */
export async function POST(req: Request): Promise<Response> {
  const verificationHeader = req.headers.get("plaid-verification");
  if (!verificationHeader) return jsonError(400, "Missing Plaid-Verification header.");
  const body = await readBody(req, BODY_LIMITS.webhook);
  if ("response" in body) return body.response;
  try {
    const result = await handlePlaidWebhook(getDb(), { rawBody: body.text, verificationHeader });
    switch (result.kind) {
      case "rejected":
        return jsonError(result.status, result.message);
      case "unavailable":
        return jsonError(503, result.message);
      case "replayed":
        return Response.json({ received: true, duplicate: true });
      case "processed":
        if (result.retry) return jsonError(503, "The webhook was recorded but could not be fully applied; please retry.");
        return Response.json({ received: true });
    }
  } catch (err) {
    logger.error(errorSummary(err), "plaid webhook failed");
    return jsonError(500, "The webhook could not be processed.");
  }
}
