import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { observeCharge, observeIntent } from "@/lib/funding/stripe-debit";

type Intent = Parameters<typeof observeIntent>[0];
const error = (code: string | undefined, message = "raw text", networkDeclineCode?: string) =>
  ({
    code,
    message,
    decline_code: undefined,
    network_decline_code: networkDeclineCode,
  }) as unknown as Stripe.PaymentIntent.LastPaymentError;

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
      {
        status: "FAILED",
        failureCode: "insufficient_funds",
        returnCode: "R01",
        failureMessage: "Insufficient funds in the bank account.",
        chargeId: "ch_3",
      },
    ],
    [
      "requires_payment_method after a return whose R-code Stripe names",
      { status: "requires_payment_method", latest_charge: "ch_4", last_payment_error: error("debit_not_authorized", "raw", "R29") },
      {
        status: "FAILED",
        failureCode: "debit_not_authorized",
        returnCode: "R29",
        failureMessage: "The bank reported this debit as not authorized.",
        chargeId: "ch_4",
      },
    ],
    [
      "requires_payment_method, error without a code",
      { status: "requires_payment_method", latest_charge: null, last_payment_error: error(undefined, "  ") },
      {
        status: "FAILED",
        failureCode: "payment_failed",
        returnCode: null,
        failureMessage: "The bank declined this debit.",
        chargeId: null,
      },
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
      {
        status: "FAILED",
        failureCode: "account_closed",
        returnCode: "R02",
        failureMessage: "The bank account is closed.",
        chargeId: "ch_x",
      },
    ],
    ["failed", null, { status: "FAILED", failureCode: "payment_failed", returnCode: null, failureMessage: "raw text", chargeId: "ch_x" }],
  ])("%s (failure code %s)", (status, failureCode, expected) => {
    expect(observeCharge({ id: "ch_x", status, failure_code: failureCode, failure_message: "raw text" })).toEqual(expected);
  });

  it("takes the ACH return code from the charge's outcome when Stripe names one", () => {
    expect(
      observeCharge({
        id: "ch_y",
        status: "failed",
        failure_code: "no_account",
        failure_message: "raw",
        outcome: { network_decline_code: "R03" },
      }),
    ).toMatchObject({ failureCode: "no_account", returnCode: "R03" });
  });
});
