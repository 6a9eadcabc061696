import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { rejection, useStripeHarness } from "./stripe-harness.js";

const h = useStripeHarness();

describe("authentication", () => {
  it("rejects a wrong key with 401 authentication_error", async () => {
    const err = await rejection(h.client({ key: "sk_test_wrong_key" }).customers.list());
    expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(err.statusCode).toBe(401);
    expect(err.type).toBe("StripeAuthenticationError");
    expect(err.raw).toMatchObject({ type: "authentication_error", message: "Invalid API Key provided: sk_test_****_key" });
  });

  it("rejects a missing key with 401", async () => {
    const res = await fetch(`${h.sandbox.url}/v1/customers`);
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe("authentication_error");
    expect(body.error.message).toMatch(/You did not provide an API key/);
    expect(res.headers.get("request-id")).toMatch(/^req_/);
  });

  it("accepts the key through basic auth too", async () => {
    const res = await fetch(`${h.sandbox.url}/v1/customers`, {
      headers: { authorization: `Basic ${Buffer.from("sk_test_local_sandbox:").toString("base64")}` },
    });
    expect(res.status).toBe(200);
  });
});

describe("errors", () => {
  it("answers 404 resource_missing with Stripe's wording", async () => {
    const err = await rejection(h.stripe.customers.retrieve("cus_x"));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe("resource_missing");
    expect(err.message).toBe("No such customer: 'cus_x'");
    expect(err.requestId).toMatch(/^req_/);
    expect(err.raw).toMatchObject({ request_log_url: expect.stringContaining(err.requestId!) });
  });

  it("answers 400 parameter_missing", async () => {
    const err = await rejection(h.stripe.paymentIntents.create({ currency: "usd" } as Stripe.PaymentIntentCreateParams));
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe("parameter_missing");
    expect(err.param).toBe("amount");
    expect(err.message).toBe("Missing required param: amount.");
  });

  it("answers 400 parameter_unknown, nested names included", async () => {
    const top = await rejection(h.stripe.customers.create({ nickname: "x" } as Stripe.CustomerCreateParams));
    expect(top.code).toBe("parameter_unknown");
    expect(top.message).toBe("Received unknown parameter: nickname");
    const nested = await rejection(
      h.stripe.paymentIntents.create({
        amount: 100,
        currency: "usd",
        confirm: true,
        mandate_data: { customer_acceptance: { type: "offline", offline: {}, extra: 1 } },
      } as unknown as Stripe.PaymentIntentCreateParams),
    );
    expect(nested.code).toBe("parameter_unknown");
    expect(nested.param).toBe("mandate_data[customer_acceptance][extra]");
  });

  it("answers 400 for malformed values", async () => {
    const err = await rejection(h.stripe.paymentIntents.create({ amount: "ten" as unknown as number, currency: "usd" }));
    expect(err.code).toBe("parameter_invalid_integer");
    expect(err.message).toBe("Invalid integer: ten");
  });

  it("answers 404 for unknown routes", async () => {
    const err = await rejection(h.stripe.rawRequest("GET", "/v1/nothing_here"));
    expect(err.statusCode).toBe(404);
    expect(err.message).toMatch(/^Unrecognized request URL \(GET: \/v1\/nothing_here\)/);
  });
});

