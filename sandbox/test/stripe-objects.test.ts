import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { customerWithBankAccount, debit, ONLINE_ACCEPTANCE, rejection, useStripeHarness } from "./stripe-harness.js";

const h = useStripeHarness();

describe("customers", () => {
  it("creates, retrieves, updates, lists and deletes", async () => {
    const created = await h.stripe.customers.create({ email: "c@example.com", name: "C", description: "d", phone: "+15555550100" });
    expect(created).toMatchObject({
      object: "customer",
      email: "c@example.com",
      name: "C",
      default_source: null,
      livemode: false,
      balance: 0,
    });
    const retrieved = (await h.stripe.customers.retrieve(created.id)) as Stripe.Customer;
    expect(retrieved.email).toBe("c@example.com");
    const updated = await h.stripe.customers.update(created.id, { name: "C2", description: "" });
    expect(updated).toMatchObject({ name: "C2", description: null });
    const listed = await h.stripe.customers.list({ email: "c@example.com" });
    expect(listed.data.map((c) => c.id)).toContain(created.id);

    const deleted = await h.stripe.customers.del(created.id);
    expect(deleted).toMatchObject({ id: created.id, object: "customer", deleted: true });
    const after = await h.stripe.customers.retrieve(created.id);
    expect(after.deleted).toBe(true);
    const err = await rejection(h.stripe.customers.update(created.id, { name: "x" }));
    expect(err.statusCode).toBe(404);
    expect((await h.stripe.customers.list({ email: "c@example.com" })).data.map((c) => c.id)).not.toContain(created.id);
  });

  it("attaches a btok_ as a verified bank account on create", async () => {
    const { id } = h.sandbox.context.stripe!.createBankAccountToken({
      accountNumber: "000123456789",
      routingNumber: "110000000",
      accountHolderName: "Plaid User",
      accountHolderType: "individual",
      accountType: "checking",
      bankName: "Plaid Bank",
    });
    expect(id).toMatch(/^btok_/);
    const customer = await h.stripe.customers.create({ source: id, expand: ["default_source"] });
    const ba = customer.default_source as Stripe.BankAccount;
    expect(ba).toMatchObject({
      object: "bank_account",
      status: "verified",
      last4: "6789",
      routing_number: "110000000",
      bank_name: "Plaid Bank",
      account_holder_name: "Plaid User",
      account_holder_type: "individual",
      account_type: "checking",
      country: "US",
      currency: "usd",
      customer: customer.id,
    });
    expect(ba.id).toMatch(/^ba_/);
    expect(ba.fingerprint).toBeTruthy();

    const token = await h.stripe.tokens.retrieve(id);
    expect(token).toMatchObject({ object: "token", type: "bank_account", used: true });
    expect(token.bank_account?.id).toBe(ba.id);
  });
});

describe("tokens", () => {
  it("are single-use", async () => {
    const token = await h.stripe.tokens.create({
      bank_account: { country: "US", currency: "usd", routing_number: "110000000", account_number: "000123456789" },
    });
    expect(token.used).toBe(false);
    expect(token.bank_account?.status).toBe("new");
    const customer = await h.stripe.customers.create({});
    await h.stripe.customers.createSource(customer.id, { source: token.id });
    const other = await h.stripe.customers.create({});
    const err = await rejection(h.stripe.customers.createSource(other.id, { source: token.id }));
    expect(err.statusCode).toBe(400);
    expect(err.message).toBe(`You cannot use a Stripe token more than once: ${token.id}.`);
  });

  it("answers No such token for unknown ids", async () => {
    const err = await rejection(h.stripe.customers.create({ source: "btok_x" }));
    expect(err.statusCode).toBe(404);
    expect(err.message).toBe("No such token: 'btok_x'");
    expect(err.param).toBe("source");
    expect((await rejection(h.stripe.tokens.retrieve("btok_x"))).message).toBe("No such token: 'btok_x'");
  });

  it.each([
    ["btok_us_verified", "6789"],
    ["btok_us_verified_noAccount", "1116"],
    ["btok_us_verified_accountClosed", "1113"],
    ["btok_us_verified_insufficientFunds", "2227"],
    ["btok_us_verified_debitNotAuthorized", "3335"],
    ["btok_us_verified_invalidCurrency", "4440"],
  ])("accepts Stripe's test token %s again and again", async (token, last4) => {
    for (let i = 0; i < 2; i++) {
      const customer = await h.stripe.customers.create({ source: token, expand: ["default_source"] });
      expect(customer.default_source).toMatchObject({ object: "bank_account", status: "verified", last4, routing_number: "110000000" });
    }
    expect((await h.stripe.tokens.retrieve(token)).bank_account?.last4).toBe(last4);
  });
});

