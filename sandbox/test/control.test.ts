/**
 * The JSON control API (/__sandbox/*): built-in actions, errors, state, and
 * that sandbox/README.md documents every action the modules mount.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Stripe from "stripe";
import { DEFAULT_CREDENTIALS, startSandbox, type RunningSandbox } from "../src/server.js";
import { Store } from "../src/core/store.js";
import { WebhookDispatcher } from "../src/core/webhooks.js";
import type { SandboxConfig, SandboxContext } from "../src/core/context.js";
import { createStripeModule } from "../src/stripe/index.js";
import { createPlaidModule } from "../src/plaid/index.js";
import { createLinkModule } from "../src/link/index.js";
import { createMailModule, MailInbox } from "../src/mail/index.js";
import { sandboxStripe } from "./helpers/stripe-client";

let sandbox: RunningSandbox;
let stripe: Stripe;

async function post(action: string, body?: unknown, raw?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${sandbox.url}/__sandbox/${action}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function state(): Promise<Record<string, unknown> & { counts: Record<string, number> }> {
  const res = await fetch(`${sandbox.url}/__sandbox/state`);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown> & { counts: Record<string, number> };
}

beforeAll(async () => {
  sandbox = await startSandbox({ dataDir: null, port: 0, config: { webhookRetryDelaysMs: [] } });
  stripe = sandboxStripe(sandbox.port);
});
afterAll(async () => {
  await sandbox.close();
});

describe("state and reset", () => {
  it("GET /__sandbox/state summarises every module with counts", async () => {
    await post("plaid/item");
    await stripe.customers.create({ email: "state@example.com" });
    const s = await state();
    expect(Object.keys(s)).toEqual(expect.arrayContaining(["plaid", "stripe", "webhooks", "faults", "counts"]));
    expect(s.counts).toMatchObject({
      plaid_items: 1,
      plaid_accounts: 12,
      plaid_access_tokens: 1,
      stripe_customers: 1,
      stripe_payment_intents: 0,
    });
    expect((s.stripe as { customers: { email: string }[] }).customers[0]!.email).toBe("state@example.com");
  });

  it("POST /__sandbox/reset wipes every module and the fault rules", async () => {
    await post("faults", { rules: [{ route: "/v1/customers", status: 500 }] });
    expect(await post("reset")).toEqual({ status: 200, json: { reset: true } });
    const s = await state();
    expect(Object.values(s.counts).every((n) => n === 0)).toBe(true);
    expect(s.faults).toEqual([]);
    // The emulators work on the fresh state.
    expect((await stripe.customers.create({ email: "after@example.com" })).id).toMatch(/^cus_/);
    expect((await post("plaid/item")).status).toBe(200);
  });
});

describe("faults", () => {
  it("sets, lists and clears rules", async () => {
    const set = await post("faults", { rules: [{ route: "/accounts/get", status: 500, times: 3 }], seed: 9 });
    expect(set.status).toBe(200);
    expect(set.json.rules).toEqual([{ route: "/accounts/get", status: 500, times: 3, matched: 0, applied: 0 }]);
    expect(await (await fetch(`${sandbox.url}/__sandbox/faults`)).json()).toEqual({ rules: set.json.rules });
    expect((await post("faults/clear")).json).toEqual({ rules: [] });
    expect((await post("faults", { rules: [] })).json).toEqual({ rules: [] });
  });
});

describe("webhooks/idle", () => {
  let receiver: Server;
  let url: string;
  beforeAll(async () => {
    receiver = createServer((_req, res) => {
      // Answers slowly, so idle has something to wait for.
      setTimeout(() => res.writeHead(204).end(), 150);
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it("answers once every delivery under way has finished", async () => {
    const { json: item } = await post("plaid/item", { webhook: url });
    const { json: fired } = await post("plaid/fire_webhook", { item_id: item.item_id, webhook_code: "NEW_ACCOUNTS_AVAILABLE" });
    const delivery = () => sandbox.context.webhooks.list().find((d) => d.id === fired.delivery_id)!;
    expect(delivery().attempts).toHaveLength(0);
    expect(await post("webhooks/idle")).toEqual({ status: 200, json: { idle: true } });
    expect(delivery().state).toBe("delivered");
    expect(delivery().attempts.map((a) => a.status)).toEqual([204]);
  });
});

describe("errors", () => {
  it("404 for an unknown action, 400 for bad JSON or a failing action", async () => {
    expect(await post("nope")).toEqual({ status: 404, json: { error: "control API: unknown action nope" } });
    expect((await post("stripe/nope")).status).toBe(404);
    expect(await post("reset", undefined, "{not json")).toEqual({ status: 400, json: { error: "control API: body must be JSON" } });
    expect((await post("reset", [1, 2])).status).toBe(400);
    const failing = await post("stripe/fail", { payment_intent: "pi_missing" });
    expect(failing.status).toBe(400);
    expect(failing.json.error).toContain("pi_missing");
    expect((await post("plaid/reset_login", {})).json).toEqual({ error: "item_id is required" });
  });

  it("GET on an unknown sandbox path is a JSON 404", async () => {
    const res = await fetch(`${sandbox.url}/__sandbox/nothing`);
    expect(res.status).toBe(404);
  });
});

describe("requests from other sites", () => {
  /** A raw POST with the headers a browser (or an attacker's page) would send; the body is valid JSON either way. */
  async function send(action: string, headers: Record<string, string>, body = "{}"): Promise<{ status: number; error: string }> {
    const res = await fetch(`${sandbox.url}/__sandbox/${action}`, { method: "POST", headers, body });
    const json = (await res.json()) as { error?: string };
    return { status: res.status, error: json.error ?? "" };
  }
  const textPlain = { "content-type": "text/plain;charset=UTF-8" };

  it("refuses a cross-site text/plain POST (what any web page can send without asking) with 403 and changes nothing", async () => {
    await post("reset");
    await post("plaid/item");
    const before = await state();
    expect(before.counts.plaid_items).toBe(1);
    for (const action of ["reset", "plaid/item", "faults"]) {
      const body = action === "faults" ? JSON.stringify({ rules: [{ route: "/", status: 500 }] }) : "{}";
      expect(await send(action, { ...textPlain, origin: "http://evil.example" }, body)).toEqual({
        status: 403,
        error: expect.stringMatching(/control API: cross-site request refused/),
      });
      // The same with the browser's other tell-tales, one at a time.
      expect((await send(action, { ...textPlain, "sec-fetch-site": "cross-site" }, body)).status).toBe(403);
      expect((await send(action, { ...textPlain, origin: "null" }, body)).status).toBe(403);
      // Another port on the same host is another origin (a dev server next door).
      expect((await send(action, { "content-type": "application/json", origin: "http://127.0.0.1:1" }, body)).status).toBe(403);
      expect((await send(action, { "content-type": "application/json", "sec-fetch-site": "same-site" }, body)).status).toBe(403);
    }
    const after = await state();
    expect(after.counts).toEqual(before.counts);
    expect(after.faults).toEqual([]);
  });

  it("wants Content-Type application/json on every control POST, even an empty one (415 otherwise)", async () => {
    const before = (await state()).counts;
    for (const headers of [
      textPlain,
      { "content-type": "application/x-www-form-urlencoded" },
      { "content-type": "multipart/form-data; boundary=x" },
    ]) {
      expect(await send("plaid/item", headers)).toEqual({ status: 415, error: expect.stringMatching(/Content-Type: application\/json/) });
    }
    const res = await fetch(`${sandbox.url}/__sandbox/reset`, { method: "POST" }); // no body, no content type
    expect(res.status).toBe(415);
    expect((await state()).counts).toEqual(before);
  });

  it("still answers Node's fetch (no Origin) and the sandbox's own origin", async () => {
    expect((await send("plaid/item", { "content-type": "application/json" })).status).toBe(200);
    expect((await send("plaid/item", { "content-type": "Application/JSON; charset=utf-8", origin: sandbox.url })).status).toBe(200);
    expect((await send("plaid/item", { "content-type": "application/json", "sec-fetch-site": "same-origin" })).status).toBe(200);
    expect((await send("plaid/item", { "content-type": "application/json", "sec-fetch-site": "none" })).status).toBe(200);
    const empty = await fetch(`${sandbox.url}/__sandbox/faults/clear`, { method: "POST", headers: { "content-type": "application/json" } });
    expect(empty.status).toBe(200);
  });

  it("answers only to its own host name: a DNS-rebound page (Host: evil.example) gets 403 for the page, state and actions", async () => {
    const rebound = { host: `evil.example:${sandbox.port}` };
    const { request } = await import("node:http");
    const call = (method: string, p: string, headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port: sandbox.port, method, path: p, headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end(method === "POST" ? "{}" : undefined);
      });
    const before = (await state()).counts;
    expect(await call("GET", "/", rebound)).toBe(403);
    expect(await call("GET", "/__sandbox/state", rebound)).toBe(403);
    expect(await call("GET", "/__sandbox/mail", rebound)).toBe(403);
    expect(
      await call("POST", "/__sandbox/plaid/item", { ...rebound, "content-type": "application/json", origin: `http://${rebound.host}` }),
    ).toBe(403);
    expect((await state()).counts).toEqual(before);
    // Its own names: what it listens on, and localhost.
    expect(await call("GET", "/__sandbox/state", { host: `localhost:${sandbox.port}` })).toBe(200);
    expect(await call("GET", "/__sandbox/state", { host: `127.0.0.1:${sandbox.port}` })).toBe(200);
  });
});