describe("form encoding and responses", () => {
  it("decodes bracket notation (metadata, nested hashes, arrays) and answers JSON with a Request-Id", async () => {
    const customer = await h.stripe.customers.create({ name: "Ann", metadata: { user_id: "u_1", "plan tier": "gold & co" } });
    expect(customer.metadata).toEqual({ user_id: "u_1", "plan tier": "gold & co" });
    expect(customer.lastResponse.requestId).toMatch(/^req_[A-Za-z0-9]{14}$/);
    expect(customer.lastResponse.headers["content-type"]).toMatch(/application\/json/);

    const updated = await h.stripe.customers.update(customer.id, { metadata: { user_id: "", extra: "1" } });
    expect(updated.metadata).toEqual({ "plan tier": "gold & co", extra: "1" });
  });

  it("reads expand[] and rejects fields that cannot be expanded", async () => {
    const customer = await h.stripe.customers.create({ source: "btok_us_verified" });
    expect(customer.sources).toBeUndefined();
    const expanded = await h.stripe.customers.retrieve(customer.id, { expand: ["sources", "default_source"] });
    const live = expanded as Stripe.Customer;
    expect(live.sources?.data).toHaveLength(1);
    expect((live.default_source as Stripe.BankAccount).object).toBe("bank_account");

    const err = await rejection(h.stripe.customers.retrieve(customer.id, { expand: ["email"] }));
    expect(err.message).toBe("This property cannot be expanded (email).");
    // Checked before the endpoint runs: a create with a bad expand creates nothing.
    await rejection(h.stripe.customers.create({ email: "bad-expand@example.com", expand: ["name"] }));
    expect((await h.stripe.customers.list({ email: "bad-expand@example.com" })).data).toHaveLength(0);
  });
});

describe("pagination", () => {
  it("lists newest first with limit, starting_after and ending_before", async () => {
    const tag = `page-${Date.now()}`;
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await h.stripe.customers.create({ email: `${tag}@example.com`, name: `n${i}` })).id);
    const newest = [...created].reverse();

    const first = await h.stripe.customers.list({ email: `${tag}@example.com`, limit: 2 });
    expect(first).toMatchObject({ object: "list", has_more: true, url: "/v1/customers" });
    expect(first.data.map((c) => c.id)).toEqual(newest.slice(0, 2));

    const second = await h.stripe.customers.list({ email: `${tag}@example.com`, limit: 2, starting_after: newest[1] });
    expect(second.data.map((c) => c.id)).toEqual(newest.slice(2, 4));
    expect(second.has_more).toBe(true);

    const last = await h.stripe.customers.list({ email: `${tag}@example.com`, limit: 2, starting_after: newest[3] });
    expect(last.data.map((c) => c.id)).toEqual(newest.slice(4));
    expect(last.has_more).toBe(false);

    const before = await h.stripe.customers.list({ email: `${tag}@example.com`, limit: 2, ending_before: newest[4] });
    expect(before.data.map((c) => c.id)).toEqual(newest.slice(2, 4));
    expect(before.has_more).toBe(true);

    const all = await h.stripe.customers.list({ email: `${tag}@example.com`, limit: 2 }).autoPagingToArray({ limit: 100 });
    expect(all.map((c) => c.id)).toEqual(newest);

    const err = await rejection(h.stripe.customers.list({ limit: 101 }));
    expect(err.param).toBe("limit");
  });
});

