import "server-only";
import type { PlaidApi } from "plaid";
import type Stripe from "stripe";
import type { Db } from "@/lib/db";
import { itemAccessToken } from "@/lib/secrets";
import { describePlaidFailure } from "@/lib/plaid/errors";
import { compareIdentity } from "./identity-match";
import { logger } from "@/lib/log";

interface Deps {
  db: Db;
  plaid: PlaidApi;
  stripe: Stripe;
}

/**
 * Gathers the review signals of a bank account that just finished linking:
 * identity match against the bank's owners (only the verdict and the owners'
 * names are kept), first-seen institution, and other users with the same
 * institution+mask or Stripe fingerprint. Never throws: a link must not fail
 * because a signal could not be read (the queue shows UNAVAILABLE instead).
 * Idempotent (upsert), so it can be re-run.
 */
export async function recordReviewSignals(deps: Deps, bankAccountId: string): Promise<void> {
  try {
    await gatherReviewSignals(deps, bankAccountId);
  } catch (err) {
    logger.error({ bankAccountId, error: err instanceof Error ? err.name : "error" }, "review signals could not be gathered");
  }
}

export async function gatherReviewSignals(deps: Deps, bankAccountId: string): Promise<void> {
  const { db } = deps;
  const account = await db.bankAccount.findUniqueOrThrow({
    where: { id: bankAccountId },
    include: { item: true, user: { select: { id: true, name: true, email: true, stripeCustomerId: true } } },
  });

  // 1. Identity: the bank's owners of this one account.
  let identity = { verdict: "UNAVAILABLE" as string, nameMatched: false, emailMatched: false };
  let ownerNames: string[] = [];
  let identityError: string | null = null;
  try {
    const { data } = await deps.plaid.identityGet({
      access_token: itemAccessToken(account.item),
      options: { account_ids: [account.plaidAccountId] },
    });
    const owners = (data.accounts.find((a) => a.account_id === account.plaidAccountId)?.owners ?? []).map((o) => ({
      names: o.names ?? [],
      emails: (o.emails ?? []).map((e) => e.data),
    }));
    ownerNames = [...new Set(owners.flatMap((o) => o.names))].slice(0, 10);
    identity = compareIdentity(account.user, owners);
  } catch (err) {
    identityError = describePlaidFailure(err).code;
  }

  // 2. Stripe's fingerprint of the attached bank account (same numbers, same fingerprint).
  let fingerprint: string | null = null;
  if (account.stripeBankAccountId && account.user.stripeCustomerId) {
    try {
      const source = await deps.stripe.customers.retrieveSource(account.user.stripeCustomerId, account.stripeBankAccountId);
      if (source.object === "bank_account") fingerprint = (source as Stripe.BankAccount).fingerprint ?? null;
    } catch {
      fingerprint = null;
    }
  }

  // 3. First seen institution, duplicates across users.
  const [earlierAtInstitution, sameMask, sameFingerprint] = await Promise.all([
    // Existence, not a count: counting every account at a big institution grew with the table.
    account.institutionId
      ? db.bankAccount
          .findFirst({
            where: { institutionId: account.institutionId, id: { not: account.id }, createdAt: { lte: account.createdAt } },
            select: { id: true },
          })
          .then((earlier) => (earlier ? 1 : 0))
      : Promise.resolve(1),
    account.institutionId && account.mask
      ? db.bankAccount.findMany({
          where: { institutionId: account.institutionId, mask: account.mask, userId: { not: account.userId } },
          select: { userId: true },
          distinct: ["userId"],
        })
      : Promise.resolve([]),
    fingerprint
      ? db.bankAccountReview.findMany({
          where: { stripeFingerprint: fingerprint, bankAccount: { userId: { not: account.userId } } },
          select: { bankAccount: { select: { userId: true } } },
        })
      : Promise.resolve([]),
  ]);
  const duplicateUsers = new Set([...sameMask.map((r) => r.userId), ...sameFingerprint.map((r) => r.bankAccount.userId)]);

  const data = {
    identityVerdict: identity.verdict,
    ownerNames,
    nameMatched: identity.nameMatched,
    emailMatched: identity.emailMatched,
    firstSeenInstitution: earlierAtInstitution === 0,
    stripeFingerprint: fingerprint,
    duplicateUserCount: duplicateUsers.size,
    identityError,
  };
  await db.bankAccountReview.upsert({ where: { bankAccountId }, create: { bankAccountId, ...data }, update: data });
}
