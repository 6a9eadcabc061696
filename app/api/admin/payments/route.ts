import { adminRoute, parseQuery } from "@/lib/http/admin-route";
import { getDb } from "@/lib/db";
import { listAdminPayments } from "@/lib/admin/payments";
import { paymentFilterSchema } from "@/lib/admin/schemas";

/** Payments filtered by status, date range, user email and amount range; keyset pages (?cursor=). */
export const GET = adminRoute(async (req) => {
  const query = parseQuery(req, paymentFilterSchema);
  if ("response" in query) return query.response;
  return Response.json(await listAdminPayments(getDb(), query.data));
});
