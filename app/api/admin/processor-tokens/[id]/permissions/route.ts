import { parseJsonBody } from "@/lib/http/api";
import { adminRoute } from "@/lib/http/admin-route";
import { bankingDeps } from "@/lib/banking/deps";
import { getProcessorTokenPermissions, setPermissionsSchema, setProcessorTokenPermissions } from "@/lib/admin/processor-tokens";

/** The products the processor may use with this token (/processor/token/permissions/get). */
export const GET = adminRoute<{ id: string }>(async (_req, { params }) =>
  Response.json(await getProcessorTokenPermissions(bankingDeps(), params.id)),
);

/** Sets them ({ products }; /processor/token/permissions/set). */
export const PUT = adminRoute<{ id: string }>(async (req, { user, params, ip }) => {
  const parsed = await parseJsonBody(req, setPermissionsSchema);
  if ("response" in parsed) return parsed.response;
  return Response.json(await setProcessorTokenPermissions(bankingDeps(), { id: user.id, ip }, params.id, parsed.data.products));
});
