import { adminRoute, parseQuery } from "@/lib/http/admin-route";
import { getDb } from "@/lib/db";
import { listAuditLog } from "@/lib/admin/audit-log";
import { auditFilterSchema } from "@/lib/admin/schemas";

/** The audit log filtered by actor, action, target and date; keyset pages (?cursor=). */
export const GET = adminRoute(async (req) => {
  const query = parseQuery(req, auditFilterSchema);
  if ("response" in query) return query.response;
  return Response.json(await listAuditLog(getDb(), query.data));
});
