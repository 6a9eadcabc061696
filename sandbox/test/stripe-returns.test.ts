import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { customerWithBankAccount, debit, useStripeHarness } from "./stripe-harness.js";

const h = useStripeHarness();

/** A debit from `accountNumber`, settled (or failed with `code`), with its charge and intent read back. */
async function returned(accountNumber: string, fail?: Record<string, string>) {
  const { customer, bankAccount } = await customerWithBankAccount(h.stripe, accountNumber);
  const pending = await debit(h.stripe, customer.id, bankAccount.id);
  await h.control(fail ? "fail" : "settle", { payment_intent: pending.id, ...fail });
  const intent = await h.stripe.paymentIntents.retrieve(pending.id);
  const charge = await h.stripe.charges.retrieve(pending.latest_charge as string);
  return { intent, charge, bankAccount };
}

describe("return details of a failed ACH debit", () => {
  it.each([
    ["000111111113", "account_closed", "R02", "bank_account_closed"],
    ["000111111116", "no_account", "R03", "bank_account_invalid_details"],
    ["000222222227", "insufficient_funds", "R01", "insufficient_funds"],
    ["000333333335", "debit_not_authorized", "R10", "debit_not_authorized"],
  ])("%s: %s with return code %s (decline code %s)", async (account, code, returnCode, declineCode) => {
    const { intent, charge, bankAccount } = await returned(account);
    expect(charge).toMatchObject({
      status: "failed",
      failure_code: code,
      failure_message: expect.any(String),
      outcome: {
        network_status: "declined_by_network",
        network_decline_code: returnCode,
        reason: declineCode,
        type: "issuer_declined",
      },
    });
    expect(intent.last_payment_error).toEqual({
      type: "card_error",
      code,
      decline_code: declineCode,
      message: charge.failure_message,
      network_decline_code: returnCode,
      charge: charge.id,
      payment_method_type: "us_bank_account",
      payment_method: expect.objectContaining({ id: bankAccount.id, type: "us_bank_account" }) as Stripe.PaymentMethod,
    });
  });

  it("invalid_currency is not a NACHA return: no return code", async () => {
    const { charge, intent } = await returned("000444444440");
    expect(charge.outcome).toMatchObject({ network_decline_code: null, reason: "bank_account_unusable" });
    expect(intent.last_payment_error).not.toHaveProperty("network_decline_code");
  });

  it("a forced failure uses the code's usual return code unless return_code names another", async () => {
    const frozen = await returned("000123456789", { code: "account_frozen" });
    expect(frozen.charge).toMatchObject({
      failure_code: "account_frozen",
      outcome: { network_decline_code: "R16", reason: "bank_account_frozen" },
    });
    const revoked = await returned("000123456789", { code: "debit_not_authorized", return_code: "R07" });
    expect(revoked.charge.outcome).toMatchObject({ network_decline_code: "R07", reason: "debit_not_authorized" });
    expect(revoked.intent.last_payment_error).toMatchObject({ network_decline_code: "R07", decline_code: "debit_not_authorized" });
    expect((await h.stripe.paymentMethods.retrieve(revoked.bankAccount.id)).us_bank_account!.status_details).toEqual({
      blocked: { reason: "debit_not_authorized", network_code: "R07" },
    });
  });
});