describe("sandbox/README.md", () => {
  const readme = readFileSync(path.resolve(import.meta.dirname, "../README.md"), "utf8");

  it("documents every control action the modules mount, and the built-ins", async () => {
    const config: SandboxConfig = {
      publicUrl: "http://127.0.0.1:1",
      plaidClientId: "x",
      plaidSecret: "y",
      stripeSecretKey: "sk_test_x",
      achSettleDelayMs: null,
      webhookRetryDelaysMs: [],
      stripeWebhookSecret: null,
      stripeWebhookUrl: null,
      smtpUrl: null,
    };
    const store = new Store(null);
    const context: SandboxContext = { config, store, webhooks: new WebhookDispatcher(store, []) };
    const modules = [
      createStripeModule(context),
      createPlaidModule(context),
      createLinkModule(context),
      createMailModule(new MailInbox(store), () => null),
    ];
    const documented = new Set([...readme.matchAll(/`(?:POST |GET )?\/__sandbox\/([a-z_/]+)(?:<action>)?`/g)].map((m) => m[1]!));
    const expected = ["reset", "state", "faults", "faults/clear", "webhooks/idle", "ui"];
    for (const module of modules) for (const action of Object.keys(module.control ?? {})) expected.push(`${module.name}/${action}`);
    const missing = expected.filter((action) => !documented.has(action) && !documented.has(`${action}/`));
    expect(missing).toEqual([]);
  });

  it("documents how to run it, its credentials and environment variables", () => {
    expect(readme).toContain("npm run sandbox");
    for (const value of Object.values(DEFAULT_CREDENTIALS)) expect(readme).toContain(value);
    const main = readFileSync(path.resolve(import.meta.dirname, "../src/main.ts"), "utf8");
    const envVars = new Set([...main.matchAll(/process\.env\.([A-Z_]+)/g)].map((m) => m[1]!));
    expect(envVars.size).toBeGreaterThan(3);
    for (const name of envVars) expect(readme).toContain(name);
  });
});
