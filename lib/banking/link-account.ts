import { createHash, randomUUID } from "node:crypto";
import type { PlaidApi } from "plaid";
import Stripe from "stripe";
import { z } from "zod";
import type { Db, Prisma, User } from "@/lib/db";
import { recordAudit } from "@/lib/audit";
import { itemAccessToken, sealItemAccessToken } from "@/lib/secrets";
import { describePlaidFailure, isTransientPlaidError, plaidErrorOf } from "@/lib/plaid/errors";
import { isTransientStripeError, stripeErrorCode } from "@/lib/stripe/errors";
import { listBankAccounts } from "@/lib/funding/dashboard";
import type { BankAccountView } from "@/lib/funding/views";
import { AppError, upstreamUnavailable, providerCode } from "@/lib/errors";
import { moveItemStatus } from "./item-state";
import { ensureStripeCustomer } from "./stripe-customer";
import { recordReviewSignals } from "@/lib/admin/review-signals";

export const linkAccountSchema = z.object({
  publicToken: z.string().trim().min(1, "publicToken is required").max(200),
  accountId: z.string().trim().min(1, "accountId is required").max(200),
  institution: z.object({ id: z.string().max(100), name: z.string().max(200) }).nullable().optional(),
  linkSessionId: z.string().max(200).nullable().optional(),
  /** metadata.accounts.length from Link's onSuccess: Account Select must yield exactly one. */
  accountCount: z.number().int().min(0).max(100),
});
export type LinkAccountInput = z.infer<typeof linkAccountSchema>;

const ELIGIBLE_SUBTYPES = new Set(["checking", "savings"]);

interface Deps {
  db: Db;
  plaid: PlaidApi;
  stripe: Stripe;
}

/**
 * Turns Link's result into a funding source: exchange the public token, check
 * the chosen account, mint a Stripe bank account token through Plaid, attach
 * it to the user's (single) Stripe customer, and store everything with the
 * access token sealed. Every step is recorded on a LinkAttempt keyed by the
 * public token, so a retry of the same link resumes where it stopped and never
 * creates a second item, customer or bank account; a permanent failure
 * removes the Plaid item so nothing is left orphaned.
 */
