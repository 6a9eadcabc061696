import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { customerWithBankAccount, debit, ONLINE_ACCEPTANCE, rejection, startStripeHarness, useStripeHarness } from "./stripe-harness.js";

const h = useStripeHarness();

/** Event types recorded for an object (oldest first). */
async function eventTypesFor(objectIds: string[]): Promise<string[]> {
  const events = await h.stripe.events.list({ limit: 100 }).autoPagingToArray({ limit: 1000 });
  return events
    .filter((e) => objectIds.includes((e.data.object as { id: string }).id))
    .reverse()
    .map((e) => e.type);
}

describe("ACH outcomes by test account number", () => {
  it("000123456789 succeeds", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const intent = await debit(h.stripe, customer.id, bankAccount.id);
    expect(intent.status).toBe("processing");
    await h.control("settle", { payment_intent: intent.id });
    const settled = await h.stripe.paymentIntents.retrieve(intent.id, { expand: ["latest_charge"] });
    expect(settled).toMatchObject({ status: "succeeded", amount_received: 2500, last_payment_error: null });
    expect(settled.latest_charge).toMatchObject({ status: "succeeded", paid: true, outcome: { network_status: "approved_by_network" } });
    expect(await eventTypesFor([intent.id, (settled.latest_charge as Stripe.Charge).id])).toEqual([
      "payment_intent.created",
      "charge.pending",
      "payment_intent.processing",
      "charge.succeeded",
      "payment_intent.succeeded",
    ]);
  });

  it.each([
    ["000111111113", "account_closed", "The customer's bank account has been closed."],
    ["000111111116", "no_account", "The customer's bank account could not be located."],
    ["000222222227", "insufficient_funds", "The customer's account has insufficient funds to cover this payment."],
    ["000333333335", "debit_not_authorized", "The customer has notified their bank that this payment was unauthorized."],
    ["000444444440", "invalid_currency", expect.stringMatching(/because of its currency/)],
  ])("%s fails with %s", async (accountNumber, code, message) => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, accountNumber);
    const intent = await debit(h.stripe, customer.id, bankAccount.id);
    await h.control("settle", { payment_intent: intent.id });
    const failed = await h.stripe.paymentIntents.retrieve(intent.id);
    expect(failed.status).toBe("requires_payment_method");
    expect(failed.payment_method).toBeNull();
    expect(failed.last_payment_error).toMatchObject({
      type: "card_error",
      code,
      message,
      charge: intent.latest_charge,
      payment_method_type: "us_bank_account",
      payment_method: { id: bankAccount.id, type: "us_bank_account" },
    });
    const charge = await h.stripe.charges.retrieve(intent.latest_charge as string);
    expect(charge).toMatchObject({ status: "failed", paid: false, failure_code: code, failure_message: message });
    const types = await eventTypesFor([intent.id, charge.id]);
    expect(types.slice(-2)).toEqual(["charge.failed", "payment_intent.payment_failed"]);

    // Only after insufficient funds can the intent be retried on the same account (the mandate is reused);
    // every other return blocks the account (stripe-blocked.test.ts).
    if (code === "insufficient_funds") {
      const retried = await h.stripe.paymentIntents.confirm(intent.id, { payment_method: bankAccount.id });
      expect(retried.status).toBe("processing");
      expect(retried.last_payment_error).toBeNull();
    } else {
      const refused = await rejection(h.stripe.paymentIntents.confirm(intent.id, { payment_method: bankAccount.id }));
      expect(refused).toMatchObject({ statusCode: 402, code: "bank_account_unusable" });
    }
  });

  it("000555555559 succeeds, then is disputed and its mandate revoked", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000555555559");
    const intent = await debit(h.stripe, customer.id, bankAccount.id);
    const charge = await h.stripe.charges.retrieve(intent.latest_charge as string);
    const mandateId = charge.payment_method_details!.us_bank_account!.mandate as string;
    await h.control("settle", { payment_intent: intent.id });

    expect((await h.stripe.paymentIntents.retrieve(intent.id)).status).toBe("succeeded");
    expect(await h.stripe.charges.retrieve(charge.id)).toMatchObject({ status: "succeeded", disputed: true });
    expect((await h.stripe.mandates.retrieve(mandateId)).status).toBe("inactive");
    const events = await h.stripe.events.list({ type: "charge.dispute.created", limit: 100 });
    const dispute = events.data.map((e) => e.data.object as Stripe.Dispute).find((d) => d.charge === charge.id);
    expect(dispute).toMatchObject({ object: "dispute", amount: 2500, payment_intent: intent.id, reason: "debit_not_authorized" });
    expect((await h.stripe.disputes.retrieve(dispute!.id)).id).toBe(dispute!.id);
    const mandateEvents = await h.stripe.events.list({ type: "mandate.updated", limit: 100 });
    expect(mandateEvents.data.some((e) => (e.data.object as Stripe.Mandate).id === mandateId)).toBe(true);

    // The revoked mandate cannot be reused: the next debit needs a new acceptance.
    const again = await rejection(debit(h.stripe, customer.id, bankAccount.id, 1000, false));
    expect(again.param).toBe("mandate_data");
    const renewed = await debit(h.stripe, customer.id, bankAccount.id, 1000, true);
    expect(renewed.status).toBe("processing");
  });

  it("000000000009 stays processing until told otherwise", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000000000009");
    const intent = await debit(h.stripe, customer.id, bankAccount.id);
    await h.control("settle", { payment_intent: intent.id });
    await h.control("settle_all");
    expect((await h.stripe.paymentIntents.retrieve(intent.id)).status).toBe("processing");
    await h.control("succeed", { payment_intent: intent.id });
    expect((await h.stripe.paymentIntents.retrieve(intent.id)).status).toBe("succeeded");
  });
});

