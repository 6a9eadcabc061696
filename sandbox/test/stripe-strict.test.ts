import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { customerWithBankAccount, debit, ONLINE_ACCEPTANCE, rejection, useStripeHarness } from "./stripe-harness.js";
import { startWebhookReceiver } from "./helpers/webhook-receiver.js";

const h = useStripeHarness();

/** Stripe's behaviour under the API version the SDK pins (2026-10-28.endive), where it is stricter than the sandbox used to be. */
describe("payment method types under 2026-10-28.endive", () => {
  it("refuses payment_method_types on intent create, update and confirm (removed since 2026-08-26)", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const legacy = { payment_method_types: ["us_bank_account"] } as object;
    const create = await rejection(
      h.stripe.paymentIntents.create({
        amount: 1000,
        currency: "usd",
        customer: customer.id,
        ...legacy,
      } as Stripe.PaymentIntentCreateParams),
    );
    expect(create).toMatchObject({ statusCode: 400, code: "payment_method_types_no_longer_supported", param: "payment_method_types" });
    const intent = await h.stripe.paymentIntents.create({ amount: 1000, currency: "usd", customer: customer.id });
    const update = await rejection(h.stripe.paymentIntents.update(intent.id, legacy as Stripe.PaymentIntentUpdateParams));
    expect(update.code).toBe("payment_method_types_no_longer_supported");
    const confirm = await rejection(
      h.stripe.paymentIntents.confirm(intent.id, { payment_method: bankAccount.id, ...legacy } as Stripe.PaymentIntentConfirmParams),
    );
    expect(confirm.code).toBe("payment_method_types_no_longer_supported");
    const setup = await rejection(h.stripe.setupIntents.create({ customer: customer.id, ...legacy } as Stripe.SetupIntentCreateParams));
    expect(setup.code).toBe("payment_method_types_no_longer_supported");
    // Nothing moved: the intent still waits for a payment method.
    expect((await h.stripe.paymentIntents.retrieve(intent.id)).status).toBe("requires_payment_method");
  });

  it("takes allowed_payment_method_types on confirm", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const intent = await h.stripe.paymentIntents.create({ amount: 1000, currency: "usd", customer: customer.id });
    const confirmed = await h.stripe.paymentIntents.confirm(intent.id, {
      payment_method: bankAccount.id,
      allowed_payment_method_types: ["us_bank_account"],
      mandate_data: ONLINE_ACCEPTANCE,
    });
    expect(confirmed).toMatchObject({ status: "processing", allowed_payment_method_types: ["us_bank_account"] });
  });
});

describe("amounts and currencies", () => {
  it("refuses less than $0.50 when the intent is created or changed, not only on confirm", async () => {
    const customer = await h.stripe.customers.create({});
    const tiny = await rejection(h.stripe.paymentIntents.create({ amount: 49, currency: "usd", customer: customer.id }));
    expect(tiny).toMatchObject({
      statusCode: 400,
      code: "amount_too_small",
      param: "amount",
      message: "Amount must be at least $0.50 usd",
    });
    const intent = await h.stripe.paymentIntents.create({ amount: 50, currency: "usd", customer: customer.id });
    expect((await rejection(h.stripe.paymentIntents.update(intent.id, { amount: 10 }))).code).toBe("amount_too_small");
    expect((await h.stripe.paymentIntents.retrieve(intent.id)).amount).toBe(50);
  });

  it("takes USD only for us_bank_account", async () => {
    const customer = await h.stripe.customers.create({});
    const eur = await rejection(h.stripe.paymentIntents.create({ amount: 1000, currency: "eur", customer: customer.id }));
    expect(eur).toMatchObject({ statusCode: 400, param: "currency" });
    expect(eur.message).toMatch(/us_bank_account support the following currencies: usd/);
    const intent = await h.stripe.paymentIntents.create({ amount: 1000, currency: "usd", customer: customer.id });
    expect((await rejection(h.stripe.paymentIntents.update(intent.id, { currency: "cad" }))).param).toBe("currency");
  });
});

