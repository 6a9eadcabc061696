import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { verifyEmail, verifyEmailSchema } from "@/lib/auth/email-verification";
import { parseJsonBody } from "@/lib/http/api";
import { publicRoute } from "@/lib/http/route";

/** The verification link's button (/verify-email): uses the token once and marks the address verified. */
export const POST = publicRoute(async (req, { ip }) => {
  const parsed = await parseJsonBody(req, verifyEmailSchema);
  if ("response" in parsed) return parsed.response;
  await verifyEmail(getDb(), parsed.data, { ip, adminEmails: getConfig().adminEmails });
  return Response.json({ message: "Your email address is verified." });
});
