import { describe, expect, it } from "vitest";
import { achReturnOf, KNOWN_ACH_FAILURE_CODES, NEXT_STEP_TEXT } from "@/lib/funding/ach-returns";

describe("what an ACH return means", () => {
  // Every code the mapping knows: the person's words, the next step, the admin's R-code, whether the account stays usable.
  const TABLE: [string, string, "relink" | "retry_later", string | null, boolean][] = [
    ["insufficient_funds", "Insufficient funds in the bank account.", "retry_later", "R01", true],
    ["account_closed", "The bank account is closed.", "relink", "R02", false],
    ["no_account", "The bank could not find this account.", "relink", "R03", false],
    ["invalid_account_number", "The account number is invalid.", "relink", "R04", false],
    ["debit_not_authorized", "The bank reported this debit as not authorized.", "relink", "R10", false],
    ["account_frozen", "The bank account is frozen.", "relink", "R16", false],
    ["bank_account_restricted", "The bank account does not allow debits.", "relink", "R20", false],
    ["invalid_currency", "The bank account cannot accept US dollar debits.", "relink", null, false],
    [
      "bank_account_unusable",
      "Your bank returned an earlier transfer from this account, so it can't be debited again.",
      "relink",
      null,
      false,
    ],
  ];

  it.each(TABLE)("%s", (code, reason, nextStep, returnCode, accountUsable) => {
    expect(achReturnOf({ failureCode: code, fallbackMessage: "Stripe's own words" })).toEqual({
      failureCode: code,
      reason,
      nextStep,
      returnCode,
      accountUsable,
    });
  });

  it("the table covers every code the mapping knows", () => {
    expect(TABLE.map(([code]) => code).sort()).toEqual([...KNOWN_ACH_FAILURE_CODES].sort());
  });

  it("only insufficient funds keeps the account usable", () => {
    expect(KNOWN_ACH_FAILURE_CODES.filter((code) => achReturnOf({ failureCode: code }).accountUsable)).toEqual(["insufficient_funds"]);
  });

  it.each<[string | undefined, string, string]>([
    // Stripe's R-code wins over the code's usual one (R29: a business account holder's "not authorized").
    ["debit_not_authorized", "R29", "R29"],
    ["insufficient_funds", "R09", "R09"],
    // Anything that is not an R-code is not taken as one.
    ["account_closed", "do_not_honor", "R02"],
    ["account_closed", "R2", "R02"],
    ["account_closed", "R02; DROP TABLE", "R02"],
  ])("failure %s with network_decline_code %j → %s", (failureCode, networkDeclineCode, returnCode) => {
    expect(achReturnOf({ failureCode, networkDeclineCode }).returnCode).toBe(returnCode);
  });

  it("without a known failure code, the R-code alone decides", () => {
    expect(achReturnOf({ failureCode: null, networkDeclineCode: "R01" })).toMatchObject({
      reason: "Insufficient funds in the bank account.",
      returnCode: "R01",
      accountUsable: true,
      nextStep: "retry_later",
    });
    expect(achReturnOf({ failureCode: "payment_failed", networkDeclineCode: "R02" })).toMatchObject({
      failureCode: "payment_failed",
      returnCode: "R02",
      accountUsable: false,
    });
  });

  it.each<[string | null | undefined, string | null | undefined, string]>([
    ["some_new_code", "Stripe's own words", "Stripe's own words"],
    ["some_new_code", "  padded  ", "padded"],
    [null, "", "The bank declined this debit."],
    [undefined, null, "The bank declined this debit."],
    ["toString", undefined, "The bank declined this debit."],
    ["constructor", undefined, "The bank declined this debit."],
  ])("an unknown code %j (fallback %j): Stripe's words, and the account is not debited again", (failureCode, fallbackMessage, reason) => {
    expect(achReturnOf({ failureCode, fallbackMessage })).toMatchObject({
      reason,
      returnCode: null,
      accountUsable: false,
      nextStep: "relink",
    });
  });

  it("says what to do next in plain words", () => {
    expect(NEXT_STEP_TEXT).toEqual({
      relink: "Link your bank again to keep funding.",
      retry_later: "Try again when funds are available.",
    });
  });
});