export async function linkBankAccount(deps: Deps, user: Pick<User, "id" | "email" | "name">, input: LinkAccountInput): Promise<BankAccountView> {
  const { db } = deps;
  if (input.accountCount !== 1) {
    throw new AppError(400, "SINGLE_ACCOUNT_REQUIRED", "Please choose exactly one account to fund from.");
  }
  const publicTokenHash = createHash("sha256").update(input.publicToken).digest("hex");
  let attempt = await db.linkAttempt.upsert({
    where: { publicTokenHash },
    create: {
      userId: user.id,
      publicTokenHash,
      plaidAccountId: input.accountId,
      institutionId: input.institution?.id ?? null,
      institutionName: input.institution?.name ?? null,
      linkSessionId: input.linkSessionId ?? null,
    },
    update: {},
  });
  if (attempt.userId !== user.id || attempt.plaidAccountId !== input.accountId) {
    throw new AppError(400, "INVALID_PUBLIC_TOKEN", "This bank link is not valid. Please link your bank again.");
  }
  if (attempt.status === "COMPLETED" && attempt.bankAccountId) return viewOf(db, user.id, attempt.bankAccountId);
  if (attempt.status === "FAILED") {
    throw new AppError(400, attempt.errorCode ? providerCode(attempt.errorCode) : "LINK_FAILED", attempt.errorMessage ?? "This bank link failed. Please link your bank again.");
  }

  const fail = async (error: AppError, cleanup: { itemId: string | null }): Promise<never> => {
    await db.linkAttempt.update({ where: { id: attempt.id }, data: { status: "FAILED", errorCode: error.code, errorMessage: error.message } });
    if (cleanup.itemId) await removeItemQuietly(deps, cleanup.itemId, user.id);
    await recordAudit(db, { actorId: user.id, action: "bank_account.link_failed", targetType: "link_attempt", targetId: attempt.id, metadata: { code: error.code, step: attempt.step } });
    throw error;
  };
  const pause = async (code: string, message: string, who: "bank" | "payment processor"): Promise<never> => {
    // Transient: keep the attempt open; the same public token resumes it.
    await db.linkAttempt.update({ where: { id: attempt.id }, data: { errorCode: code, errorMessage: message } });
    throw upstreamUnavailable(who);
  };

  // 1. Exchange (once: public tokens are single-use). The access token is stored sealed at once.
  let itemRowId = attempt.itemId;
  if (!itemRowId) {
    let exchanged: { access_token: string; item_id: string };
    try {
      exchanged = (await deps.plaid.itemPublicTokenExchange({ public_token: input.publicToken })).data;
    } catch (err) {
      const failure = describePlaidFailure(err);
      if (isTransientPlaidError(err)) return pause(failure.code, failure.message, "bank");
      return fail(new AppError(400, providerCode(failure.code), failure.displayMessage ?? "This bank link expired or was already used. Please link your bank again."), { itemId: null });
    }
    itemRowId = randomUUID();
    await db.$transaction([
      db.plaidItem.create({
        data: {
          id: itemRowId,
          userId: user.id,
          plaidItemId: exchanged.item_id,
          accessTokenCiphertext: sealItemAccessToken(itemRowId, exchanged.access_token),
          institutionId: attempt.institutionId,
          institutionName: attempt.institutionName,
        },
      }),
      db.linkAttempt.update({ where: { id: attempt.id }, data: { itemId: itemRowId, step: "exchanged" } }),
    ]);
    attempt = { ...attempt, itemId: itemRowId, step: "exchanged" };
  }
  const item = await db.plaidItem.findUniqueOrThrow({ where: { id: itemRowId } });
  const accessToken = itemAccessToken(item);

  // 2. Verify the chosen account belongs to this item and can be debited.
  let bankAccountId = attempt.bankAccountId;
  if (!bankAccountId) {
    let account;
    try {
      const { data } = await deps.plaid.accountsGet({ access_token: accessToken, options: { account_ids: [input.accountId] } });
      account = data.accounts.find((a) => a.account_id === input.accountId);
    } catch (err) {
      const failure = describePlaidFailure(err);
      if (isTransientPlaidError(err)) return pause(failure.code, failure.message, "bank");
      return fail(new AppError(400, providerCode(failure.code), failure.displayMessage ?? "The chosen account could not be found at your bank."), { itemId: item.id });
    }
    if (!account) return fail(new AppError(400, "INVALID_ACCOUNT_ID", "The chosen account could not be found at your bank."), { itemId: item.id });
    if (account.type !== "depository" || !ELIGIBLE_SUBTYPES.has(account.subtype ?? "")) {
      return fail(new AppError(400, "ACCOUNT_NOT_ELIGIBLE", "Only checking and savings accounts can fund your balance."), { itemId: item.id });
    }
    const duplicate = await db.bankAccount.findFirst({
      where: { userId: user.id, status: { not: "REMOVED" }, institutionId: item.institutionId, mask: account.mask, itemId: { not: item.id } },
      select: { id: true },
    });
    if (duplicate) {
      return fail(
        new AppError(409, "DUPLICATE_ACCOUNT", `You have already linked ${item.institutionName ?? "this bank"} ····${account.mask ?? ""}. Remove it first to link it again.`),
        { itemId: item.id },
      );
    }
    const row = await db.bankAccount.upsert({
      where: { itemId_plaidAccountId: { itemId: item.id, plaidAccountId: account.account_id } },
      create: {
        userId: user.id,
        itemId: item.id,
        plaidAccountId: account.account_id,
        name: account.name,
        mask: account.mask,
        type: account.type,
        subtype: account.subtype,
        institutionId: item.institutionId,
        institutionName: item.institutionName,
      },
      update: {},
    });
    bankAccountId = row.id;
    await db.linkAttempt.update({ where: { id: attempt.id }, data: { bankAccountId, step: "verified" } });
  }

  // 3. Stripe: the user's customer, then the bank account from a Plaid-minted btok_.
  let stripeBankAccountId: string;
  try {
    const customerId = await ensureStripeCustomer(db, deps.stripe, user);
    await db.linkAttempt.update({ where: { id: attempt.id }, data: { step: "customer" } });
    stripeBankAccountId = await attachBankAccount(deps, { customerId, accessToken, plaidAccountId: input.accountId, bankAccountId });
  } catch (err) {
    if (stripeErrorCode(err) === "bank_account_exists") {
      // Stripe matched the numbers to a bank account this customer already has.
      return fail(new AppError(409, "DUPLICATE_ACCOUNT", "This bank account is already linked to your profile."), { itemId: item.id });
    }
    if (err instanceof Stripe.errors.StripeError && !isTransientStripeError(err)) {
      return fail(new AppError(400, err.code ? providerCode(err.code) : "STRIPE_REJECTED", "Your bank account could not be set up for payments. Please try another account."), { itemId: item.id });
    }
    const plaidError = plaidErrorOf(err);
    if (plaidError && !isTransientPlaidError(err)) {
      return fail(new AppError(400, providerCode(plaidError.error_code), plaidError.display_message ?? "Your bank account could not be set up for payments."), { itemId: item.id });
    }
    return pause("UPSTREAM_UNAVAILABLE", err instanceof Error ? err.message.slice(0, 200) : "upstream error", "payment processor");
  }

  // 4. Done: everything active in one transaction.
  await db.$transaction(async (tx: Prisma.TransactionClient) => {
    await tx.bankAccount.update({ where: { id: bankAccountId }, data: { stripeBankAccountId, status: "ACTIVE" } });
    await moveItemStatus(tx, item.id, "ACTIVE", { cause: "link_completed", actorId: user.id, errorCode: null, metadata: { linkAttemptId: attempt.id } });
    await tx.linkAttempt.update({ where: { id: attempt.id }, data: { status: "COMPLETED", step: "completed", errorCode: null, errorMessage: null } });
  });
  await recordReviewSignals(deps, bankAccountId); // admin review queue (lib/admin); never throws
  await recordAudit(db, {
    actorId: user.id,
    action: "bank_account.linked",
    targetType: "bank_account",
    targetId: bankAccountId,
    metadata: { institutionId: item.institutionId, linkSessionId: attempt.linkSessionId },
  });
  return viewOf(db, user.id, bankAccountId);
}

