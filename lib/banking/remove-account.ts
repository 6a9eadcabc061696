import "server-only";
import type { PlaidApi } from "plaid";
import Stripe from "stripe";
import type { Db, Prisma } from "@/lib/db";
import { recordAudit } from "@/lib/audit";
import { revokeMandates } from "@/lib/funding/mandates";
import { lockFundingUser } from "@/lib/funding/funding-lock";
import { itemAccessToken } from "@/lib/secrets";
import { isTransientPlaidError, plaidErrorOf } from "@/lib/plaid/errors";
import { isTransientStripeError, stripeErrorCode } from "@/lib/stripe/errors";
import { AppError, notFound, upstreamUnavailable, providerCode } from "@/lib/errors";
import { moveItemStatus } from "@/lib/plaid/item-state";

/**
 * Removes a linked bank: detaches the Stripe bank account, calls
 * /item/remove when no other account of the item is in use, then marks the
 * rows removed. Payment history stays. Upstream calls come first and tolerate
 * "already gone", so a retry after a failure finishes the job.
 */
export async function removeBankAccount(
  deps: { db: Db; plaid: PlaidApi; stripe: Stripe },
  actor: { id: string; isAdmin?: boolean },
  bankAccountId: string,
): Promise<void> {
  const { db } = deps;
  const account = await db.bankAccount.findFirst({
    where: { id: bankAccountId, status: { not: "REMOVED" }, ...(actor.isAdmin ? {} : { userId: actor.id }) },
    include: { item: true, user: { select: { stripeCustomerId: true } } },
  });
  if (!account) throw notFound("Bank account");
  // A block must outlive the row that carries it: only support may remove a blocked account.
  if (account.reviewStatus === "BLOCKED" && !actor.isAdmin)
    throw new AppError(409, "ACCOUNT_BLOCKED", "This bank account has been blocked, so it can't be removed here. Please contact support.");

  if (account.stripeBankAccountId && account.user.stripeCustomerId) {
    try {
      await deps.stripe.customers.deleteSource(account.user.stripeCustomerId, account.stripeBankAccountId);
    } catch (err) {
      const code = stripeErrorCode(err);
      if (code !== "resource_missing") {
        if (!(err instanceof Stripe.errors.StripeError) || isTransientStripeError(err)) throw upstreamUnavailable("payment processor");
        // Stripe refused for good: trying again will not help.
        throw new AppError(
          502,
          code ? providerCode(code) : "STRIPE_REJECTED",
          "Your bank account could not be removed. Please contact support.",
        );
      }
    }
  }

  const othersInUse = await db.bankAccount.count({
    where: { itemId: account.itemId, id: { not: account.id }, status: { not: "REMOVED" } },
  });
  const removeItem = othersInUse === 0 && account.item.status !== "REMOVED";
  if (removeItem) {
    try {
      await deps.plaid.itemRemove({ access_token: itemAccessToken(account.item) });
    } catch (err) {
      const code = plaidErrorOf(err)?.error_code;
      if (code !== "ITEM_NOT_FOUND" && code !== "INVALID_ACCESS_TOKEN") {
        if (isTransientPlaidError(err) || !code) throw upstreamUnavailable("bank");
        // Plaid refused for good: trying again will not help.
        throw new AppError(502, providerCode(code), "Your bank connection could not be removed. Please contact support.");
      }
    }
  }

  const now = new Date();
  await db.$transaction(async (tx: Prisma.TransactionClient) => {
    // Ordered with funding writes (lib/funding/funding-lock.ts): a removal committed first stops them.
    await lockFundingUser(tx, account.userId);
    await tx.bankAccount.update({ where: { id: account.id }, data: { status: "REMOVED", removedAt: now } });
    await revokeMandates(tx, { bankAccountId: account.id }, "bank_account_removed", { actorId: actor.id });
    if (removeItem)
      await moveItemStatus(tx, account.itemId, "REMOVED", {
        cause: "removed",
        actorId: actor.id,
        metadata: { bankAccountId: account.id, byAdmin: Boolean(actor.isAdmin) },
      });
  });
  await recordAudit(db, {
    actorId: actor.id,
    action: "bank_account.removed",
    targetType: "bank_account",
    targetId: account.id,
    metadata: { itemRemoved: removeItem, byAdmin: Boolean(actor.isAdmin) },
  });
}
