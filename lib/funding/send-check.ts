import "server-only";
import type { Db } from "@/lib/db";
import type { BankAccountStatus, ItemStatus, ReviewStatus } from "@/lib/generated/prisma/enums";
import { AppError, signedOut } from "@/lib/errors";
import { allowFundingBeforeReviewFrom, SETTINGS } from "@/lib/settings";
import { applyObservedStatus } from "./ledger";
import { accountRefusal, refusalError, type AccountRefusal } from "./policy";

/**
 * The last check before a debit goes to Stripe: the first send, a retry
 * with the same request id, and reconciliation's re-send all pass here. The
 * account rule (lib/funding/policy.ts) and the user's disabled flag are read
 * again; when either now refuses, the payment is CANCELED with the reason
 * (the person and the admin see it) and nothing is sent.
 */

interface Row {
  status: string;
  disabled: boolean;
  account_status: BankAccountStatus;
  review_status: ReviewStatus;
  item_status: ItemStatus;
  fund_before_review: unknown;
}

export type SendRefusal = AccountRefusal | "USER_DISABLED";

/** Why the payment was stopped, in the person's words (stored as its failure message). */
const STOPPED_BECAUSE: Record<SendRefusal, string> = {
  NOT_FOUND: "the bank account was removed",
  ACCOUNT_UNUSABLE: "the bank returned a transfer from this account",
  ACCOUNT_BLOCKED: "funding from this bank account was blocked",
  ACCOUNT_UNDER_REVIEW: "the bank account is waiting for review",
  ACCOUNT_NOT_ACTIVE: "the bank account is not ready for transfers",
  ITEM_NEEDS_ATTENTION: "the bank connection needs attention",
  USER_DISABLED: "the account was disabled",
};

/** The reason a stopped payment carries: `failure_code` for the admin, the message for everyone. */
export function stoppedReason(refusal: SendRefusal): { failureCode: string; failureMessage: string } {
  return {
    failureCode: `stopped:${refusal.toLowerCase()}`,
    failureMessage: `Canceled before it was sent: ${STOPPED_BECAUSE[refusal]}. Nothing was debited.`,
  };
}

/**
 * Cancels the payment, and answers why, when it may not be sent now; null
 * when it may. A payment no longer PENDING is left as it is (null).
 */
export async function stopIfMayNotDebit(db: Db, paymentId: string): Promise<SendRefusal | null> {
  const [row] = await db.$queryRaw<Row[]>`
    SELECT p."status"::text AS status, u."disabled", a."status"::text AS account_status,
      a."review_status"::text AS review_status, i."status"::text AS item_status, s."value" AS fund_before_review
    FROM "payments" p
    JOIN "users" u ON u."id" = p."user_id"
    JOIN "bank_accounts" a ON a."id" = p."bank_account_id"
    JOIN "plaid_items" i ON i."id" = a."item_id"
    LEFT JOIN "app_settings" s ON s."key" = ${SETTINGS.allowFundingBeforeReview.key}
    WHERE p."id" = ${paymentId}`;
  if (!row || row.status !== "PENDING") return null;
  const refusal: SendRefusal | null = row.disabled
    ? "USER_DISABLED"
    : accountRefusal(
        { status: row.account_status, reviewStatus: row.review_status, itemStatus: row.item_status },
        allowFundingBeforeReviewFrom(row.fund_before_review),
      );
  if (!refusal) return null;
  await applyObservedStatus(db, paymentId, { status: "CANCELED", ...stoppedReason(refusal) }, "send_check");
  return refusal;
}

/** The answer to the request whose payment was stopped. */
export function stoppedError(refusal: SendRefusal): AppError {
  if (refusal === "USER_DISABLED") return signedOut();
  const error = refusalError(refusal);
  return new AppError(error.status, error.code, `${error.message} This transfer was canceled; nothing was debited.`);
}
