import { parseJsonBody } from "@/lib/http/api";
import { adminRoute } from "@/lib/http/admin-route";
import { getDb } from "@/lib/db";
import { bankingDeps } from "@/lib/banking/deps";
import { createProcessorToken, createProcessorTokenSchema, listProcessorTokens } from "@/lib/admin/processor-tokens";

/** The account's processor tokens (truncated). */
export const GET = adminRoute<{ id: string }>(async (_req, { params }) =>
  Response.json({ processorTokens: await listProcessorTokens(getDb(), params.id) }),
);

/** Creates a processor token for a partner ({ processor }, from Plaid's list). */
export const POST = adminRoute<{ id: string }>(async (req, { user, params, ip }) => {
  const parsed = await parseJsonBody(req, createProcessorTokenSchema);
  if ("response" in parsed) return parsed.response;
  const processorToken = await createProcessorToken(bankingDeps(), { id: user.id, ip }, params.id, parsed.data.processor);
  return Response.json({ processorToken }, { status: 201 });
});
