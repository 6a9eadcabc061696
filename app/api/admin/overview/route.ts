import { adminRoute } from "@/lib/http/admin-route";
import { getDb } from "@/lib/db";
import { getAdminOverview } from "@/lib/admin/overview";

/** Counts, funding volume per day, failure rate, reconnections and reviews waiting. */
export const GET = adminRoute(async () => Response.json({ overview: await getAdminOverview(getDb()) }));
