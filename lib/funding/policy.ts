import "server-only";
import type { PlaidApi } from "plaid";
import type { Db } from "@/lib/db";
import { AppError, notFound, providerCode, upstreamUnavailable } from "@/lib/errors";
import { formatUsd } from "@/lib/format";
import { isTransientPlaidError, plaidErrorOf } from "@/lib/plaid/errors";
import { itemAccessToken } from "@/lib/secrets";
import { moveItemStatus } from "@/lib/plaid/item-state";
import { MANDATE_TEXT_VERSION } from "./mandate-text";
import { requireVerifiedEmail } from "@/lib/auth/email-verification";
import type { FundingAccount } from "./funding-context";
import type { BankAccountStatus, ItemStatus, ReviewStatus } from "@/lib/generated/prisma/enums";

/**
 * Every check made before a debit, in the order a funding request makes
 * them, cheap before costly: the person (a verified email address), the
 * amount, the account (state, review, connection, authorization), the daily
 * and 30-day limits, and only then the live balance at the bank (a billed
 * call). What can change meanwhile is checked again where it cannot race:
 * the limits and the account rule under the user's row lock by the write
 * (lib/funding/write-payment.ts), the account rule and the user just before
 * the debit is sent (lib/funding/send-check.ts).
 */

export interface FundingLimits {
  minCents: number;
  maxCents: number;
  dailyMaxCents: number;
  thirtyDayMaxCents: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Only a verified email address may fund (the rule of lib/auth/email-verification.ts, as for linking). Pure. */
export function checkUserMayFund(user: { emailVerified: Date | null }): void {
  requireVerifiedEmail(user, "add funds");
}

/** Per-payment bounds: pure, checked before anything else. */
export function checkAmount(amountCents: number, limits: FundingLimits): void {
  if (amountCents < limits.minCents)
    throw new AppError(422, "AMOUNT_TOO_SMALL", `The minimum is ${formatUsd(limits.minCents)} per transfer.`);
  if (amountCents > limits.maxCents)
    throw new AppError(422, "AMOUNT_TOO_LARGE", `The maximum is ${formatUsd(limits.maxCents)} per transfer.`);
}

/** An account that passed checkAccountMayFund, with the Stripe ids a debit needs. */
export type FundableAccount = FundingAccount & { stripeBankAccountId: string; stripeCustomerId: string };

/** A check an account can fail, in the order they are made (accountRefusal). */
export type AccountRefusal =
  "NOT_FOUND" | "ACCOUNT_UNUSABLE" | "ACCOUNT_BLOCKED" | "ACCOUNT_UNDER_REVIEW" | "ACCOUNT_NOT_ACTIVE" | "ITEM_NEEDS_ATTENTION";

/** What may change while a request is on its way: the account's state and review, its item's connection. */
export interface AccountState {
  status: BankAccountStatus;
  reviewStatus: ReviewStatus;
  itemStatus: ItemStatus;
}

/**
 * The account rule: which check, if any, this account fails now. Pure. The
 * same rule runs three times for a debit: on the request's first read
 * (checkAccountMayFund), under the user's row lock in the statement that
 * writes the payment (the SQL function fund_write_payment states it in SQL,
 * in this order), and just before the debit is sent to Stripe
 * (lib/funding/send-check.ts).
 */
export function accountRefusal(account: AccountState | null, allowFundingBeforeReview: boolean): AccountRefusal | null {
  if (!account || account.status === "REMOVED") return "NOT_FOUND";
  // An ACH return said the bank will not take debits from it again (lib/funding/returns.ts).
  if (account.status === "UNUSABLE") return "ACCOUNT_UNUSABLE";
  if (account.reviewStatus === "BLOCKED") return "ACCOUNT_BLOCKED";
  if (account.reviewStatus === "PENDING" && !allowFundingBeforeReview) return "ACCOUNT_UNDER_REVIEW";
  if (account.status !== "ACTIVE") return "ACCOUNT_NOT_ACTIVE";
  if (account.itemStatus === "LOGIN_REQUIRED" || account.itemStatus === "REVOKED" || account.itemStatus === "REMOVED")
    return "ITEM_NEEDS_ATTENTION";
  return null;
}

/** The error a person sees for a refusal (the same words wherever the check is made). */
export function refusalError(refusal: AccountRefusal): AppError {
  switch (refusal) {
    case "NOT_FOUND":
      return notFound("Bank account");
    case "ACCOUNT_UNUSABLE":
      return new AppError(
        422,
        "ACCOUNT_UNUSABLE",
        "Your bank returned a transfer from this account, so it can no longer be used for funding. Link your bank again.",
      );
    case "ACCOUNT_BLOCKED":
      return new AppError(422, "ACCOUNT_BLOCKED", "Funding from this bank account has been blocked. Please contact support.");
    case "ACCOUNT_UNDER_REVIEW":
      return new AppError(
        422,
        "ACCOUNT_UNDER_REVIEW",
        "This bank account is being reviewed. You can fund from it once the review is done.",
      );
    case "ACCOUNT_NOT_ACTIVE":
      return new AppError(422, "ACCOUNT_NOT_ACTIVE", "This bank account is not ready for transfers yet.");
    case "ITEM_NEEDS_ATTENTION":
      return new AppError(422, "ACCOUNT_NOT_ACTIVE", "Your bank connection needs attention. Reconnect your bank, then try again.");
  }
}

/**
 * Whether this account may be debited now, with the authorization the
 * request brings (`mandateTextVersion`: the version of the text the person
 * accepted with it, if any). Pure: the account comes from one read.
 */
export function checkAccountMayFund(
  account: FundingAccount | null,
  context: { stripeCustomerId: string | null; allowFundingBeforeReview: boolean; mandateTextVersion: string | null },
): FundableAccount {
  const refusal = accountRefusal(account && { ...account, itemStatus: account.item.status }, context.allowFundingBeforeReview);
  if (refusal) throw refusalError(refusal);
  if (!account!.stripeBankAccountId || !context.stripeCustomerId) throw refusalError("ACCOUNT_NOT_ACTIVE");
  if (!account!.mandate && context.mandateTextVersion !== MANDATE_TEXT_VERSION) {
    throw new AppError(400, "MANDATE_REQUIRED", "Please read and accept the ACH debit authorization for this bank account.");
  }
  return { ...account!, stripeBankAccountId: account!.stripeBankAccountId, stripeCustomerId: context.stripeCustomerId };
}

/**
 * The live balance check before each debit. A null available balance (some
 * banks only report current) falls back to current; if the bank reports
 * neither, the debit goes ahead and a return is handled by the ledger.
 */
export async function checkLiveBalance(
  deps: { db: Db; plaid: PlaidApi },
  account: Pick<FundingAccount, "plaidAccountId" | "item">,
  amountCents: number,
): Promise<void> {
  let balances;
  try {
    const { data } = await deps.plaid.accountsBalanceGet({
      access_token: itemAccessToken(account.item),
      options: { account_ids: [account.plaidAccountId] },
    });
    balances = data.accounts.find((a) => a.account_id === account.plaidAccountId)?.balances;
  } catch (err) {
    const error = plaidErrorOf(err);
    if (error?.error_code === "ITEM_LOGIN_REQUIRED") {
      await moveItemStatus(deps.db, account.item.id, "LOGIN_REQUIRED", { cause: "balance_check", errorCode: "ITEM_LOGIN_REQUIRED" });
      throw new AppError(422, "ACCOUNT_NOT_ACTIVE", "Your bank needs you to sign in again. Reconnect your bank, then try again.");
    }
    if (error && !isTransientPlaidError(err)) {
      throw new AppError(
        422,
        providerCode(error.error_code),
        error.display_message ?? "Your bank could not confirm the balance of this account.",
      );
    }
    throw upstreamUnavailable("bank");
  }
  if (!balances) throw new AppError(422, "ACCOUNT_NOT_ACTIVE", "This account is no longer available at your bank.");
  const available = balances.available ?? balances.current;
  if (available !== null && available !== undefined && Math.round(available * 100) < amountCents) {
    throw new AppError(
      422,
      "INSUFFICIENT_BALANCE",
      `Your bank reports ${formatUsd(Math.round(available * 100))} available, which is less than ${formatUsd(amountCents)}. Try a smaller amount.`,
    );
  }
}

/** What the user has debited (not failed or canceled) in the last day and the last 30 days. */
export interface RollingTotals {
  dayCents: number;
  thirtyDayCents: number;
}

export const rollingWindows = (now: Date): { dayStart: Date; thirtyDayStart: Date } => ({
  dayStart: new Date(now.getTime() - DAY_MS),
  thirtyDayStart: new Date(now.getTime() - 30 * DAY_MS),
});

/** The daily and rolling 30-day limits: throws the limit's error with what is left. Pure. */
export function checkRollingTotals(totals: RollingTotals, amountCents: number, limits: FundingLimits): void {
  const { dayCents, thirtyDayCents } = totals;
  if (dayCents + amountCents > limits.dailyMaxCents) {
    throw new AppError(
      422,
      "DAILY_LIMIT",
      `This would exceed your daily limit of ${formatUsd(limits.dailyMaxCents)} (${formatUsd(Math.max(0, limits.dailyMaxCents - dayCents))} left today).`,
    );
  }
  if (thirtyDayCents + amountCents > limits.thirtyDayMaxCents) {
    throw new AppError(
      422,
      "THIRTY_DAY_LIMIT",
      `This would exceed your 30-day limit of ${formatUsd(limits.thirtyDayMaxCents)} (${formatUsd(Math.max(0, limits.thirtyDayMaxCents - thirtyDayCents))} left).`,
    );
  }
}
