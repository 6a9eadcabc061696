import { getDb } from "@/lib/db";
import { startEnrolment, twoFactorStatus } from "@/lib/auth/two-factor";
import { userRoute } from "@/lib/http/route";

/** Whether two-factor is on, and how many recovery codes are left. */
export const GET = userRoute(async (_req, { user }) => Response.json(await twoFactorStatus(getDb(), user.id)));

/** Starts turning two-factor on: a new secret and its QR code (not in force until a code confirms it). */
export const POST = userRoute(async (_req, { user }) => Response.json(await startEnrolment(getDb(), user.id)));