describe("payment_method_options[us_bank_account]", () => {
  it("is accepted on create, update and confirm and shown on the intent", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const created = await h.stripe.paymentIntents.create({
      amount: 1000,
      currency: "usd",
      customer: customer.id,
      payment_method_options: { us_bank_account: { verification_method: "automatic", networks: { requested: ["ach"] } } },
    });
    expect(created.payment_method_options).toEqual({ us_bank_account: { verification_method: "automatic" } });
    const updated = await h.stripe.paymentIntents.update(created.id, {
      payment_method_options: { us_bank_account: { setup_future_usage: "off_session", mandate_options: { collection_method: "paper" } } },
    });
    expect(updated.payment_method_options?.us_bank_account).toEqual({
      setup_future_usage: "off_session",
      mandate_options: { collection_method: "paper" },
    });
    const confirmed = await h.stripe.paymentIntents.confirm(created.id, {
      payment_method: bankAccount.id,
      mandate_data: ONLINE_ACCEPTANCE,
      payment_method_options: { us_bank_account: { transaction_purpose: "services" } },
    });
    expect(confirmed).toMatchObject({
      status: "processing",
      payment_method_options: { us_bank_account: { transaction_purpose: "services" } },
    });
    const unknown = await rejection(
      h.stripe.paymentIntents.create({
        amount: 1000,
        currency: "usd",
        payment_method_options: { us_bank_account: { speed: "fast" } },
      } as unknown as Stripe.PaymentIntentCreateParams),
    );
    expect(unknown).toMatchObject({ code: "parameter_unknown", param: "payment_method_options[us_bank_account][speed]" });
  });
});

describe("unknown parameters", () => {
  it("are refused with parameter_unknown on every endpoint the sandbox serves", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const intent = await debit(h.stripe, customer.id, bankAccount.id);
    await h.control("settle", { payment_intent: intent.id });
    const refund = await h.stripe.refunds.create({ payment_intent: intent.id, amount: 100 });
    const balanceTransaction = refund.balance_transaction as string;
    const setup = await h.stripe.setupIntents.create({ customer: customer.id });
    const pending = await h.stripe.paymentIntents.create({ amount: 1000, currency: "usd", customer: customer.id });
    const endpoint = await h.stripe.webhookEndpoints.create({ url: "http://127.0.0.1:9/x", enabled_events: ["*"] });
    await h.stripe.webhookEndpoints.update(endpoint.id, { disabled: true });
    const [event] = (await h.stripe.events.list({ limit: 1 })).data;
    const token = await h.stripe.tokens.create({
      bank_account: { country: "US", currency: "usd", routing_number: "110000000", account_number: "000123456789" },
    });
    const charge = intent.latest_charge as string;
    const mandate = (await h.stripe.charges.retrieve(charge)).payment_method_details!.us_bank_account!.mandate as string;
    const c = customer.id;
    const endpoints: [string, string][] = [
      ["POST", "/v1/customers"],
      ["GET", "/v1/customers"],
      ["GET", `/v1/customers/${c}`],
      ["POST", `/v1/customers/${c}`],
      ["DELETE", `/v1/customers/${c}`],
      ["POST", "/v1/tokens"],
      ["GET", `/v1/tokens/${token.id}`],
      ["POST", `/v1/customers/${c}/sources`],
      ["GET", `/v1/customers/${c}/sources`],
      ["GET", `/v1/customers/${c}/sources/${bankAccount.id}`],
      ["POST", `/v1/customers/${c}/sources/${bankAccount.id}`],
      ["POST", `/v1/customers/${c}/sources/${bankAccount.id}/verify`],
      ["DELETE", `/v1/customers/${c}/sources/${bankAccount.id}`],
      ["GET", "/v1/payment_methods"],
      ["GET", `/v1/payment_methods/${bankAccount.id}`],
      ["GET", `/v1/customers/${c}/payment_methods`],
      ["GET", `/v1/mandates/${mandate}`],
      ["POST", "/v1/setup_intents"],
      ["GET", "/v1/setup_intents"],
      ["GET", `/v1/setup_intents/${setup.id}`],
      ["POST", `/v1/setup_intents/${setup.id}/confirm`],
      ["POST", `/v1/setup_intents/${setup.id}/cancel`],
      ["POST", "/v1/payment_intents"],
      ["GET", "/v1/payment_intents"],
      ["GET", `/v1/payment_intents/${pending.id}`],
      ["POST", `/v1/payment_intents/${pending.id}`],
      ["POST", `/v1/payment_intents/${pending.id}/confirm`],
      ["POST", `/v1/payment_intents/${pending.id}/cancel`],
      ["POST", "/v1/charges"],
      ["GET", "/v1/charges"],
      ["GET", `/v1/charges/${charge}`],
      ["POST", `/v1/charges/${charge}`],
      ["POST", "/v1/refunds"],
      ["GET", "/v1/refunds"],
      ["GET", `/v1/refunds/${refund.id}`],
      ["GET", "/v1/disputes"],
      ["GET", "/v1/disputes/dp_none"],
      ["GET", "/v1/balance_transactions"],
      ["GET", `/v1/balance_transactions/${balanceTransaction}`],
      ["GET", "/v1/balance"],
      ["GET", "/v1/events"],
      ["GET", `/v1/events/${event!.id}`],
      ["POST", "/v1/webhook_endpoints"],
      ["GET", "/v1/webhook_endpoints"],
      ["GET", `/v1/webhook_endpoints/${endpoint.id}`],
      ["POST", `/v1/webhook_endpoints/${endpoint.id}`],
      ["DELETE", `/v1/webhook_endpoints/${endpoint.id}`],
    ];
    for (const [method, path] of endpoints) {
      // The SDK's rawRequest only sends a body on POST; the others take the parameter in the query, as Stripe reads it.
      const err = await rejection(
        method === "POST" ? h.stripe.rawRequest(method, path, { bogus_param: "1" }) : h.stripe.rawRequest(method, `${path}?bogus_param=1`),
      );
      expect({ method, path, code: err.code, message: err.message }).toEqual({
        method,
        path,
        code: "parameter_unknown",
        message: "Received unknown parameter: bogus_param",
      });
    }
    // Refused before anything happened.
    expect((await h.stripe.paymentIntents.retrieve(pending.id)).status).toBe("requires_payment_method");
    expect((await h.stripe.customers.retrieve(c)).deleted).toBeUndefined();
  });
});

