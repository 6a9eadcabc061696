/**
 * Fault injection (POST /__sandbox/faults) seen through the official SDKs:
 * injected provider errors, dropped connections, added latency, rates,
 * `times` and reset.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Configuration, PlaidApi } from "plaid";
import Stripe from "stripe";
import { FaultInjector, parseFaultRule, seededRandom } from "../src/core/faults.js";
import { DEFAULT_CREDENTIALS } from "../src/server.js";
import { allowPlaidSpecViolations } from "./helpers/plaid-spec-hook.js";
import { plaidFailure, schemaErrors, startPlaidSandbox, type PlaidTestSandbox } from "./helpers/plaid-spec.js";
import { rejection } from "./stripe-harness.js";
import { sandboxStripe } from "./helpers/stripe-client";

let t: PlaidTestSandbox;
let plaid: PlaidApi;
let stripe: Stripe;
let accessToken: string;
let customerId: string;

async function setFaults(body: Record<string, unknown>): Promise<Response> {
  return fetch(`${t.sandbox.url}/__sandbox/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function faults(rules: unknown[], seed?: number): Promise<void> {
  const res = await setFaults({ rules, ...(seed === undefined ? {} : { seed }) });
  expect(res.status, await res.clone().text()).toBe(200);
}

async function listFaults(): Promise<{ rules: Record<string, unknown>[] }> {
  return (await (await fetch(`${t.sandbox.url}/__sandbox/faults`)).json()) as { rules: Record<string, unknown>[] };
}

beforeAll(async () => {
  t = await startPlaidSandbox();
  // The plain SDK configuration the app uses (the helper's client also validates against the spec).
  plaid = t.plaid;
  stripe = sandboxStripe(t.sandbox.port);
  accessToken = (await t.control<{ access_token: string }>("plaid/item")).access_token;
  customerId = (await stripe.customers.create({ email: "faults@example.com" })).id;
});
afterAll(async () => {
  await t.close();
});
afterEach(async () => {
  await t.control("faults/clear");
});

describe("injected errors have the provider's shape", () => {
  it("a Plaid route with only a status answers a spec-valid PlaidError (INTERNAL_SERVER_ERROR)", async () => {
    await faults([{ route: "/accounts/get", status: 500 }]);
    const { status, error } = await plaidFailure(plaid.accountsGet({ access_token: accessToken }));
    expect(status).toBe(500);
    expect(schemaErrors("PlaidError", error)).toEqual([]);
    expect(error).toMatchObject({ error_type: "API_ERROR", error_code: "INTERNAL_SERVER_ERROR", status: 500 });
    expect(error.request_id).toMatch(/^[A-Za-z0-9]{15}$/);
    // A prefix is a path prefix: /accounts/balance/get is another route.
    expect((await plaid.accountsBalanceGet({ access_token: accessToken })).status).toBe(200);
  });

  it("the plain PlaidApi client (as the app builds it) sees the PlaidError in error.response.data", async () => {
    const app = new PlaidApi(
      new Configuration({
        basePath: t.sandbox.url,
        baseOptions: { headers: { "PLAID-CLIENT-ID": DEFAULT_CREDENTIALS.plaidClientId, "PLAID-SECRET": DEFAULT_CREDENTIALS.plaidSecret } },
      }),
    );
    await faults([{ route: "/accounts/balance/get", status: 429 }]);
    const err = (await app.accountsBalanceGet({ access_token: accessToken }).catch((e: unknown) => e)) as {
      isAxiosError?: boolean;
      response?: { status: number; data: Record<string, unknown> };
    };
    expect(err.isAxiosError).toBe(true);
    expect(err.response?.status).toBe(429);
    expect(err.response?.data).toMatchObject({ error_type: "RATE_LIMIT_EXCEEDED", error_code: "RATE_LIMIT" });
    expect(schemaErrors("PlaidError", err.response?.data)).toEqual([]);
  });

  it("a Plaid error code takes its catalogued status and message", async () => {
    await faults([{ route: "/accounts/get", code: "ITEM_LOGIN_REQUIRED" }]);
    const { status, error } = await plaidFailure(plaid.accountsGet({ access_token: accessToken }));
    expect(status).toBe(400);
    expect(error).toMatchObject({ error_type: "ITEM_ERROR", error_code: "ITEM_LOGIN_REQUIRED" });
  });

  it("an explicit body is answered as given", async () => {
    const body = {
      error_type: "API_ERROR",
      error_code: "PLANNED_MAINTENANCE",
      error_message: "the Plaid API is undergoing maintenance",
      display_message: null,
      request_id: "abcdefghij12345",
    };
    await faults([{ route: "/accounts/get", status: 503, body }]);
    const { status, error } = await plaidFailure(plaid.accountsGet({ access_token: accessToken }));
    expect(status).toBe(503);
    expect(error).toEqual(body);
    // The older `error: { status, body }` form still works.
    allowPlaidSpecViolations(); // the custom body below is deliberately not a PlaidError
    await faults([{ route: "/accounts/get", error: { status: 502, body: { custom: true } } }]);
    const app = new PlaidApi(new Configuration({ basePath: t.sandbox.url }));
    const err = (await app.accountsGet({ access_token: accessToken }).catch((e: unknown) => e)) as {
      response?: { status: number; data: unknown };
    };
    expect(err.response).toMatchObject({ status: 502, data: { custom: true } });
  });

  it("a Stripe route with status 500 is a StripeAPIError", async () => {
    await faults([{ route: "/v1/payment_intents", status: 500 }]);
    const err = await rejection(stripe.paymentIntents.create({ amount: 100, currency: "usd", customer: customerId }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(err.statusCode).toBe(500);
    expect(err.type).toBe("StripeAPIError");
    expect(err.rawType).toBe("api_error");
    // Other routes are untouched.
    expect((await stripe.customers.retrieve(customerId)).id).toBe(customerId);
  });

  it("other Stripe statuses map to the SDK's error classes", async () => {
    await faults([
      { route: "/v1/customers", status: 429, times: 1 },
      { route: "/v1/customers", status: 402, times: 1 },
      { route: "/v1/customers", status: 404, code: "resource_missing", message: "No such customer: 'cus_x'", times: 1 },
    ]);
    expect(await rejection(stripe.customers.retrieve(customerId))).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    const card = await rejection(stripe.customers.retrieve(customerId));
    expect(card).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(card.code).toBe("card_declined");
    const missing = await rejection(stripe.customers.retrieve(customerId));
    expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(missing).toMatchObject({ statusCode: 404, code: "resource_missing", message: "No such customer: 'cus_x'" });
    expect((await stripe.customers.retrieve(customerId)).id).toBe(customerId);
  });
});

describe("dropped connections, latency, rate, times", () => {
  it("a dropped connection is a connection error in both SDKs", async () => {
    // stripe-node retries a closed connection once even with maxNetworkRetries: 0
    // (stripe-node#1040), so the Stripe rule drops two requests.
    await faults([
      { route: "/v1/customers", drop: true, times: 2 },
      { route: "/accounts/get", drop: true, times: 1 },
    ]);
    const err = await rejection(stripe.customers.retrieve(customerId));
    expect(err).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect((await listFaults()).rules[0]).toMatchObject({ applied: 2, times: 0 });
    const plaidErr = (await plaid.accountsGet({ access_token: accessToken }).catch((e: unknown) => e)) as {
      isAxiosError?: boolean;
      response?: unknown;
      code?: string;
    };
    expect(plaidErr.isAxiosError).toBe(true);
    expect(plaidErr.response).toBeUndefined();
    expect(plaidErr.code).toBe("ECONNRESET");
    // Spent rules → the next calls go through.
    expect((await stripe.customers.retrieve(customerId)).id).toBe(customerId);
    expect((await plaid.accountsGet({ access_token: accessToken })).status).toBe(200);
  });

  it("adds measurable latency to the matching route only", async () => {
    const time = async (call: () => Promise<unknown>) => {
      const started = performance.now();
      await call();
      return performance.now() - started;
    };
    const retrieve = () => stripe.customers.retrieve(customerId);
    await retrieve();
    const baseline = Math.min(await time(retrieve), await time(retrieve), await time(retrieve));
    await faults([{ route: "/v1/customers", latencyMs: 200 }]);
    const slowed = await time(retrieve);
    expect(slowed).toBeGreaterThanOrEqual(200);
    expect(slowed - baseline).toBeGreaterThanOrEqual(190);
    // Latency alone lets the request through, and other routes are not slowed.
    expect((await retrieve()).id).toBe(customerId);
    expect(await time(() => plaid.accountsGet({ access_token: accessToken }))).toBeLessThan(150);
  });

  it("rate 0.5 fails about half the requests, reproducibly with a seed", async () => {
    const run = async (): Promise<boolean[]> => {
      await faults([{ route: "/v1/customers", status: 500, rate: 0.5 }], 1234);
      const outcomes: boolean[] = [];
      for (let i = 0; i < 100; i++) {
        outcomes.push(
          await stripe.customers.retrieve(customerId).then(
            () => true,
            () => false,
          ),
        );
      }
      return outcomes;
    };
    const first = await run();
    const failures = first.filter((ok) => !ok).length;
    expect(failures).toBeGreaterThanOrEqual(35);
    expect(failures).toBeLessThanOrEqual(65);
    // Same seed, same sequence.
    expect(await run()).toEqual(first);
    const [rule] = (await listFaults()).rules;
    expect(rule).toMatchObject({ matched: 100, applied: failures });
  });

  it("times limits how often a rule applies; a spent rule lets later rules match", async () => {
    await faults([
      { route: "/accounts/get", status: 500, times: 2 },
      { route: "/accounts/get", code: "ITEM_LOGIN_REQUIRED", times: 1 },
    ]);
    expect((await plaidFailure(plaid.accountsGet({ access_token: accessToken }))).status).toBe(500);
    expect((await plaidFailure(plaid.accountsGet({ access_token: accessToken }))).status).toBe(500);
    expect((await plaidFailure(plaid.accountsGet({ access_token: accessToken }))).error.error_code).toBe("ITEM_LOGIN_REQUIRED");
    expect((await plaid.accountsGet({ access_token: accessToken })).status).toBe(200);
    expect((await listFaults()).rules.map((r) => [r.times, r.applied])).toEqual([
      [0, 2],
      [0, 1],
    ]);
  });

  it("itemId faults only that item's requests, here with Plaid's INSTITUTION_DOWN (INSTITUTION_ERROR, 400)", async () => {
    type Item = { access_token: string; item_id: string; accounts: { account_id: string; subtype: string }[] };
    const checking = (item: Item) => item.accounts.find((a) => a.subtype === "checking")!.account_id;
    const other = await t.control<Item>("plaid/item");
    const mine = await t.control<Item>("plaid/item");
    await faults([{ route: "/processor/stripe/bank_account_token/create", code: "INSTITUTION_DOWN", itemId: mine.item_id, times: 1 }]);
    // Another item's request passes through and does not spend the rule.
    const token = (item: Item) =>
      plaid.processorStripeBankAccountTokenCreate({ access_token: item.access_token, account_id: checking(item) });
    expect((await token(other)).data.stripe_bank_account_token).toMatch(/^btok_/);
    const { status, error } = await plaidFailure(token(mine));
    expect(status).toBe(400);
    expect(error).toMatchObject({ error_type: "INSTITUTION_ERROR", error_code: "INSTITUTION_DOWN" });
    expect(schemaErrors("PlaidError", error)).toEqual([]);
    expect((await listFaults()).rules[0]).toMatchObject({ matched: 1, applied: 1, times: 0 });
    // Spent: the next request goes through.
    expect((await token(mine)).data.stripe_bank_account_token).toMatch(/^btok_/);
  });

  it("faults/add appends rules and keeps the ones in place", async () => {
    await faults([{ route: "/accounts/get", status: 500 }]);
    const res = await fetch(`${t.sandbox.url}/__sandbox/faults/add`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rules: [{ route: "/item/get", status: 503 }] }),
    });
    expect(res.status).toBe(200);
    expect((await listFaults()).rules.map((r) => [r.route, r.status])).toEqual([
      ["/accounts/get", 500],
      ["/item/get", 503],
    ]);
    const bad = await fetch(`${t.sandbox.url}/__sandbox/faults/add`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rules: [{ route: "/x", rate: 5 }] }),
    });
    expect(bad.status).toBe(400);
    expect((await listFaults()).rules).toHaveLength(2);
  });

  it("never faults the control API or the inspection page", async () => {
    await faults([{ route: "/", status: 500 }]);
    expect((await fetch(`${t.sandbox.url}/`)).status).toBe(200);
    expect((await fetch(`${t.sandbox.url}/__sandbox/state`)).status).toBe(200);
    expect((await plaidFailure(plaid.accountsGet({ access_token: accessToken }))).status).toBe(500);
  });

  it("reset clears every rule", async () => {
    await faults([{ route: "/v1/customers", status: 500 }]);
    expect(await rejection(stripe.customers.retrieve(customerId))).toBeInstanceOf(Stripe.errors.StripeAPIError);
    await t.control("reset");
    expect((await listFaults()).rules).toEqual([]);
    // The customer is gone with the reset, but the request reached the emulator again.
    expect(await rejection(stripe.customers.retrieve(customerId))).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    accessToken = (await t.control<{ access_token: string }>("plaid/item")).access_token;
    customerId = (await stripe.customers.create({ email: "faults@example.com" })).id;
  });
});

describe("rule validation", () => {
  it.each([
    [{ rules: "nope" }, "rules must be an array"],
    [{ rules: [{ status: 500 }] }, "rules[0].route"],
    [{ rules: [{ route: "accounts/get" }] }, "rules[0].route"],
    [{ rules: [{ route: "/__sandbox/reset", status: 500 }] }, "control API cannot be faulted"],
    [{ rules: [{ route: "/x", rate: 2 }] }, "rate"],
    [{ rules: [{ route: "/x", status: 200 }] }, "status"],
    [{ rules: [{ route: "/x", latencyMs: -1 }] }, "latencyMs"],
    [{ rules: [{ route: "/x", times: 1.5 }] }, "times"],
    [{ rules: [{ route: "/x", drop: true, status: 500 }] }, "exclusive"],
    [{ rules: [{ route: "/x", body: {} }] }, "needs a status"],
    [{ rules: [{ route: "/x", stauts: 500 }] }, "stauts is not a rule field"],
    [{ rules: [], seed: "x" }, "seed"],
    [{ rules: [{ route: "/item/get", itemId: "" }] }, "itemId"],
    [{ rules: [{ route: "/v1/customers", itemId: "item" }] }, "only applies to Plaid routes"],
  ])("rejects %j", async (body, message) => {
    const res = await setFaults(body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain(message);
  });

  it("a rejected rule set leaves the previous rules in place", async () => {
    await faults([{ route: "/v1/customers", status: 500 }]);
    expect((await setFaults({ rules: [{ route: "/x", rate: 5 }] })).status).toBe(400);
    expect((await listFaults()).rules).toHaveLength(1);
  });
});

describe("FaultInjector", () => {
  it("uses the injected random source for rate draws", () => {
    const draws = [0.2, 0.7, 0.49, 0.5];
    const injector = new FaultInjector(() => draws.shift()!);
    injector.set([{ route: "/accounts", status: 500, rate: 0.5 }]);
    expect(["/accounts/get", "/accounts/get", "/accounts/get", "/accounts/get"].map((p) => injector.decide(p).kind)).toEqual([
      "error",
      "none",
      "error",
      "none",
    ]);
    expect(injector.decide("/item/get").kind).toBe("none");
  });

  it("seededRandom is deterministic and uniform enough", () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(xs.slice(0, 20)).toEqual(Array.from({ length: 20 }, () => b()));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it("defaults the body by path: Stripe's error object under /v1, a PlaidError elsewhere", () => {
    const injector = new FaultInjector();
    injector.set([{ route: "/", status: 500 }]);
    const stripeDecision = injector.decide("/v1/charges");
    const plaidDecision = injector.decide("/item/get");
    expect(stripeDecision).toMatchObject({ kind: "error", status: 500, body: { error: { type: "api_error" } } });
    expect(plaidDecision).toMatchObject({
      kind: "error",
      status: 500,
      body: { error_type: "API_ERROR", error_code: "INTERNAL_SERVER_ERROR" },
    });
    expect(parseFaultRule({ route: "/v1/x", code: "lock_timeout" })).toEqual({ route: "/v1/x", code: "lock_timeout" });
    injector.set([{ route: "/v1/x", code: "lock_timeout" }]);
    expect(injector.decide("/v1/x")).toMatchObject({
      status: 400,
      body: { error: { type: "invalid_request_error", code: "lock_timeout" } },
    });
  });
});
