import { getDb } from "@/lib/db";
import { getSessionActor } from "@/lib/auth";
import { codeSchema, disableTwoFactor } from "@/lib/auth/two-factor";
import { parseJsonBody } from "@/lib/http/api";
import { userRoute } from "@/lib/http/route";

/** Turns two-factor off, with a current code (or a recovery code). */
export const POST = userRoute(async (req, { ip }) => {
  const parsed = await parseJsonBody(req, codeSchema);
  if ("response" in parsed) return parsed.response;
  const actor = (await getSessionActor())!; // userRoute confirmed this session
  await disableTwoFactor(getDb(), actor, parsed.data, { ip });
  return new Response(null, { status: 204 });
});