describe("Stripe-Version", () => {
  it("echoes the version the SDK sends and a valid older one", async () => {
    const customer = await h.stripe.customers.create({});
    expect(customer.lastResponse.headers["stripe-version"]).toBe("2026-10-28.endive");
    const res = await fetch(`${h.sandbox.url}/v1/customers/${customer.id}`, {
      headers: { authorization: "Bearer sk_test_local_sandbox", "stripe-version": "2024-06-20" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("stripe-version")).toBe("2024-06-20");
  });

  it("refuses an invalid version with Stripe's 400", async () => {
    for (const version of ["2019-2-19", "2026-02-30", "2099-01-01", "latest", "2020-08-27;link_beta=v1"]) {
      const err = await rejection(h.stripe.customers.list({}, { apiVersion: version }));
      expect({ version, status: err.statusCode, type: err.type, message: err.message }).toEqual({
        version,
        status: 400,
        type: "StripeInvalidRequestError",
        message: `Invalid Stripe API version: ${version}`,
      });
    }
  });
});

describe("idempotency keys", () => {
  it("reused on another endpoint get Stripe's own message", async () => {
    const key = `idem-endpoint-${Date.now()}`;
    const customer = await h.stripe.customers.create({ email: "idem@example.com" }, { idempotencyKey: key });
    const err = await rejection(h.stripe.customers.update(customer.id, { email: "idem@example.com" }, { idempotencyKey: key }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(err.message).toBe(
      `Keys for idempotent requests can only be used for the same endpoint they were first used for ('/v1/customers/${customer.id}' vs '/v1/customers'). Try using a key other than '${key}' if you meant to execute a different request.`,
    );
  });
});

describe("events", () => {
  it("carry previous_attributes on *.updated events only", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const intent = await debit(h.stripe, customer.id, bankAccount.id);
    await h.control("settle", { payment_intent: intent.id });
    await h.stripe.customers.update(customer.id, { name: "Renamed" });
    const events = (await h.stripe.events.list({ limit: 100 })).data.filter((e) => {
      const object = e.data.object as { id?: string; customer?: string };
      return object.id === customer.id || object.customer === customer.id;
    });
    const processing = events.find((e) => e.type === "payment_intent.processing");
    const succeeded = events.find((e) => e.type === "payment_intent.succeeded");
    const updated = events.find((e) => e.type === "customer.updated" && e.data.previous_attributes && "name" in e.data.previous_attributes);
    expect(processing?.data).not.toHaveProperty("previous_attributes");
    expect(succeeded?.data).not.toHaveProperty("previous_attributes");
    expect(updated?.data.previous_attributes).toEqual({ name: null });
  });
});

describe("list filters", () => {
  it("filter payment intents, charges, refunds and events by created", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const intent = await debit(h.stripe, customer.id, bankAccount.id);
    await h.control("settle", { payment_intent: intent.id });
    const refund = await h.stripe.refunds.create({ payment_intent: intent.id, amount: 100 });
    const charge = await h.stripe.charges.retrieve(intent.latest_charge as string);
    const t = intent.created;
    const ids = async (list: Promise<{ data: { id: string }[] }>) => (await list).data.map((o) => o.id);

    expect(await ids(h.stripe.paymentIntents.list({ customer: customer.id, created: t }))).toEqual([intent.id]);
    expect(await ids(h.stripe.paymentIntents.list({ customer: customer.id, created: { gte: t, lte: t } }))).toEqual([intent.id]);
    expect(await ids(h.stripe.paymentIntents.list({ customer: customer.id, created: { gt: t } }))).toEqual([]);
    expect(await ids(h.stripe.paymentIntents.list({ customer: customer.id, created: { lt: t } }))).toEqual([]);
    expect(await ids(h.stripe.charges.list({ customer: customer.id, created: { gte: charge.created } }))).toEqual([charge.id]);
    expect(await ids(h.stripe.charges.list({ customer: customer.id, created: { gt: charge.created + 60 } }))).toEqual([]);
    expect(await ids(h.stripe.refunds.list({ charge: charge.id, created: { lte: refund.created } }))).toEqual([refund.id]);
    expect(await ids(h.stripe.refunds.list({ charge: charge.id, created: { lt: refund.created } }))).toEqual([]);
    const recent = await h.stripe.events.list({ created: { gte: t }, limit: 100 });
    expect(recent.data.length).toBeGreaterThan(0);
    expect(recent.data.every((e) => e.created >= t)).toBe(true);
    expect((await h.stripe.events.list({ created: { gt: t + 3600 } })).data).toEqual([]);

    const bad = await rejection(h.stripe.paymentIntents.list({ created: { after: t } } as unknown as Stripe.PaymentIntentListParams));
    expect(bad).toMatchObject({ code: "parameter_unknown", param: "created[after]" });
  });

  it("list a customer's payment methods, by type", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const listed = await h.stripe.paymentMethods.list({ customer: customer.id, type: "us_bank_account" });
    expect(listed).toMatchObject({ object: "list", url: "/v1/payment_methods", has_more: false });
    expect(listed.data.map((pm) => [pm.id, pm.type])).toEqual([[bankAccount.id, "us_bank_account"]]);
    expect((await h.stripe.paymentMethods.list({ customer: customer.id, type: "card" })).data).toEqual([]);

    const own = await h.stripe.customers.listPaymentMethods(customer.id, { type: "us_bank_account" });
    expect(own.url).toBe(`/v1/customers/${customer.id}/payment_methods`);
    expect(own.data.map((pm) => pm.id)).toEqual([bankAccount.id]);
    expect((await rejection(h.stripe.customers.listPaymentMethods("cus_missing"))).statusCode).toBe(404);
  });
});

describe("delivery_success on events", () => {
  // No retries, so a failed delivery is final at once.
  const w = useStripeHarness({ config: { webhookRetryDelaysMs: [] } });

  it("filters events by whether every webhook was delivered", async () => {
    const ok = await startWebhookReceiver(() => 200);
    const down = await startWebhookReceiver(() => 503);
    const okEndpoint = await w.stripe.webhookEndpoints.create({ url: `${ok.url}/ok`, enabled_events: ["customer.created"] });
    try {
      const delivered = await w.stripe.customers.create({ email: "delivered@example.com" });
      await w.sandbox.context.webhooks.idle();
      await w.stripe.webhookEndpoints.update(okEndpoint.id, { url: `${down.url}/down` });
      const failing = await w.stripe.customers.create({ email: "failing@example.com" });
      const eventOf = (events: Stripe.Event[], id: string) => events.find((e) => (e.data.object as { id: string }).id === id);

      const succeeded = (await w.stripe.events.list({ type: "customer.created", delivery_success: true, limit: 100 })).data;
      const pending = (await w.stripe.events.list({ type: "customer.created", delivery_success: false, limit: 100 })).data;
      expect(eventOf(succeeded, delivered.id)?.pending_webhooks).toBe(0);
      expect(eventOf(pending, delivered.id)).toBeUndefined();
      expect(eventOf(pending, failing.id)?.pending_webhooks).toBe(1);
      expect(eventOf(succeeded, failing.id)).toBeUndefined();
    } finally {
      await w.stripe.webhookEndpoints.del(okEndpoint.id);
      await ok.close();
      await down.close();
    }
  });
});
