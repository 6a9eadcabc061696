import { userRoute } from "@/lib/http/route";
import { bankingDeps } from "@/lib/banking/deps";
import { markItemReconnected } from "@/lib/banking/reconnect";
import { listBankAccounts } from "@/lib/funding/dashboard";

/** After Link update mode succeeds: confirm with Plaid and mark the item healthy. */
export const POST = userRoute<{ id: string }>(async (_req, { user, params }) => {
  const deps = bankingDeps();
  await markItemReconnected(deps, user.id, params.id);
  return Response.json({ bankAccounts: await listBankAccounts(deps.db, user.id) });
});
