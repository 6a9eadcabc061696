import { getDb } from "@/lib/db";
import { resendVerificationLink } from "@/lib/auth/email-verification";
import { userRoute } from "@/lib/http/route";

/** "Resend the link" (dashboard): a new verification link to the signed-in user's address, rate-limited. */
export const POST = userRoute(async (_req, { user, ip }) => {
  return Response.json(await resendVerificationLink(getDb(), user, { ip }));
});
