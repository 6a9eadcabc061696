import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { observeCharge, observeIntent, plainFailureReason } from "@/lib/funding/stripe-debit";

type Intent = Parameters<typeof observeIntent>[0];
const error = (code: string | undefined, message = "raw text") =>
  ({ code, message, decline_code: undefined }) as unknown as Stripe.PaymentIntent.LastPaymentError;

describe("a PaymentIntent in the ledger's terms", () => {
  it.each<[string, Intent, ReturnType<typeof observeIntent>]>([
    ["processing", { status: "processing", latest_charge: "ch_1", last_payment_error: null }, { status: "PROCESSING", chargeId: "ch_1" }],
    [
      "succeeded",
      { status: "succeeded", latest_charge: { id: "ch_2" } as Stripe.Charge, last_payment_error: null },
      { status: "SUCCEEDED", chargeId: "ch_2" },
    ],
    ["canceled", { status: "canceled", latest_charge: null, last_payment_error: null }, { status: "CANCELED", chargeId: null }],
    [
      "requires_payment_method, no error (not confirmed yet)",
      { status: "requires_payment_method", latest_charge: null, last_payment_error: null },
      { status: "PENDING", chargeId: null },
    ],
    [
      "requires_payment_method after a return",
      { status: "requires_payment_method", latest_charge: "ch_3", last_payment_error: error("insufficient_funds") },
      { status: "FAILED", failureCode: "insufficient_funds", failureMessage: "Insufficient funds in the bank account.", chargeId: "ch_3" },
    ],
    [
      "requires_payment_method, error without a code",
      { status: "requires_payment_method", latest_charge: null, last_payment_error: error(undefined, "  ") },
      { status: "FAILED", failureCode: "payment_failed", failureMessage: "The bank declined this debit.", chargeId: null },
    ],
    [
      "requires_confirmation",
      { status: "requires_confirmation", latest_charge: null, last_payment_error: null },
      { status: "PENDING", chargeId: null },
    ],
    [
      "requires_action",
      { status: "requires_action", latest_charge: null, last_payment_error: null },
      { status: "PENDING", chargeId: null },
    ],
  ])("%s", (_label, intent, expected) => {
    expect(observeIntent(intent)).toEqual(expected);
  });
});

describe("a legacy Charge in the ledger's terms", () => {
  it.each<[Stripe.Charge["status"], string | null, ReturnType<typeof observeCharge>]>([
    ["pending", null, { status: "PROCESSING", chargeId: "ch_x" }],
    ["succeeded", null, { status: "SUCCEEDED", chargeId: "ch_x" }],
    [
      "failed",
      "account_closed",
      { status: "FAILED", failureCode: "account_closed", failureMessage: "The bank account is closed.", chargeId: "ch_x" },
    ],
    ["failed", null, { status: "FAILED", failureCode: "payment_failed", failureMessage: "raw text", chargeId: "ch_x" }],
  ])("%s (failure code %s)", (status, failureCode, expected) => {
    expect(observeCharge({ id: "ch_x", status, failure_code: failureCode, failure_message: "raw text" })).toEqual(expected);
  });
});

describe("failure texts a person sees", () => {
  it.each([
    ["insufficient_funds", "Insufficient funds in the bank account."],
    ["account_closed", "The bank account is closed."],
    ["no_account", "The bank could not find this account."],
    ["debit_not_authorized", "The bank reported this debit as not authorized."],
    ["invalid_currency", "The bank account cannot accept US dollar debits."],
    ["bank_account_restricted", "The bank account does not allow debits."],
    ["account_frozen", "The bank account is frozen."],
    ["invalid_account_number", "The account number is invalid."],
  ])("%s", (code, text) => {
    expect(plainFailureReason(code, "Stripe's own words")).toBe(text);
  });

  it.each<[string | null | undefined, string | null | undefined, string]>([
    ["some_new_code", "Stripe's own words", "Stripe's own words"],
    ["some_new_code", "  padded  ", "padded"],
    [null, "", "The bank declined this debit."],
    [undefined, null, "The bank declined this debit."],
    ["toString", undefined, "The bank declined this debit."],
  ])("unknown code %j with fallback %j", (code, fallback, text) => {
    expect(plainFailureReason(code, fallback)).toBe(text);
  });
});
