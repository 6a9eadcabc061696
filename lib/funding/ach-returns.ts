/**
 * What a failed ACH debit means: the one mapping from Stripe's failure code
 * (and, when Stripe gives it, the ACH return code in
 * `network_decline_code`) to the words the person sees, what they can do
 * next, the NACHA return code the admin sees, and whether the bank account
 * may be debited again.
 *
 * Stripe keeps a bank account usable after a return only for insufficient
 * funds (R01, and R09 "uncollected funds", which Stripe reports as
 * insufficient_funds); every other return (closed, no account, invalid
 * number, not authorized, frozen, restricted…) makes it unusable, and so it
 * does here. A failure whose code is not listed is treated the same way
 * (unusable): Stripe's rule keeps an account only for insufficient funds,
 * and retrying an account the bank refused for an unknown reason is the
 * riskier mistake.
 *
 * Pure, with no server imports: the dashboard and the admin console show
 * what it says.
 */

export type AchNextStep = "relink" | "retry_later";

export interface AchReturn {
  /** Stripe's failure code, as it came (null when Stripe gave none). */
  failureCode: string | null;
  /** The NACHA return code (R01…), from Stripe's network_decline_code when it names one, else the code's usual return; null when unknown. */
  returnCode: string | null;
  /** Plain words for the person. */
  reason: string;
  /** What the person can do next. */
  nextStep: AchNextStep;
  /** Whether the bank account may be debited again. */
  accountUsable: boolean;
}

interface Entry {
  reason: string;
  /** The return codes Stripe reports with this failure code, the usual one first. */
  returnCodes: readonly string[];
  accountUsable: boolean;
}

/** Stripe's ACH failure codes. A Map, not an object literal: a code such as "constructor" must not find Object.prototype's members. */
const ENTRIES = new Map<string, Entry>(
  Object.entries({
    insufficient_funds: { reason: "Insufficient funds in the bank account.", returnCodes: ["R01", "R09"], accountUsable: true },
    account_closed: { reason: "The bank account is closed.", returnCodes: ["R02"], accountUsable: false },
    no_account: { reason: "The bank could not find this account.", returnCodes: ["R03"], accountUsable: false },
    invalid_account_number: { reason: "The account number is invalid.", returnCodes: ["R04"], accountUsable: false },
    debit_not_authorized: {
      reason: "The bank reported this debit as not authorized.",
      returnCodes: ["R10", "R05", "R07", "R29", "R51"],
      accountUsable: false,
    },
    account_frozen: { reason: "The bank account is frozen.", returnCodes: ["R16"], accountUsable: false },
    bank_account_restricted: { reason: "The bank account does not allow debits.", returnCodes: ["R20"], accountUsable: false },
    invalid_currency: { reason: "The bank account cannot accept US dollar debits.", returnCodes: [], accountUsable: false },
    // Stripe's answer (402) to a new debit on a bank account it blocked after an earlier return.
    bank_account_unusable: {
      reason: "Your bank returned an earlier transfer from this account, so it can't be debited again.",
      returnCodes: [],
      accountUsable: false,
    },
  } satisfies Record<string, Entry>),
);

/** Every failure code the mapping knows (for tests and documentation). */
export const KNOWN_ACH_FAILURE_CODES: readonly string[] = [...ENTRIES.keys()];

const RETURN_CODE = /^R[0-9]{2}$/;

/** The words for the next step, as the dashboard shows them. */
export const NEXT_STEP_TEXT: Record<AchNextStep, string> = {
  relink: "Link your bank again to keep funding.",
  retry_later: "Try again when funds are available.",
};

/**
 * What a failed debit means. `fallbackMessage` (Stripe's own message) is
 * used for a code the mapping does not know; `networkDeclineCode` is taken
 * as the return code only when it is one (R + two digits).
 */
export function achReturnOf(failure: {
  failureCode: string | null | undefined;
  networkDeclineCode?: string | null;
  fallbackMessage?: string | null;
}): AchReturn {
  const failureCode = failure.failureCode || null;
  const network = failure.networkDeclineCode && RETURN_CODE.test(failure.networkDeclineCode) ? failure.networkDeclineCode : null;
  const entry =
    (failureCode ? ENTRIES.get(failureCode) : undefined) ??
    // No known failure code: the return code alone may say which it is.
    (network ? [...ENTRIES.values()].find((e) => e.returnCodes.includes(network)) : undefined);
  const accountUsable = entry?.accountUsable ?? false;
  return {
    failureCode,
    returnCode: network ?? entry?.returnCodes[0] ?? null,
    reason: entry?.reason ?? (failure.fallbackMessage?.trim() || "The bank declined this debit."),
    nextStep: accountUsable ? "retry_later" : "relink",
    accountUsable,
  };
}
