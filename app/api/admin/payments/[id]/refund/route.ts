import { parseJsonBody } from "@/lib/http/api";
import { adminRoute } from "@/lib/http/admin-route";
import { getDb } from "@/lib/db";
import { getStripe } from "@/lib/stripe/client";
import { refundSchema } from "@/lib/admin/schemas";
import { refundPayment } from "@/lib/funding/refunds";

/** Refunds a succeeded payment in full ({ reason }, kept in the audit log): 200 with the refund's status, 409 when it may not be refunded. */
export const POST = adminRoute<{ id: string }>(async (req, { user, params, ip }) => {
  const parsed = await parseJsonBody(req, refundSchema);
  if ("response" in parsed) return parsed.response;
  const refund = await refundPayment({ db: getDb(), stripe: getStripe() }, { id: user.id, ip }, params.id, parsed.data.reason);
  return Response.json({ refund });
});