describe("customer sources", () => {
  it("creates, retrieves, lists, verifies and deletes bank accounts", async () => {
    const customer = await h.stripe.customers.create({});
    const first = await h.stripe.customers.createSource(customer.id, { source: "btok_us_verified" });
    expect(first.object).toBe("bank_account");
    const token = await h.stripe.tokens.create({
      bank_account: { country: "US", currency: "usd", routing_number: "110000000", account_number: "000222222227" },
    });
    const second = (await h.stripe.customers.createSource(customer.id, { source: token.id })) as Stripe.BankAccount;
    expect(second.status).toBe("new");

    const wrongAmounts = await rejection(h.stripe.customers.verifySource(customer.id, second.id, { amounts: [1, 2] }));
    expect(wrongAmounts.code).toBe("bank_account_verification_failed");
    const verified = await h.stripe.customers.verifySource(customer.id, second.id, { amounts: [32, 45] });
    expect(verified.status).toBe("verified");

    const retrieved = await h.stripe.customers.retrieveSource(customer.id, second.id);
    expect(retrieved.id).toBe(second.id);
    const listed = await h.stripe.customers.listSources(customer.id, { object: "bank_account" });
    expect(listed.data.map((s) => s.id)).toEqual([second.id, first.id]);
    expect(listed.url).toBe(`/v1/customers/${customer.id}/sources`);

    const duplicate = await rejection(h.stripe.customers.createSource(customer.id, { source: "btok_us_verified" }));
    expect(duplicate.code).toBe("bank_account_exists");

    const deleted = await h.stripe.customers.deleteSource(customer.id, first.id);
    expect(deleted).toMatchObject({ id: first.id, object: "bank_account", deleted: true });
    const after = (await h.stripe.customers.retrieve(customer.id)) as Stripe.Customer;
    expect(after.default_source).toBe(second.id);
    const gone = await rejection(h.stripe.customers.retrieveSource(customer.id, first.id));
    expect(gone.statusCode).toBe(404);
    expect(gone.message).toBe(`No such source: '${first.id}'`);
  });

  it("rejects sources of an unknown customer", async () => {
    const err = await rejection(h.stripe.customers.createSource("cus_missing", { source: "btok_us_verified" }));
    expect(err.message).toBe("No such customer: 'cus_missing'");
  });
});

describe("payment methods and mandates", () => {
  it("shows a ba_ as a us_bank_account payment method with the same id", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const pm = await h.stripe.paymentMethods.retrieve(bankAccount.id);
    expect(pm).toMatchObject({
      id: bankAccount.id,
      object: "payment_method",
      type: "us_bank_account",
      customer: customer.id,
      us_bank_account: {
        last4: "6789",
        routing_number: "110000000",
        account_holder_type: "individual",
        fingerprint: bankAccount.fingerprint,
      },
    });
    expect((await rejection(h.stripe.paymentMethods.retrieve("pm_nope"))).message).toBe("No such PaymentMethod: 'pm_nope'");
  });

  it("retrieves the mandate created by the first debit", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const intent = await debit(h.stripe, customer.id, bankAccount.id);
    const charge = await h.stripe.charges.retrieve(intent.latest_charge as string);
    const mandateId = charge.payment_method_details?.us_bank_account?.mandate as string;
    const mandate = await h.stripe.mandates.retrieve(mandateId, { expand: ["payment_method"] });
    expect(mandate).toMatchObject({
      object: "mandate",
      status: "active",
      type: "multi_use",
      customer_acceptance: { type: "online", online: ONLINE_ACCEPTANCE.customer_acceptance.online },
      payment_method_details: { type: "us_bank_account" },
    });
    expect((mandate.payment_method as Stripe.PaymentMethod).id).toBe(bankAccount.id);
    expect((await rejection(h.stripe.mandates.retrieve("mandate_x"))).message).toBe("No such mandate: 'mandate_x'");
  });
});