describe("control actions", () => {
  it("fail forces a failure code, succeed a success, settle_all settles every pending debit", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const first = await debit(h.stripe, customer.id, bankAccount.id);
    const result = await h.control<{ payment_intent: Stripe.PaymentIntent }>("fail", {
      payment_intent: first.id,
      code: "insufficient_funds",
    });
    expect(result.payment_intent).toMatchObject({ status: "requires_payment_method", last_payment_error: { code: "insufficient_funds" } });

    const second = await debit(h.stripe, customer.id, bankAccount.id, 1000, false);
    const third = await debit(h.stripe, customer.id, bankAccount.id, 1100, false);
    await h.control("settle_all");
    expect((await h.stripe.paymentIntents.retrieve(second.id)).status).toBe("succeeded");
    expect((await h.stripe.paymentIntents.retrieve(third.id)).status).toBe("succeeded");

    await expect(h.control("settle", { payment_intent: second.id })).rejects.toThrow(/not pending/);
    await expect(h.control("fail", { payment_intent: third.id, code: "bogus" })).rejects.toThrow(/code must be one of/);

    const disputed = await h.control<{ charge: Stripe.Charge }>("dispute", { payment_intent: third.id });
    expect(disputed.charge.disputed).toBe(true);
  });

  it("fail with a return_code reports it as network_decline_code on the charge and the intent's error", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const intent = await debit(h.stripe, customer.id, bankAccount.id);
    await h.control("fail", { payment_intent: intent.id, code: "debit_not_authorized", return_code: "R29" });
    const failed = await h.stripe.paymentIntents.retrieve(intent.id);
    expect(failed.last_payment_error).toMatchObject({ code: "debit_not_authorized", network_decline_code: "R29" });
    const charge = await h.stripe.charges.retrieve(failed.latest_charge as string);
    expect(charge).toMatchObject({ failure_code: "debit_not_authorized", outcome: { network_decline_code: "R29" } });

    // A return blocks the account: each case below debits a fresh one.
    const second = await customerWithBankAccount(h.stripe, "000123456789");
    const plain = await debit(h.stripe, second.customer.id, second.bankAccount.id, 1200);
    await h.control("fail", { payment_intent: plain.id, code: "invalid_account_number" });
    const plainCharge = await h.stripe.charges.retrieve((await h.stripe.paymentIntents.retrieve(plain.id)).latest_charge as string);
    expect(plainCharge).toMatchObject({ failure_code: "invalid_account_number", outcome: { network_decline_code: "R04" } });

    const third = await customerWithBankAccount(h.stripe, "000123456789");
    const other = await debit(h.stripe, third.customer.id, third.bankAccount.id, 1300);
    await expect(h.control("fail", { payment_intent: other.id, code: "account_closed", return_code: "R2; drop" })).rejects.toThrow(
      /return_code must be/,
    );
  });

  it("settles by itself after achSettleDelayMs", async () => {
    const auto = await startStripeHarness({ config: { achSettleDelayMs: 50 } });
    try {
      const { customer, bankAccount } = await customerWithBankAccount(auto.stripe, "000222222227");
      const intent = await debit(auto.stripe, customer.id, bankAccount.id);
      expect(intent.status).toBe("processing");
      await new Promise((r) => setTimeout(r, 150));
      expect((await auto.stripe.paymentIntents.retrieve(intent.id)).status).toBe("requires_payment_method");
    } finally {
      await auto.close();
    }
  });
});

