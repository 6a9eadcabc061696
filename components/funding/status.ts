import type { BadgeTone } from "@/components/ui/badge";
import type { BankAccountView, PaymentView } from "@/lib/funding/views";

export interface AccountState {
  label: string;
  tone: BadgeTone;
  /** What the person should know or do, when anything. */
  detail: string | null;
  /** Link update mode fixes it. */
  canReconnect: boolean;
  /** Debits may be requested (the server still has the last word). */
  canFund: boolean;
}

/** What the person reads while an account held for review may not fund yet. */
export const AWAITING_REVIEW_DETAIL =
  "We're checking this account; this usually takes less than a business day. You'll be able to add funds once it's approved.";

/**
 * One state per account, the first that applies. An account held for review
 * that may fund meanwhile ("fund before review" on) is simply Active: the
 * review is ours, nothing waits on the person.
 */
export function accountState(account: BankAccountView): AccountState {
  if (account.status === "UNUSABLE") {
    // The bank returned a debit for a reason that rules the account out (closed, not found, not authorized…).
    const returned = account.returned ?? { reason: "Your bank returned a transfer from this account.", nextStep: "Link your bank again." };
    return {
      label: "Can't be used",
      tone: "danger",
      detail: `${returned.reason} ${returned.nextStep}`,
      canReconnect: false,
      canFund: false,
    };
  }
  if (account.reviewStatus === "BLOCKED") {
    return {
      label: "Blocked",
      tone: "danger",
      detail: "This account can't be used for funding. Contact support if you think this is a mistake.",
      canReconnect: false,
      canFund: false,
    };
  }
  if (account.itemStatus === "REVOKED") {
    return {
      label: "Access revoked",
      tone: "danger",
      detail: "Access to this account was revoked at your bank or Plaid. Link your bank again to keep funding.",
      canReconnect: false,
      canFund: false,
    };
  }
  if (account.status === "LINKING" || account.itemStatus === "LINKING") {
    return { label: "Linking…", tone: "info", detail: "We're finishing setting up this account.", canReconnect: false, canFund: false };
  }
  if (account.itemStatus === "LOGIN_REQUIRED") {
    return {
      label: "Needs reconnection",
      tone: "warning",
      detail: "Your bank needs you to log in again. Reconnect to fund from this account.",
      canReconnect: true,
      canFund: false,
    };
  }
  if (account.awaitingReview) {
    return { label: "Awaiting review", tone: "info", detail: AWAITING_REVIEW_DETAIL, canReconnect: false, canFund: false };
  }
  if (account.itemStatus === "PENDING_DISCONNECT") {
    return {
      label: "Needs reconnection",
      tone: "warning",
      detail: "Your bank connection expires soon. Reconnect to keep using this account.",
      canReconnect: true,
      canFund: true,
    };
  }
  return { label: "Active", tone: "success", detail: null, canReconnect: false, canFund: account.status === "ACTIVE" };
}

export const PAYMENT_STATUS: Record<PaymentView["status"], { label: string; tone: BadgeTone }> = {
  PENDING: { label: "Pending", tone: "warning" },
  PROCESSING: { label: "Processing", tone: "info" },
  SUCCEEDED: { label: "Completed", tone: "success" },
  FAILED: { label: "Failed", tone: "danger" },
  CANCELED: { label: "Canceled", tone: "neutral" },
};

/** A succeeded debit the account holder disputed (PaymentView.disputed). */
export const DISPUTED: { label: string; tone: BadgeTone } = { label: "Disputed", tone: "danger" };

/** A succeeded debit refunded to the bank account (PaymentView.refund), with what it means for the balance. */
export const REFUND: Record<NonNullable<PaymentView["refund"]>, { label: string; tone: BadgeTone; detail: string }> = {
  pending: {
    label: "Refund pending",
    tone: "warning",
    detail: "Being refunded to your bank account (a few business days); it no longer counts in your balance.",
  },
  refunded: { label: "Refunded", tone: "neutral", detail: "Refunded to your bank account and taken out of your balance." },
};

/** The one status a transfer shows: a dispute, then a refund, then the debit's own status. */
export function paymentState(p: Pick<PaymentView, "status" | "disputed" | "refund">): { key: string; label: string; tone: BadgeTone } {
  if (p.disputed) return { key: "DISPUTED", ...DISPUTED };
  if (p.refund)
    return { key: p.refund === "pending" ? "REFUND_PENDING" : "REFUNDED", label: REFUND[p.refund].label, tone: REFUND[p.refund].tone };
  return { key: p.status, ...PAYMENT_STATUS[p.status] };
}

export function isInFlight(status: PaymentView["status"]): boolean {
  return status === "PENDING" || status === "PROCESSING";
}
