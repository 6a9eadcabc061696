import { userRoute } from "@/lib/http/route";
import { bankingDeps } from "@/lib/banking/deps";
import { removeBankAccount } from "@/lib/banking/remove-account";

/** Removes one of the caller's bank accounts (404 for anyone else's). */
export const DELETE = userRoute<{ id: string }>(async (_req, { user, params }) => {
  await removeBankAccount(bankingDeps(), { id: user.id }, params.id);
  return Response.json({ ok: true });
});
