import { getDb } from "@/lib/db";
import { getSessionActor } from "@/lib/auth";
import { codeSchema, confirmEnrolment } from "@/lib/auth/two-factor";
import { parseJsonBody } from "@/lib/http/api";
import { userRoute } from "@/lib/http/route";

/** Turns two-factor on with the first code from the app; answers the recovery codes, once. */
export const POST = userRoute(async (req, { ip }) => {
  const parsed = await parseJsonBody(req, codeSchema);
  if ("response" in parsed) return parsed.response;
  const actor = (await getSessionActor())!; // userRoute confirmed this session
  return Response.json(await confirmEnrolment(getDb(), actor, parsed.data, { ip }));
});
