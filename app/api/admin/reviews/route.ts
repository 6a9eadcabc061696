import { adminRoute, parseQuery } from "@/lib/http/admin-route";
import { getDb } from "@/lib/db";
import { listReviewQueue } from "@/lib/admin/review";
import { reviewQuerySchema } from "@/lib/admin/schemas";

/** The linked-account review queue (PENDING by default), with each account's review signals. */
export const GET = adminRoute(async (req) => {
  const query = parseQuery(req, reviewQuerySchema);
  if ("response" in query) return query.response;
  return Response.json(await listReviewQueue(getDb(), query.data));
});