/**
 * Attaches the account at Stripe once. A source already tagged with this bank
 * account (from an attempt whose response was lost) is reused, so retries
 * never leave a second ba_ behind.
 */
async function attachBankAccount(
  deps: Deps,
  input: { customerId: string; accessToken: string; plaidAccountId: string; bankAccountId: string },
): Promise<string> {
  const existing = await deps.db.bankAccount.findUniqueOrThrow({ where: { id: input.bankAccountId }, select: { stripeBankAccountId: true } });
  if (existing.stripeBankAccountId) return existing.stripeBankAccountId;
  const sources = await deps.stripe.customers.listSources(input.customerId, { object: "bank_account", limit: 100 });
  const tagged = sources.data.find((s) => "metadata" in s && s.metadata?.bank_account_id === input.bankAccountId);
  if (tagged) return tagged.id;
  const { data } = await deps.plaid.processorStripeBankAccountTokenCreate({ access_token: input.accessToken, account_id: input.plaidAccountId });
  const source = await deps.stripe.customers.createSource(
    input.customerId,
    { source: data.stripe_bank_account_token, metadata: { bank_account_id: input.bankAccountId } },
    { idempotencyKey: `attach:${input.bankAccountId}:${data.stripe_bank_account_token}` },
  );
  return source.id;
}

/** Best-effort /item/remove after a failed link, so no Plaid item outlives its purpose. */
export async function removeItemQuietly(deps: Pick<Deps, "db" | "plaid">, itemRowId: string, actorId: string | null = null): Promise<void> {
  const item = await deps.db.plaidItem.findUnique({ where: { id: itemRowId } });
  if (!item || item.status === "REMOVED") return;
  try {
    await deps.plaid.itemRemove({ access_token: itemAccessToken(item) });
  } catch (err) {
    const code = plaidErrorOf(err)?.error_code;
    if (code !== "ITEM_NOT_FOUND" && code !== "INVALID_ACCESS_TOKEN") return; // stays LINKING: visible, retried by removal later
  }
  await deps.db.$transaction(async (tx: Prisma.TransactionClient) => {
    await moveItemStatus(tx, item.id, "REMOVED", { cause: "link_failed", actorId });
    await tx.bankAccount.updateMany({ where: { itemId: item.id }, data: { status: "REMOVED", removedAt: new Date() } });
  });
}

async function viewOf(db: Db, userId: string, bankAccountId: string): Promise<BankAccountView> {
  const view = (await listBankAccounts(db, userId)).find((a) => a.id === bankAccountId);
  if (!view) throw new AppError(404, "NOT_FOUND", "Bank account not found.");
  return view;
}
