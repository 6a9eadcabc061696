import { parseJsonBody } from "@/lib/http/api";
import { adminRoute } from "@/lib/http/admin-route";
import { getDb } from "@/lib/db";
import { getUserDetail, setUserDisabled } from "@/lib/admin/users";
import { userStatusSchema } from "@/lib/admin/schemas";

/** A user's items, accounts (mask only), payments and audit trail. */
export const GET = adminRoute<{ id: string }>(async (_req, { params }) => Response.json(await getUserDetail(getDb(), params.id)));

/** Disables ({ disabled: true }: every session ends at once) or re-enables a user. */
export const PATCH = adminRoute<{ id: string }>(async (req, { user, params, ip }) => {
  const parsed = await parseJsonBody(req, userStatusSchema);
  if ("response" in parsed) return parsed.response;
  return Response.json({ user: await setUserDisabled(getDb(), { id: user.id, ip }, params.id, parsed.data.disabled) });
});
