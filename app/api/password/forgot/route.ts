import { after } from "next/server";
import { getDb } from "@/lib/db";
import { FORGOT_PASSWORD_ANSWER, forgotPasswordSchema, requestPasswordReset } from "@/lib/auth/password-reset";
import { parseJsonBody } from "@/lib/http/api";
import { publicRoute } from "@/lib/http/route";

/** "Forgot password": the same 202 for every address; the link (if any) is written after the answer. */
export const POST = publicRoute(async (req, { ip }) => {
  const parsed = await parseJsonBody(req, forgotPasswordSchema);
  if ("response" in parsed) return parsed.response;
  await requestPasswordReset(getDb(), parsed.data, { ip, defer: (task) => after(task) });
  return Response.json({ message: FORGOT_PASSWORD_ANSWER }, { status: 202 });
});
