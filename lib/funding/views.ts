import type { BankAccountStatus, ItemStatus, PaymentStatus, ReviewStatus } from "@/lib/generated/prisma/enums";

/** What the browser may see of a linked bank account: never tokens or full numbers. */
export interface BankAccountView {
  id: string;
  institutionName: string | null;
  name: string;
  mask: string | null;
  subtype: string | null;
  status: BankAccountStatus;
  itemId: string;
  itemStatus: ItemStatus;
  reviewStatus: ReviewStatus;
  /** Held for review and may not fund until approved ("fund before review" is off): the account rule's ACCOUNT_UNDER_REVIEW. */
  awaitingReview: boolean;
  /** Whether the first debit still needs the ACH authorization to be accepted. */
  needsMandate: boolean;
  /** Status UNUSABLE: why the bank returned a debit, and what to do (lib/funding/ach-returns.ts); null otherwise. */
  returned: { reason: string; nextStep: string } | null;
}

export interface PaymentView {
  id: string;
  requestId: string;
  amountCents: number;
  status: PaymentStatus;
  createdAt: string;
  bankLabel: string;
  failureReason: string | null;
  /** For a debit the bank returned: what the person can do next (link again, or retry when funds are there). */
  nextStep: string | null;
  /** The account holder disputed this succeeded debit: its amount was taken back from the balance. */
  disputed: boolean;
  /** An admin refunded this succeeded debit: "pending" while the refund settles (its amount is held), "refunded" once it succeeded. */
  refund: "pending" | "refunded" | null;
}

export interface BalanceView {
  /** Settled: credited once each debit succeeds, less disputes, refunds and refunds on their way. */
  availableCents: number;
  /** Debits started but not settled yet. */
  pendingCents: number;
}

export interface DashboardData {
  /** Whether the user's email address is verified: until it is, they cannot link a bank or fund (lib/auth/email-verification.ts). */
  emailVerified: boolean;
  bankAccounts: BankAccountView[];
  balances: BalanceView;
  payments: PaymentView[];
  limits: { minCents: number; maxCents: number; dailyMaxCents: number; thirtyDayMaxCents: number };
}
