import { getDb } from "@/lib/db";
import { resetPassword, resetPasswordSchema } from "@/lib/auth/password-reset";
import { parseJsonBody } from "@/lib/http/api";
import { publicRoute } from "@/lib/http/route";

/** Sets a new password with a reset link's token; every session of the account ends. */
export const POST = publicRoute(async (req, { ip }) => {
  const parsed = await parseJsonBody(req, resetPasswordSchema);
  if ("response" in parsed) return parsed.response;
  await resetPassword(getDb(), parsed.data, { ip });
  return new Response(null, { status: 204 });
});
