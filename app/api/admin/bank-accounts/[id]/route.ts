import { adminRoute } from "@/lib/http/admin-route";
import { getDb } from "@/lib/db";
import { bankingDeps } from "@/lib/banking/deps";
import { getBankAccountForReview, removeAccountAsAdmin } from "@/lib/admin/review";

/** One linked account with its review signals (mask only). */
export const GET = adminRoute<{ id: string }>(async (_req, { params }) =>
  Response.json({ bankAccount: await getBankAccountForReview(getDb(), params.id) }),
);

/** Removes the account for its user: detaches the Stripe bank account, /item/remove at Plaid. */
export const DELETE = adminRoute<{ id: string }>(async (_req, { user, params, ip }) => {
  await removeAccountAsAdmin(bankingDeps(), { id: user.id, ip }, params.id);
  return Response.json({ ok: true });
});
