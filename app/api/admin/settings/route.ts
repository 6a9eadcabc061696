import { parseJsonBody } from "@/lib/http/api";
import { adminRoute } from "@/lib/http/admin-route";
import { getDb } from "@/lib/db";
import { getSettings, updateSettings } from "@/lib/settings";
import { settingsSchema } from "@/lib/admin/schemas";

export const GET = adminRoute(async () => Response.json({ settings: await getSettings(getDb()) }));

/** { allowFundingBeforeReview }: whether accounts still under review may fund. */
export const PUT = adminRoute(async (req, { user, ip }) => {
  const parsed = await parseJsonBody(req, settingsSchema);
  if ("response" in parsed) return parsed.response;
  return Response.json({ settings: await updateSettings(getDb(), { id: user.id, ip }, parsed.data) });
});
