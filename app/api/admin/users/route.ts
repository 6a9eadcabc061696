import { adminRoute, parseQuery } from "@/lib/http/admin-route";
import { getDb } from "@/lib/db";
import { searchUsers } from "@/lib/admin/users";
import { userQuerySchema } from "@/lib/admin/schemas";

/** Users by email or name (?q=), paginated (?page=). */
export const GET = adminRoute(async (req) => {
  const query = parseQuery(req, userQuerySchema);
  if ("response" in query) return query.response;
  return Response.json(await searchUsers(getDb(), query.data));
});
