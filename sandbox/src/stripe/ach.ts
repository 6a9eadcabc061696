/**
 * Stripe's ACH test bank accounts (routing 110000000) and what happens when
 * a debit from them settles.
 */
export const TEST_ROUTING_NUMBER = "110000000";
export const TEST_BANK_NAME = "STRIPE TEST BANK";

export type AchFailureCode =
  | "account_closed"
  | "no_account"
  | "insufficient_funds"
  | "debit_not_authorized"
  | "invalid_currency"
  | "invalid_account_number"
  | "account_frozen"
  | "bank_account_restricted";

/** Charge failure messages, as Stripe words them for ACH returns. */
export const ACH_FAILURE_MESSAGES: Record<AchFailureCode, string> = {
  account_closed: "The customer's bank account has been closed.",
  no_account: "The customer's bank account could not be located.",
  insufficient_funds: "The customer's account has insufficient funds to cover this payment.",
  debit_not_authorized: "The customer has notified their bank that this payment was unauthorized.",
  invalid_account_number: "The customer's bank account number is invalid.",
  invalid_currency:
    "The bank was unable to process this payment because of its currency. This is probably because the bank account cannot accept payments in that currency.",
  account_frozen: "The customer's bank account has been frozen.",
  bank_account_restricted: "The customer's bank account has restrictions on the type or number of debits allowed.",
};

/**
 * What a return looks like on Stripe, by failure code: the usual ACH return
 * code (`network_decline_code`, R01…) and Stripe's decline code for it, from
 * Stripe's "Network decline codes" table for ACH Direct Debit (R01/R09
 * insufficient_funds, R02 bank_account_closed, R03/R04
 * bank_account_invalid_details, R05/R07/R08/R10/R11/R29/R31
 * debit_not_authorized, R16 bank_account_frozen, R20
 * bank_account_restricted). invalid_currency is not a NACHA return: no code.
 */
export const ACH_RETURNS: Record<AchFailureCode, { returnCode: string | null; declineCode: string }> = {
  insufficient_funds: { returnCode: "R01", declineCode: "insufficient_funds" },
  account_closed: { returnCode: "R02", declineCode: "bank_account_closed" },
  no_account: { returnCode: "R03", declineCode: "bank_account_invalid_details" },
  invalid_account_number: { returnCode: "R04", declineCode: "bank_account_invalid_details" },
  debit_not_authorized: { returnCode: "R10", declineCode: "debit_not_authorized" },
  account_frozen: { returnCode: "R16", declineCode: "bank_account_frozen" },
  bank_account_restricted: { returnCode: "R20", declineCode: "bank_account_restricted" },
  invalid_currency: { returnCode: null, declineCode: "bank_account_unusable" },
};

export function isAchFailureCode(code: unknown): code is AchFailureCode {
  return typeof code === "string" && code in ACH_FAILURE_MESSAGES;
}

export type AchOutcome =
  | { kind: "succeed" }
  /** `returnCode`: the ACH return code Stripe reports in `network_decline_code` (R01…), when set. */
  | { kind: "fail"; code: AchFailureCode; returnCode?: string }
  /** Succeeds, then the customer disputes it (the mandate is revoked). */
  | { kind: "dispute" }
  /** Never settles by itself; only `succeed`/`fail` control actions move it. */
  | { kind: "stay_processing" };

const OUTCOMES: Record<string, AchOutcome> = {
  "000123456789": { kind: "succeed" },
  "000111111113": { kind: "fail", code: "account_closed" },
  "000111111116": { kind: "fail", code: "no_account" },
  "000222222227": { kind: "fail", code: "insufficient_funds" },
  "000333333335": { kind: "fail", code: "debit_not_authorized" },
  "000444444440": { kind: "fail", code: "invalid_currency" },
  "000555555559": { kind: "dispute" },
  "000000000009": { kind: "stay_processing" },
};

/** Any other account number behaves like the success account. */
export function outcomeForAccount(accountNumber: string): AchOutcome {
  return OUTCOMES[accountNumber] ?? { kind: "succeed" };
}

/** Stripe's reusable test tokens: always valid, never consumed. */
export const TEST_TOKENS: Record<string, string> = {
  btok_us_verified: "000123456789",
  btok_us_verified_noAccount: "000111111116",
  btok_us_verified_accountClosed: "000111111113",
  btok_us_verified_insufficientFunds: "000222222227",
  btok_us_verified_debitNotAuthorized: "000333333335",
  btok_us_verified_invalidCurrency: "000444444440",
};

/** Micro-deposit amounts that verify a bank account in test mode. */
export const TEST_MICRODEPOSIT_AMOUNTS = [32, 45] as const;
