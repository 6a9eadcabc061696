import { getDb } from "@/lib/db";
import { getSessionActor } from "@/lib/auth";
import { codeSchema, verifySecondFactor } from "@/lib/auth/two-factor";
import { parseJsonBody } from "@/lib/http/api";
import { userRoute } from "@/lib/http/route";

/**
 * A code from the authenticator app, or a recovery code: finishes a sign-in
 * that owes its second factor, and starts the step-up window again.
 */
export const POST = userRoute(
  async (req, { ip }) => {
    const parsed = await parseJsonBody(req, codeSchema);
    if ("response" in parsed) return parsed.response;
    const actor = (await getSessionActor())!; // userRoute confirmed this session
    return Response.json(await verifySecondFactor(getDb(), actor, parsed.data, { ip }));
  },
  { beforeSecondFactor: true },
);
