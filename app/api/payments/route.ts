import { parseJsonBody } from "@/lib/http/api";
import { actorRoute } from "@/lib/http/route";
import { rateLimitUser } from "@/lib/http/rate-limit";
import { getDb } from "@/lib/db";
import { bankingDeps } from "@/lib/banking/deps";
import { createFundingPayment, createPaymentSchema } from "@/lib/funding/create-payment";

/**
 * Funds the balance: one debit per client request id, however often it is
 * sent. The session's user is confirmed by the funding read itself (actorRoute);
 * FUNDING_REQUESTS_PER_MINUTE per user (429 with Retry-After beyond).
 */
export const POST = actorRoute(async (req, { actor, ip, userAgent }) => {
  const parsed = await parseJsonBody(req, createPaymentSchema);
  if ("response" in parsed) return parsed.response;
  await rateLimitUser(getDb(), "funding", actor.id);
  const { payment, created } = await createFundingPayment(bankingDeps(), actor, parsed.data, { ip, userAgent });
  return Response.json({ payment }, { status: created ? 201 : 200 });
});
