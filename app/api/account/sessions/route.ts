import { getDb } from "@/lib/db";
import { signOutEverywhere } from "@/lib/auth/sessions";
import { userRoute } from "@/lib/http/route";

/** "Sign out everywhere": ends every session of the signed-in user, this one included. */
export const DELETE = userRoute(async (_req, { user, ip }) => {
  await signOutEverywhere(getDb(), user.id, { ip });
  return new Response(null, { status: 204 });
});
