import { getDb } from "@/lib/db";
import { getSessionActor } from "@/lib/auth";
import { changePassword, passwordChangeSchema } from "@/lib/auth/password-change";
import { parseJsonBody } from "@/lib/http/api";
import { userRoute } from "@/lib/http/route";

/** Changes the signed-in person's password (the current one must match); their other sessions end. */
export const POST = userRoute(async (req, { ip }) => {
  const parsed = await parseJsonBody(req, passwordChangeSchema);
  if ("response" in parsed) return parsed.response;
  const actor = (await getSessionActor())!; // userRoute confirmed this session
  await changePassword(getDb(), actor, parsed.data, { ip });
  return new Response(null, { status: 204 });
});