describe("setup intents", () => {
  it("records a mandate that later payments reuse", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const setup = await h.stripe.setupIntents.create({
      customer: customer.id,
      payment_method: bankAccount.id,
      allowed_payment_method_types: ["us_bank_account"],
      confirm: true,
      mandate_data: { customer_acceptance: { type: "offline", accepted_at: 1_700_000_000 } },
      expand: ["mandate"],
    });
    expect(setup.status).toBe("succeeded");
    const mandate = setup.mandate as Stripe.Mandate;
    expect(mandate.customer_acceptance).toMatchObject({ type: "offline", accepted_at: 1_700_000_000 });

    const intent = await debit(h.stripe, customer.id, bankAccount.id, 1000, false);
    expect(intent.status).toBe("processing");
    const charge = await h.stripe.charges.retrieve(intent.latest_charge as string);
    expect(charge.payment_method_details?.us_bank_account?.mandate).toBe(mandate.id);
  });

  it("creates, confirms later, retrieves, lists and cancels", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const setup = await h.stripe.setupIntents.create({ customer: customer.id, allowed_payment_method_types: ["us_bank_account"] });
    expect(setup.status).toBe("requires_payment_method");
    const missing = await rejection(h.stripe.setupIntents.confirm(setup.id, { payment_method: bankAccount.id }));
    expect(missing.param).toBe("mandate_data");
    const confirmed = await h.stripe.setupIntents.confirm(setup.id, { payment_method: bankAccount.id, mandate_data: ONLINE_ACCEPTANCE });
    expect(confirmed).toMatchObject({ status: "succeeded", payment_method: bankAccount.id });
    expect((await h.stripe.setupIntents.retrieve(setup.id)).mandate).toBe(confirmed.mandate);
    expect((await h.stripe.setupIntents.list({ customer: customer.id })).data.map((s) => s.id)).toEqual([setup.id]);

    const other = await h.stripe.setupIntents.create({ customer: customer.id });
    const canceled = await h.stripe.setupIntents.cancel(other.id, { cancellation_reason: "abandoned" });
    expect(canceled).toMatchObject({ status: "canceled", cancellation_reason: "abandoned" });
    expect((await rejection(h.stripe.setupIntents.cancel(setup.id))).code).toBe("setup_intent_unexpected_state");
  });
});

