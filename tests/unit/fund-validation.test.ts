import { describe, expect, it } from "vitest";
import { dollarsToCents, validateFundForm } from "@/components/funding/fund-validation";

describe("dollarsToCents: what the fund form accepts as an amount", () => {
  it.each([
    // Plain amounts
    ["25", 2_500],
    ["25.5", 2_550],
    ["25.50", 2_550],
    ["0.1", 10],
    ["1.", 100],
    [".5", 50],
    [".05", 5],
    ["00025", 2_500],
    // Exact cents where binary floating point is not (19.99 * 100 = 1998.9999999999998)
    ["19.99", 1_999],
    ["1.15", 115],
    ["0.29", 29],
    ["4.35", 435],
    // A leading "$", thousands separators, surrounding whitespace
    ["$1,000.00", 100_000],
    ["$25", 2_500],
    ["$ 25", 2_500],
    ["$.5", 50],
    [" 25 ", 2_500],
    ["\t25\n", 2_500],
    ["\u00a025", 2_500], // no-break space, as pasted from a web page
    // Commas are dropped wherever they are (see the report: "1,50" reads as $150.00)
    ["1,00", 10_000],
    ["1,50", 15_000],
    ["1,,000", 100_000],
    [",100", 10_000],
    ["100,", 10_000],
    // Zero parses; the form's validation refuses it
    ["0", 0],
    ["0.00", 0],
    // Huge: up to 9 digits of dollars
    ["999999999.99", 99_999_999_999],
    ["999,999,999", 99_999_999_900],
  ])("%j → %d cents", (input, cents) => {
    expect(dollarsToCents(input)).toBe(cents);
  });

  it.each([
    [""],
    ["   "],
    ["."],
    ["abc"],
    // Fractions of a cent are refused, not rounded
    ["0.005"],
    ["1.234"],
    ["25.999"],
    // Exponents, signs, other notations
    ["1e3"],
    ["-5"],
    ["-$5"],
    ["$-5"],
    ["+5"],
    ["0x10"],
    ["Infinity"],
    ["NaN"],
    ["1_000"],
    ["25.5.5"],
    ["2 5"],
    ["25$"],
    ["$$25"],
    ["USD 25"],
    ["２５"], // full-width digits
    // Control and invisible characters
    ["25\0"],
    ["\u000025"],
    ["\u200b25"], // zero-width space
    // 10 digits of dollars and more
    ["1000000000"],
    ["1,000,000,000"],
    ["99999999999999999999"],
  ])("%j → null", (input) => {
    expect(dollarsToCents(input)).toBeNull();
  });
});

describe("validateFundForm", () => {
  const limits = { minCents: 100, maxCents: 500_000 };
  const ENTER = "Enter an amount in dollars, like 25 or 25.50.";
  const AUTHORIZE = 'Check "I authorize" to allow this debit.';

  it.each([
    // amount, mandate shown, mandate accepted → cents to send, amount error, mandate error
    { amount: "25", shown: false, accepted: false, cents: 2_500 },
    { amount: "25", shown: true, accepted: true, cents: 2_500 },
    { amount: "1", shown: false, accepted: false, cents: 100 },
    { amount: "5000", shown: false, accepted: false, cents: 500_000 },
    { amount: "", shown: false, accepted: false, cents: null, amountError: ENTER },
    { amount: "abc", shown: false, accepted: false, cents: null, amountError: ENTER },
    { amount: "0", shown: false, accepted: false, cents: null, amountError: ENTER },
    { amount: "0.99", shown: false, accepted: false, cents: null, amountError: "The minimum is $1.00." },
    { amount: "5000.01", shown: false, accepted: false, cents: null, amountError: "The maximum per transfer is $5,000.00." },
    { amount: "25", shown: true, accepted: false, cents: null, mandateError: AUTHORIZE },
    // Both wrong: both shown at once
    { amount: "abc", shown: true, accepted: false, cents: null, amountError: ENTER, mandateError: AUTHORIZE },
    { amount: "0.50", shown: true, accepted: false, cents: null, amountError: "The minimum is $1.00.", mandateError: AUTHORIZE },
  ])("$amount (mandate shown $shown, accepted $accepted) → $cents", ({ amount, shown, accepted, cents, amountError, mandateError }) => {
    const check = validateFundForm({ amount, mandateShown: shown, mandateAccepted: accepted }, limits);
    expect(check).toEqual({ cents, amountError, mandateError });
  });
});
