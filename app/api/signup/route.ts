import { after } from "next/server";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { signUpSchema } from "@/lib/auth/credentials";
import { requestSignUp, SIGN_UP_ANSWER } from "@/lib/auth/sign-up";
import { parseJsonBody } from "@/lib/http/api";
import { publicRoute } from "@/lib/http/route";

/** Password sign-up: the same 202 for a new and a registered address; the account's part runs after the answer. */
export const POST = publicRoute(async (req, { ip }) => {
  const parsed = await parseJsonBody(req, signUpSchema);
  if ("response" in parsed) return parsed.response;
  await requestSignUp(getDb(), parsed.data, { ip, signUpsPerIp: getConfig().signUpsPerIp, defer: (task) => after(task) });
  return Response.json({ message: SIGN_UP_ANSWER }, { status: 202 });
});