describe("payment intents", () => {
  it("creates without confirming, updates, confirms, retrieves with expand and lists", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const draft = await h.stripe.paymentIntents.create({
      amount: 5000,
      currency: "usd",
      customer: customer.id,
      allowed_payment_method_types: ["us_bank_account"],
      metadata: { order: "1" },
    });
    expect(draft).toMatchObject({
      object: "payment_intent",
      status: "requires_payment_method",
      amount: 5000,
      latest_charge: null,
      metadata: { order: "1" },
    });
    expect(draft.client_secret).toMatch(new RegExp(`^${draft.id}_secret_`));
    const updated = await h.stripe.paymentIntents.update(draft.id, { amount: 6000, payment_method: bankAccount.id });
    expect(updated).toMatchObject({ amount: 6000, status: "requires_confirmation", payment_method: bankAccount.id });
    const confirmed = await h.stripe.paymentIntents.confirm(draft.id, { mandate_data: ONLINE_ACCEPTANCE, off_session: false });
    expect(confirmed.status).toBe("processing");

    const retrieved = await h.stripe.paymentIntents.retrieve(draft.id, { expand: ["latest_charge", "payment_method", "customer"] });
    expect(retrieved.latest_charge as Stripe.Charge).toMatchObject({
      object: "charge",
      status: "pending",
      amount: 6000,
      payment_intent: draft.id,
    });
    expect((retrieved.payment_method as Stripe.PaymentMethod).type).toBe("us_bank_account");
    expect((retrieved.customer as Stripe.Customer).id).toBe(customer.id);

    const again = await rejection(h.stripe.paymentIntents.confirm(draft.id));
    expect(again.code).toBe("payment_intent_unexpected_state");
    const list = await h.stripe.paymentIntents.list({ customer: customer.id, expand: ["data.latest_charge"] });
    expect(list.data.map((pi) => pi.id)).toEqual([draft.id]);
    expect((list.data[0]!.latest_charge as Stripe.Charge).id).toBe(confirmed.latest_charge);
    expect((await rejection(h.stripe.paymentIntents.retrieve("pi_missing"))).message).toBe("No such payment_intent: 'pi_missing'");
  });

  it("cancels only before processing", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const draft = await h.stripe.paymentIntents.create({ amount: 700, currency: "usd", customer: customer.id });
    const canceled = await h.stripe.paymentIntents.cancel(draft.id, { cancellation_reason: "requested_by_customer" });
    expect(canceled).toMatchObject({ status: "canceled", cancellation_reason: "requested_by_customer" });
    expect(canceled.canceled_at).toBeTypeOf("number");
    const processing = await debit(h.stripe, customer.id, bankAccount.id);
    const err = await rejection(h.stripe.paymentIntents.cancel(processing.id));
    expect(err.code).toBe("payment_intent_unexpected_state");
  });

  it("rejects non-usd currencies and tiny amounts for bank debits", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const eur = await rejection(
      h.stripe.paymentIntents.create({
        amount: 1000,
        currency: "eur",
        customer: customer.id,
        payment_method: bankAccount.id,
        confirm: true,
        mandate_data: ONLINE_ACCEPTANCE,
      }),
    );
    expect(eur.param).toBe("currency");
    const tiny = await rejection(
      h.stripe.paymentIntents.create({
        amount: 10,
        currency: "usd",
        customer: customer.id,
        payment_method: bankAccount.id,
        confirm: true,
        mandate_data: ONLINE_ACCEPTANCE,
      }),
    );
    expect(tiny.code).toBe("amount_too_small");
    // Nothing was created by the failed attempts.
    expect((await h.stripe.paymentIntents.list({ customer: customer.id })).data).toHaveLength(0);
  });
});

describe("legacy charges", () => {
  it("debits a ba_ source: pending, then settled on command", async () => {
    const customer = await h.stripe.customers.create({ source: "btok_us_verified" });
    const charge = await h.stripe.charges.create({
      customer: customer.id,
      source: customer.default_source as string,
      amount: 1500,
      currency: "usd",
      description: "top-up",
    });
    expect(charge).toMatchObject({
      object: "charge",
      status: "pending",
      paid: false,
      amount: 1500,
      payment_intent: null,
      customer: customer.id,
    });
    expect(charge.id).toMatch(/^py_/);
    expect(charge.source).toMatchObject({ object: "bank_account", id: customer.default_source });
    expect(charge.payment_method_details?.type).toBe("ach_debit");
    await h.control("settle", { charge: charge.id });
    expect(await h.stripe.charges.retrieve(charge.id)).toMatchObject({ status: "succeeded", paid: true });

    const byDefault = await h.stripe.charges.create({ customer: customer.id, amount: 900, currency: "usd" });
    expect(byDefault.source?.id).toBe(customer.default_source);
    const updated = await h.stripe.charges.update(byDefault.id, { metadata: { k: "v" } });
    expect(updated.metadata).toEqual({ k: "v" });
    const listed = await h.stripe.charges.list({ customer: customer.id });
    expect(listed.data.map((c) => c.id)).toEqual([byDefault.id, charge.id]);
  });

  it("rejects a source that is not the customer's", async () => {
    const a = await h.stripe.customers.create({ source: "btok_us_verified" });
    const b = await h.stripe.customers.create({});
    const err = await rejection(
      h.stripe.charges.create({ customer: b.id, source: a.default_source as string, amount: 1000, currency: "usd" }),
    );
    expect(err.message).toBe(`Customer ${b.id} does not have a linked source with ID ${a.default_source}.`);
    const none = await rejection(h.stripe.charges.create({ customer: b.id, amount: 1000, currency: "usd" }));
    expect(none.param).toBe("source");
    expect((await rejection(h.stripe.charges.retrieve("py_missing"))).message).toBe("No such charge: 'py_missing'");
  });
});

