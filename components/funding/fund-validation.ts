/** The fund form's checks, run in the browser before anything is sent (the server checks again). */
import { formatUsd } from "@/lib/format";

/**
 * Dollars as typed ("25", "25.5", "$1,000.00") to whole cents, without
 * floating-point rounding; null when it is not an amount.
 */
export function dollarsToCents(input: string): number | null {
  const cleaned = input
    .trim()
    .replace(/^\$\s*/, "")
    .replace(/,/g, "");
  const match = /^(\d{1,9})(?:\.(\d{0,2}))?$/.exec(cleaned) ?? /^()\.(\d{1,2})$/.exec(cleaned);
  if (!match) return null;
  const whole = Number(match[1] || "0");
  const fraction = Number((match[2] ?? "").padEnd(2, "0") || "0");
  return whole * 100 + fraction;
}

export interface FundFormInput {
  amount: string;
  /** The ACH authorization is on screen, so it must be accepted. */
  mandateShown: boolean;
  mandateAccepted: boolean;
}

export interface FundFormCheck {
  /** Whole cents to send; null when the form must not be sent (then at least one error is set). */
  cents: number | null;
  amountError?: string;
  mandateError?: string;
}

/** Both fields are checked at once, so the person sees every problem in one go. */
export function validateFundForm(form: FundFormInput, limits: { minCents: number; maxCents: number }): FundFormCheck {
  const cents = dollarsToCents(form.amount);
  let amountError: string | undefined;
  if (cents === null || cents === 0) amountError = "Enter an amount in dollars, like 25 or 25.50.";
  else if (cents < limits.minCents) amountError = `The minimum is ${formatUsd(limits.minCents)}.`;
  else if (cents > limits.maxCents) amountError = `The maximum per transfer is ${formatUsd(limits.maxCents)}.`;
  const mandateError = form.mandateShown && !form.mandateAccepted ? 'Check "I authorize" to allow this debit.' : undefined;
  return { cents: amountError || mandateError ? null : cents, amountError, mandateError };
}
