import { parseJsonBody } from "@/lib/http/api";
import { userRoute } from "@/lib/http/route";
import { bankingDeps } from "@/lib/banking/deps";
import { linkAccountSchema, linkBankAccount } from "@/lib/banking/link-account";

/** Link's onSuccess: exchange, verify, attach at Stripe, store. Retrying the same public token is safe. */
export const POST = userRoute(async (req, { user }) => {
  const parsed = await parseJsonBody(req, linkAccountSchema);
  if ("response" in parsed) return parsed.response;
  const bankAccount = await linkBankAccount(bankingDeps(), user, parsed.data);
  return Response.json({ bankAccount }, { status: 201 });
});