describe("refunds", () => {
  it("refunds a succeeded debit, partially then fully", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const intent = await debit(h.stripe, customer.id, bankAccount.id, 3000);
    const early = await rejection(h.stripe.refunds.create({ payment_intent: intent.id }));
    expect(early.code).toBe("charge_not_refundable");
    await h.control("settle", { payment_intent: intent.id });

    const partial = await h.stripe.refunds.create({ payment_intent: intent.id, amount: 1000, reason: "requested_by_customer" });
    expect(partial).toMatchObject({
      object: "refund",
      amount: 1000,
      status: "pending",
      payment_intent: intent.id,
      charge: intent.latest_charge,
    });
    const tooMuch = await rejection(h.stripe.refunds.create({ charge: intent.latest_charge as string, amount: 2500 }));
    expect(tooMuch.code).toBe("amount_too_large");
    const rest = await h.stripe.refunds.create({ charge: intent.latest_charge as string });
    expect(rest.amount).toBe(2000);
    expect(await h.stripe.charges.retrieve(intent.latest_charge as string)).toMatchObject({ amount_refunded: 3000, refunded: true });
    expect((await h.stripe.refunds.retrieve(partial.id)).id).toBe(partial.id);
    expect((await h.stripe.refunds.list({ payment_intent: intent.id })).data.map((r) => r.id)).toEqual([rest.id, partial.id]);
  });
});

describe("events and webhook endpoints", () => {
  it("retrieves and lists events with type filters", async () => {
    const customer = await h.stripe.customers.create({ email: "events@example.com" });
    const events = await h.stripe.events.list({ type: "customer.created", limit: 100 });
    const event = events.data.find((e) => e.type === "customer.created" && e.data.object.id === customer.id);
    expect(event).toBeDefined();
    expect(event!.request?.id).toBe(customer.lastResponse.requestId);
    const retrieved = await h.stripe.events.retrieve(event!.id);
    expect(retrieved).toMatchObject({ object: "event", type: "customer.created", livemode: false, api_version: "2026-10-28.endive" });
    const wildcard = await h.stripe.events.list({ type: "customer.*", limit: 100 });
    expect(wildcard.data.every((e) => e.type.startsWith("customer."))).toBe(true);
    expect((await rejection(h.stripe.events.retrieve("evt_missing"))).message).toBe("No such event: 'evt_missing'");
  });

  it("creates (with a secret), retrieves, updates, lists and deletes endpoints", async () => {
    const endpoint = await h.stripe.webhookEndpoints.create({
      url: "http://127.0.0.1:9/hook",
      enabled_events: ["payment_intent.succeeded"],
    });
    expect(endpoint).toMatchObject({ object: "webhook_endpoint", status: "enabled", enabled_events: ["payment_intent.succeeded"] });
    expect(endpoint.secret).toMatch(/^whsec_/);
    const retrieved = await h.stripe.webhookEndpoints.retrieve(endpoint.id);
    expect(retrieved.secret).toBeUndefined();
    const disabled = await h.stripe.webhookEndpoints.update(endpoint.id, { disabled: true });
    expect(disabled.status).toBe("disabled");
    expect((await h.stripe.webhookEndpoints.list()).data.map((e) => e.id)).toContain(endpoint.id);
    expect(await h.stripe.webhookEndpoints.del(endpoint.id)).toMatchObject({ id: endpoint.id, deleted: true });
    expect((await rejection(h.stripe.webhookEndpoints.retrieve(endpoint.id))).statusCode).toBe(404);
    const badUrl = await rejection(h.stripe.webhookEndpoints.create({ url: "not a url", enabled_events: ["*"] }));
    expect(badUrl.param).toBe("url");
  });
});