describe("idempotency", () => {
  it("replays the first result with Idempotent-Replayed", async () => {
    const key = `idem-${Date.now()}`;
    const first = await h.stripe.customers.create({ email: "once@example.com" }, { idempotencyKey: key });
    const again = await h.stripe.customers.create({ email: "once@example.com" }, { idempotencyKey: key });
    expect(again.id).toBe(first.id);
    expect(first.lastResponse.headers["idempotent-replayed"]).toBeUndefined();
    expect(again.lastResponse.headers["idempotent-replayed"]).toBe("true");
    expect(again.lastResponse.idempotencyKey).toBe(key);
    const list = await h.stripe.customers.list({ email: "once@example.com" });
    expect(list.data).toHaveLength(1);
  });

  it("saves nothing when the request fails validation", async () => {
    const token = await h.stripe.tokens.create({
      bank_account: { country: "US", currency: "usd", routing_number: "110000000", account_number: "000123456789" },
    });
    await h.stripe.customers.create({ source: token.id });
    const key = `idem-err-${Date.now()}`;
    const failed = await rejection(h.stripe.customers.create({ source: token.id }, { idempotencyKey: key }));
    expect(failed.message).toBe(`You cannot use a Stripe token more than once: ${token.id}.`);
    // Nothing was saved for the key, so it can be reused for another request.
    const ok = await h.stripe.customers.create({ email: "reuse@example.com" }, { idempotencyKey: key });
    expect(ok.lastResponse.headers["idempotent-replayed"]).toBeUndefined();
  });

  it("rejects the same key with different parameters (idempotency_error)", async () => {
    const key = `idem-mismatch-${Date.now()}`;
    await h.stripe.customers.create({ email: "a@example.com" }, { idempotencyKey: key });
    const err = await rejection(h.stripe.customers.create({ email: "b@example.com" }, { idempotencyKey: key }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(err.statusCode).toBe(400);
    expect(err.message).toMatch(/same parameters they were first used with/);
    const otherEndpoint = await rejection(h.stripe.paymentIntents.create({ amount: 100, currency: "usd" }, { idempotencyKey: key }));
    expect(otherEndpoint).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it("answers 409 idempotency_key_in_use while the first request runs; SDK retries then get the replay", async () => {
    await h.control("processing_delay", { ms: 300 });
    try {
      const noRetry = h.client({ maxNetworkRetries: 0 });
      const key = `idem-inflight-${Date.now()}`;
      const first = noRetry.customers.create({ email: "slow@example.com" }, { idempotencyKey: key });
      await new Promise((r) => setTimeout(r, 50));
      const err = await rejection(noRetry.customers.create({ email: "slow@example.com" }, { idempotencyKey: key }));
      expect(err.statusCode).toBe(409);
      expect(err.code).toBe("idempotency_key_in_use");
      const created = await first;

      const key2 = `idem-inflight2-${Date.now()}`;
      const a = h.stripe.customers.create({ email: "slow2@example.com" }, { idempotencyKey: key2 });
      await new Promise((r) => setTimeout(r, 50));
      const b = await h.stripe.customers.create({ email: "slow2@example.com" }, { idempotencyKey: key2 });
      expect(b.id).toBe((await a).id);
      expect(b.lastResponse.headers["idempotent-replayed"]).toBe("true");
      expect(created.id).not.toBe(b.id);
    } finally {
      await h.control("processing_delay", { ms: 0 });
    }
  });

  it("succeeds through the SDK's own retry after a 500", async () => {
    // The SDK adds its own Idempotency-Key to POSTs and retries 500s with it.
    h.sandbox.faults.set([
      { route: "/v1/customers", times: 1, error: { status: 500, body: { error: { type: "api_error", message: "boom" } } } },
    ]);
    const customer = await h.stripe.customers.create({ email: "retry@example.com" });
    expect(customer.id).toMatch(/^cus_/);
    expect(customer.lastResponse.idempotencyKey).toMatch(/^stripe-node-retry-/);
  });
});

describe("inspection", () => {
  it("summarises customers, bank accounts, intents, charges and events", async () => {
    const customer = await h.stripe.customers.create({ email: "inspect@example.com", source: "btok_us_verified" });
    const res = await fetch(`${h.sandbox.url}/__sandbox/state`);
    const state = (await res.json()) as { stripe: Record<string, { id: string }[]> };
    expect(state.stripe.customers!.map((c) => c.id)).toContain(customer.id);
    expect(state.stripe.bank_accounts!.map((b) => b.id)).toContain(customer.default_source);
    expect(state.stripe.events!.length).toBeGreaterThan(0);
    expect(state.stripe).toHaveProperty("payment_intents");
    expect(state.stripe).toHaveProperty("charges");
  });
});

describe("control reset", () => {
  it("wipes Stripe state; the API keeps working afterwards", async () => {
    const before = await h.stripe.customers.create({ email: "before-reset@example.com" });
    const res = await fetch(`${h.sandbox.url}/__sandbox/reset`, { method: "POST", headers: { "content-type": "application/json" } });
    expect(res.status).toBe(200);
    expect((await rejection(h.stripe.customers.retrieve(before.id))).statusCode).toBe(404);
    const after = await h.stripe.customers.create({ email: "after-reset@example.com" });
    expect((await h.stripe.customers.list()).data.map((c) => c.id)).toEqual([after.id]);
  });
});
