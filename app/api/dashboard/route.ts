import { getDb } from "@/lib/db";
import { actorRoute } from "@/lib/http/route";
import { signedOut } from "@/lib/errors";
import { getDashboardData } from "@/lib/funding/dashboard";

/**
 * The signed-in user's bank accounts, balances and recent payments (polled
 * while a transfer is on its way). The data read confirms the session's user
 * itself (actorRoute).
 */
export const GET = actorRoute(async (_req, { actor }) => {
  const data = await getDashboardData(getDb(), actor);
  if (!data) throw signedOut();
  return Response.json(data);
});