describe("mandate rules", () => {
  it("needs a mandate on the first debit, then reuses it", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const missing = await rejection(debit(h.stripe, customer.id, bankAccount.id, 1000, false));
    expect(missing.statusCode).toBe(400);
    expect(missing.message).toMatch(/requires a mandate, but no existing mandate was found/);
    expect((await h.stripe.paymentIntents.list({ customer: customer.id })).data).toHaveLength(0);

    const first = await debit(h.stripe, customer.id, bankAccount.id, 1000, true);
    const second = await h.stripe.paymentIntents.create({
      amount: 1200,
      currency: "usd",
      customer: customer.id,
      payment_method: bankAccount.id,
      confirm: true,
      off_session: true,
    });
    const mandateOf = async (pi: Stripe.PaymentIntent) =>
      (await h.stripe.charges.retrieve(pi.latest_charge as string)).payment_method_details?.us_bank_account?.mandate;
    expect(await mandateOf(second)).toBe(await mandateOf(first));

    const explicit = await h.stripe.paymentIntents.create({
      amount: 1300,
      currency: "usd",
      customer: customer.id,
      payment_method: bankAccount.id,
      confirm: true,
      mandate: (await mandateOf(first)) as string,
    });
    expect(explicit.status).toBe("processing");
  });

  it("allows mandate_data, mandate and off_session only with confirm: true", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const base = { amount: 1000, currency: "usd", customer: customer.id, payment_method: bankAccount.id };
    const withMandateData = await rejection(h.stripe.paymentIntents.create({ ...base, mandate_data: ONLINE_ACCEPTANCE }));
    expect(withMandateData.param).toBe("mandate_data");
    const withOffSession = await rejection(h.stripe.paymentIntents.create({ ...base, off_session: true, confirm: false }));
    expect(withOffSession.param).toBe("off_session");
    const setup = await rejection(h.stripe.setupIntents.create({ customer: customer.id, mandate_data: ONLINE_ACCEPTANCE }));
    expect(setup.param).toBe("mandate_data");
  });

  it("validates customer_acceptance", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const base = { amount: 1000, currency: "usd", customer: customer.id, payment_method: bankAccount.id, confirm: true };
    const noOnline = await rejection(
      h.stripe.paymentIntents.create({ ...base, mandate_data: { customer_acceptance: { type: "online" } } }),
    );
    expect(noOnline).toMatchObject({ code: "parameter_missing", param: "mandate_data[customer_acceptance][online]" });
    const noAgent = await rejection(
      h.stripe.paymentIntents.create({
        ...base,
        mandate_data: { customer_acceptance: { type: "online", online: { ip_address: "1.2.3.4" } } } as never,
      }),
    );
    expect(noAgent.param).toBe("mandate_data[customer_acceptance][online][user_agent]");
    const offline = await h.stripe.paymentIntents.create({
      ...base,
      mandate_data: { customer_acceptance: { type: "offline", offline: {} } },
    });
    expect(offline.status).toBe("processing");
  });

  it("requires the payment method to belong to the intent's customer", async () => {
    const a = await customerWithBankAccount(h.stripe, "000123456789");
    const b = await customerWithBankAccount(h.stripe, "000123456789");
    const other = await rejection(debit(h.stripe, b.customer.id, a.bankAccount.id));
    expect(other.param).toBe("payment_method");
    expect(other.message).toMatch(/does not belong to the Customer/);
    const none = await rejection(
      h.stripe.paymentIntents.create({
        amount: 1000,
        currency: "usd",
        payment_method: a.bankAccount.id,
        confirm: true,
        mandate_data: ONLINE_ACCEPTANCE,
      }),
    );
    expect(none.param).toBe("customer");
    const unknown = await rejection(debit(h.stripe, a.customer.id, "ba_unknown"));
    expect(unknown.message).toBe("No such PaymentMethod: 'ba_unknown'");
  });

  it("refuses unverified bank accounts and intents that do not allow us_bank_account", async () => {
    const token = await h.stripe.tokens.create({
      bank_account: { country: "US", currency: "usd", routing_number: "110000000", account_number: "000123456789" },
    });
    const customer = await h.stripe.customers.create({ source: token.id });
    const unverified = await rejection(debit(h.stripe, customer.id, customer.default_source as string));
    expect(unverified.code).toBe("bank_account_unverified");

    const verifiedCustomer = await h.stripe.customers.create({ source: "btok_us_verified" });
    const cardOnly = await rejection(
      h.stripe.paymentIntents.create({
        amount: 1000,
        currency: "usd",
        customer: verifiedCustomer.id,
        payment_method: verifiedCustomer.default_source as string,
        allowed_payment_method_types: ["card"],
        confirm: true,
        mandate_data: ONLINE_ACCEPTANCE,
      }),
    );
    expect(cardOnly.param).toBe("payment_method");
  });

  it("accepts the pre-2026 payment_method_types parameter", async () => {
    const customer = await h.stripe.customers.create({ source: "btok_us_verified" });
    const intent = await h.stripe.paymentIntents.create({
      amount: 1000,
      currency: "usd",
      customer: customer.id,
      payment_method: customer.default_source as string,
      confirm: true,
      mandate_data: ONLINE_ACCEPTANCE,
      payment_method_types: ["us_bank_account"],
    } as Stripe.PaymentIntentCreateParams);
    expect(intent).toMatchObject({ status: "processing", payment_method_types: ["us_bank_account"] });
  });
});

describe("detaching a bank account", () => {
  it("revokes its mandate", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const intent = await debit(h.stripe, customer.id, bankAccount.id);
    const charge = await h.stripe.charges.retrieve(intent.latest_charge as string);
    await h.stripe.customers.deleteSource(customer.id, bankAccount.id);
    expect((await h.stripe.mandates.retrieve(charge.payment_method_details!.us_bank_account!.mandate as string)).status).toBe("inactive");
    const reuse = await rejection(debit(h.stripe, customer.id, bankAccount.id));
    expect(reuse.message).toMatch(/detached from a Customer/);
  });
});
