import "server-only";
import type Stripe from "stripe";
import type { PlaidApi } from "plaid";
import type { Db, Prisma } from "@/lib/db";
import type { PlaidItem } from "@/lib/generated/prisma/client";
import { recordAudit } from "@/lib/audit";
import { revokeMandates } from "@/lib/funding/mandates";
import { getPlaid } from "@/lib/plaid/client";
import { describePlaidFailure, isTransientPlaidError } from "@/lib/plaid/errors";
import { itemAccessToken } from "@/lib/secrets";
import { getStripe } from "@/lib/stripe/client";
import { isTransientStripeError, stripeErrorCode } from "@/lib/stripe/errors";
import { errorSummary, logger } from "@/lib/log";

/**
 * AUTH DEFAULT_UPDATE: the bank changed the account or routing number of an
 * account, so the `ba_` attached at Stripe would debit the old numbers. For
 * each active bank account of the item: a fresh `btok_` from Plaid, attached
 * to the user's Stripe customer; the old `ba_` detached; the new id stored;
 * and the account's ACH authorization revoked (a new bank account needs a
 * new one, asked for at the next debit).
 */
export interface RefreshResult {
  bankAccountId: string;
  outcome: "refreshed" | "skipped" | "failed";
  /** Failure or skip reason (an error code, never a token). */
  reason?: string;
  /** True when retrying later may succeed (isTransientPlaidError / isTransientStripeError): the webhook is then not acknowledged. */
  retryable?: boolean;
  newStripeBankAccountId?: string;
}

export interface RefreshDeps {
  plaid?: PlaidApi;
  stripe?: Stripe;
}

type Tx = Prisma.TransactionClient;

export async function refreshStripeBankAccount(
  db: Db,
  item: Pick<PlaidItem, "id" | "userId" | "accessTokenCiphertext">,
  options: { plaidAccountIds?: string[] | null; reason?: string } & RefreshDeps = {},
): Promise<RefreshResult[]> {
  const plaid = options.plaid ?? getPlaid();
  const stripe = options.stripe ?? getStripe();
  const accounts = await db.bankAccount.findMany({
    where: {
      itemId: item.id,
      status: "ACTIVE",
      ...(options.plaidAccountIds && options.plaidAccountIds.length > 0 ? { plaidAccountId: { in: options.plaidAccountIds } } : {}),
    },
    include: { user: { select: { stripeCustomerId: true } } },
  });
  const results: RefreshResult[] = [];
  if (accounts.length === 0) return results;
  const accessToken = itemAccessToken(item);

  for (const account of accounts) {
    const customerId = account.user.stripeCustomerId;
    if (!customerId) {
      logger.warn({ bankAccountId: account.id }, "bank account refresh skipped: user has no Stripe customer");
      results.push({ bankAccountId: account.id, outcome: "skipped", reason: "no_stripe_customer" });
      continue;
    }
    const oldId = account.stripeBankAccountId;
    try {
      let token: string;
      try {
        const { data } = await plaid.processorStripeBankAccountTokenCreate({
          access_token: accessToken,
          account_id: account.plaidAccountId,
        });
        token = data.stripe_bank_account_token;
      } catch (err) {
        throw new RefreshError(describePlaidFailure(err).code, isTransientPlaidError(err));
      }

      let created: Stripe.CustomerSource;
      try {
        created = await stripe.customers.createSource(customerId, { source: token });
      } catch (err) {
        // Same numbers as the attached ba_ (Stripe refuses a duplicate on one
        // customer): detach the old one first, then attach the fresh token
        // (a failed attach does not consume it).
        if (stripeErrorCode(err) !== "bank_account_exists" || !oldId) throw err;
        await detach(stripe, customerId, oldId);
        created = await stripe.customers.createSource(customerId, { source: token });
      }
      const newId = created.id;

      await db.$transaction(async (tx: Tx) => {
        await tx.bankAccount.update({ where: { id: account.id }, data: { stripeBankAccountId: newId } });
        await recordAudit(tx, {
          actorId: null,
          action: "bank_account.stripe_refreshed",
          targetType: "bank_account",
          targetId: account.id,
          metadata: {
            itemId: item.id,
            oldStripeBankAccountId: oldId,
            newStripeBankAccountId: newId,
            reason: options.reason ?? "auth_default_update",
          },
        });
        await revokeMandates(tx, { bankAccountId: account.id }, "bank_account_refreshed");
      });

      if (oldId && oldId !== newId) {
        try {
          await detach(stripe, customerId, oldId);
          await recordAudit(db, {
            actorId: null,
            action: "bank_account.stripe_detached",
            targetType: "bank_account",
            targetId: account.id,
            metadata: { stripeBankAccountId: oldId },
          });
        } catch (err) {
          // The new account is in place; the old one stays attached but unused. Logged for an operator.
          logger.warn(
            { bankAccountId: account.id, stripeBankAccountId: oldId, ...errorSummary(err) },
            "old Stripe bank account could not be detached",
          );
        }
      }
      results.push({ bankAccountId: account.id, outcome: "refreshed", newStripeBankAccountId: newId });
    } catch (err) {
      const summary = errorSummary(err);
      const reason = err instanceof RefreshError ? err.code : (summary.code ?? summary.error);
      const retryable = err instanceof RefreshError ? err.retryable : isTransientStripeError(err);
      logger.error({ bankAccountId: account.id, itemId: item.id, reason, retryable }, "bank account refresh failed");
      await recordAudit(db, {
        actorId: null,
        action: "bank_account.refresh_failed",
        targetType: "bank_account",
        targetId: account.id,
        metadata: { itemId: item.id, reason },
      });
      results.push({ bankAccountId: account.id, outcome: "failed", reason, retryable });
    }
  }
  return results;
}

async function detach(stripe: Stripe, customerId: string, sourceId: string): Promise<void> {
  try {
    await stripe.customers.deleteSource(customerId, sourceId);
  } catch (err) {
    if (stripeErrorCode(err) === "resource_missing") return; // already detached (an earlier, interrupted attempt)
    throw err;
  }
}

class RefreshError extends Error {
  constructor(
    readonly code: string,
    readonly retryable: boolean,
  ) {
    super(code);
  }
}
