import { getDb } from "@/lib/db";
import { userRoute } from "@/lib/http/route";
import { getDashboardData } from "@/lib/funding/dashboard";

/** The signed-in user's bank accounts, balances and recent payments. */
export const GET = userRoute(async (_req, { user }) => Response.json(await getDashboardData(getDb(), user.id)));
