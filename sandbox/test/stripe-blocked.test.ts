import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { customerWithBankAccount, debit, ONLINE_ACCEPTANCE, rejection, useStripeHarness } from "./stripe-harness.js";

const h = useStripeHarness();

/** A customer whose first debit on `accountNumber` was settled (by its test outcome). */
async function afterFirstDebit(accountNumber: string) {
  const { customer, bankAccount } = await customerWithBankAccount(h.stripe, accountNumber);
  const first = await debit(h.stripe, customer.id, bankAccount.id);
  await h.control("settle", { payment_intent: first.id });
  return { customer, bankAccount, first };
}

describe("blocked bank accounts", () => {
  it.each([
    ["000111111113", "account_closed", "bank_account_closed", "R02"],
    ["000111111116", "no_account", "bank_account_invalid_details", "R03"],
    ["000333333335", "debit_not_authorized", "debit_not_authorized", "R10"],
  ])(
    "a %s return (%s) blocks the account: a new debit fails at once with 402 bank_account_unusable",
    async (account, _code, reason, networkCode) => {
      const { customer, bankAccount } = await afterFirstDebit(account);

      // Shown on the account as Stripe shows it.
      const source = (await h.stripe.customers.retrieveSource(customer.id, bankAccount.id)) as Stripe.BankAccount;
      expect(source.status).toBe("errored");
      const paymentMethod = await h.stripe.paymentMethods.retrieve(bankAccount.id);
      expect(paymentMethod.us_bank_account!.status_details).toEqual({ blocked: { reason, network_code: networkCode } });

      const refused = await rejection(debit(h.stripe, customer.id, bankAccount.id, 1000, false));
      expect(refused).toMatchObject({ type: "StripeCardError", statusCode: 402, code: "bank_account_unusable" });
      expect(refused.message).toMatch(/cannot be used/);
      // The error carries the intent, which recorded the failed attempt; no charge was made.
      const intent = refused.payment_intent!;
      expect(intent).toMatchObject({
        status: "requires_payment_method",
        payment_method: null,
        latest_charge: null,
        last_payment_error: { type: "card_error", code: "bank_account_unusable", payment_method: { id: bankAccount.id } },
      });
      expect(await h.stripe.paymentIntents.retrieve(intent.id)).toMatchObject({ status: "requires_payment_method" });
      const failedEvents = await h.stripe.events.list({ type: "payment_intent.payment_failed", limit: 100 });
      expect(failedEvents.data.some((e) => (e.data.object as Stripe.PaymentIntent).id === intent.id)).toBe(true);
    },
  );

  it("refuses to set up a blocked account with a SetupIntent (402, setup_intent.setup_failed)", async () => {
    const { customer, bankAccount } = await afterFirstDebit("000111111113");
    const refused = await rejection(
      h.stripe.setupIntents.create({
        customer: customer.id,
        payment_method: bankAccount.id,
        allowed_payment_method_types: ["us_bank_account"],
        confirm: true,
        mandate_data: ONLINE_ACCEPTANCE,
      }),
    );
    expect(refused).toMatchObject({ statusCode: 402, code: "bank_account_unusable" });
    expect(refused.setup_intent).toMatchObject({ status: "requires_payment_method", last_setup_error: { code: "bank_account_unusable" } });
  });

  it("insufficient funds does not block: the account can be debited again", async () => {
    const { customer, bankAccount } = await afterFirstDebit("000222222227");
    const source = (await h.stripe.customers.retrieveSource(customer.id, bankAccount.id)) as Stripe.BankAccount;
    expect(source.status).toBe("verified");
    expect((await h.stripe.paymentMethods.retrieve(bankAccount.id)).us_bank_account!.status_details).toBeNull();
    expect((await debit(h.stripe, customer.id, bankAccount.id, 1000, false)).status).toBe("processing");
  });

  it("refuses a legacy charge on a blocked source with the same error", async () => {
    const { customer, bankAccount } = await afterFirstDebit("000111111113");
    const refused = await rejection(
      h.stripe.charges.create({ amount: 1000, currency: "usd", customer: customer.id, source: bankAccount.id }),
    );
    expect(refused).toMatchObject({ statusCode: 402, code: "bank_account_unusable" });
  });

  it("a second dispute on the same account blocks it (the first revokes the mandate only)", async () => {
    const { customer, bankAccount } = await afterFirstDebit("000555555559");
    expect(((await h.stripe.customers.retrieveSource(customer.id, bankAccount.id)) as Stripe.BankAccount).status).toBe("verified");
    const second = await debit(h.stripe, customer.id, bankAccount.id, 1000, true);
    await h.control("settle", { payment_intent: second.id });
    expect((await h.stripe.paymentMethods.retrieve(bankAccount.id)).us_bank_account!.status_details).toEqual({
      blocked: { reason: "debit_not_authorized", network_code: "R10" },
    });
    const refused = await rejection(debit(h.stripe, customer.id, bankAccount.id, 1000, true));
    expect(refused.code).toBe("bank_account_unusable");
  });
});
