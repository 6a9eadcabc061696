/**
 * The inspection page (GET /) and its forms (POST /__sandbox/ui/<action>):
 * what it lists, what it must never show, escaping, accessibility, the
 * actions, and speed with many objects.
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Configuration, PlaidApi } from "plaid";
import Stripe from "stripe";
import { DEFAULT_CREDENTIALS, startSandbox, type RunningSandbox } from "../src/server.js";
import type { StripeState } from "../src/stripe/state.js";
import type { PlaidState } from "../src/plaid/state.js";
import { truncateToken } from "../src/control/page.js";
import { startWebhookReceiver, type WebhookReceiver } from "./helpers/webhook-receiver.js";
import { customerWithBankAccount, debit } from "./stripe-harness.js";
import { sandboxStripe } from "./helpers/stripe-client";

let sandbox: RunningSandbox;
let stripe: Stripe;
let plaid: PlaidApi;
let receiver: WebhookReceiver;

/** Bodies the webhook receiver got on /plaid. */
function plaidBodies(): string[] {
  return receiver.received.filter((r) => r.path === "/plaid").map((r) => r.body);
}

async function control<T = Record<string, unknown>>(action: string, body: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${sandbox.url}/__sandbox/${action}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const data = (await res.json()) as T;
  if (!res.ok) throw new Error(`control ${action}: ${JSON.stringify(data)}`);
  return data;
}

async function page(query = ""): Promise<string> {
  const res = await fetch(`${sandbox.url}/${query}`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
  return res.text();
}

/** Posts one of the page's forms like a browser would; returns the redirect. */
async function submit(
  action: string,
  fields: Record<string, string> = {},
  headers: Record<string, string> = {},
): Promise<{ status: number; location: string; flash: string | null; level: string | null }> {
  const res = await fetch(`${sandbox.url}/__sandbox/ui/${action}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });
  const location = res.headers.get("location") ?? "";
  const url = new URL(location || "/", sandbox.url);
  return { status: res.status, location, flash: url.searchParams.get("flash"), level: url.searchParams.get("level") };
}

/** The <section> of the page whose heading has this id. */
function section(html: string, id: string): string {
  const start = html.indexOf(`<section aria-labelledby="${id}">`);
  expect(start, `section ${id}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf("</section>", start));
}

beforeAll(async () => {
  receiver = await startWebhookReceiver((path) => (path === "/fail" ? 503 : 200));
  sandbox = await startSandbox({ dataDir: null, port: 0, config: { webhookRetryDelaysMs: [10] } });
  stripe = sandboxStripe(sandbox.port);
  plaid = new PlaidApi(
    new Configuration({
      basePath: sandbox.url,
      baseOptions: { headers: { "PLAID-CLIENT-ID": DEFAULT_CREDENTIALS.plaidClientId, "PLAID-SECRET": DEFAULT_CREDENTIALS.plaidSecret } },
    }),
  );
});
afterAll(async () => {
  await sandbox.context.webhooks.idle();
  await sandbox.close();
  await receiver.close();
});

describe("what the page lists", () => {
  it("shows items, accounts (mask only), truncated tokens, customers, bank accounts, payments and webhook attempts", async () => {
    const item = await control<{ access_token: string; item_id: string; accounts: { account_id: string; mask: string }[] }>("plaid/item", {
      webhook: `${receiver.url}/plaid`,
    });
    const { data: auth } = await plaid.authGet({ access_token: item.access_token });
    const fullNumber = auth.numbers.ach[0]!.account;

    const { customer, bankAccount } = await customerWithBankAccount(stripe, "000123456789");
    await stripe.customers.update(customer.id, { name: `<script>alert("x")</script>` });
    const intent = await debit(stripe, customer.id, bankAccount.id);
    const failing = await debit(stripe, customer.id, bankAccount.id, 1234, false);
    // Debited before the return below blocks the account.
    const legacy = await stripe.charges.create({ amount: 700, currency: "usd", customer: customer.id, source: bankAccount.id });
    await control("stripe/fail", { payment_intent: failing.id, code: "account_closed" });
    await stripe.webhookEndpoints.create({ url: `${receiver.url}/fail`, enabled_events: ["customer.created"] });
    await stripe.customers.create({ email: "webhook@example.com" });
    await sandbox.context.webhooks.idle();

    const html = await page();
    expect(html.startsWith("<!doctype html>")).toBe(true);

    const items = section(html, "items");
    expect(items).toContain(item.item_id);
    expect(items).toContain("First Platypus Bank");
    expect(items).toContain(truncateToken(item.access_token));

    const accounts = section(html, "accounts");
    expect(accounts).toContain(item.accounts[0]!.account_id);
    expect(accounts).toContain(`••${item.accounts[0]!.mask}`);
    // Never the full numbers or usable tokens, anywhere.
    expect(html).not.toContain(fullNumber);
    expect(html).not.toContain("000123456789");
    expect(html).not.toContain(item.access_token);
    expect(section(html, "tokens")).toMatch(/access-sandbox-…[0-9a-f]{4}/);

    expect(section(html, "customers")).toContain(customer.id);
    const banks = section(html, "bank-accounts");
    expect(banks).toContain(bankAccount.id);
    expect(banks).toContain("••6789");

    const payments = section(html, "payments");
    expect(payments).toContain(intent.id);
    expect(payments).toMatch(new RegExp(`${failing.id}.*requires_payment_method.*account_closed`, "s"));
    expect(payments).toContain(legacy.id);
    expect(payments).toContain("7.00 USD");

    // Each attempt with its response code (the endpoint answers 503, retried once).
    const webhooks = section(html, "webhooks");
    expect(webhooks).toContain("customer.created");
    expect(webhooks.match(/HTTP 503/g)).toHaveLength(2);
    expect(webhooks).toContain("failed");
  });

  it("shows an attempt's network error", async () => {
    const item = await control<{ item_id: string }>("plaid/item", { webhook: "http://127.0.0.1:9/closed-port" });
    await control("plaid/fire_webhook", { item_id: item.item_id, webhook_code: "NEW_ACCOUNTS_AVAILABLE" });
    await sandbox.context.webhooks.idle();
    const webhooks = section(await page(), "webhooks");
    expect(webhooks).toMatch(/ITEM:NEW_ACCOUNTS_AVAILABLE.*error: fetch failed/s);
  });

  it("escapes every value (names, URLs, flash messages)", async () => {
    await control("plaid/item", { webhook: `${receiver.url}/x?a="><img src=x onerror=alert(1)>` });
    const html = await page(`?flash=${encodeURIComponent("<b>hi</b>")}&level=error`);
    expect(html).not.toContain(`<script>alert`);
    expect(html).toContain("&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;");
    expect(html).not.toContain(`"><img`);
    expect(html).toContain("&#60;b&#62;hi&#60;/b&#62;");
    expect(html).toContain('role="alert"');
    // Only our own markup: no script element, no event-handler attribute in any tag.
    expect(html).not.toMatch(/<script/i);
    const tags = html.match(/<[a-z][^>]*>/gi) ?? [];
    expect(tags.filter((tag) => /\son[a-z]+\s*=/i.test(tag.replace(/"[^"]*"/g, '""')))).toEqual([]);
  });
});

describe("accessibility", () => {
  it("has a language, one h1, labelled sections, table captions and headers, labelled controls", async () => {
    const html = await page();
    expect(html).toMatch(/<html lang="en">/);
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
    for (const [, id] of html.matchAll(/<section aria-labelledby="([^"]+)">/g)) expect(html).toContain(`<h2 id="${id}">`);
    const tables = html.match(/<table>/g)?.length ?? 0;
    expect(tables).toBeGreaterThanOrEqual(6);
    expect(html.match(/<caption>/g)).toHaveLength(tables);
    expect(html.match(/<thead>/g)).toHaveLength(tables);
    expect(html).not.toMatch(/<th(?=[\s>])(?![^>]*scope=)/);
    const selectIds = [...html.matchAll(/<select id="([^"]+)"/g)].map((m) => m[1]!);
    expect(selectIds.length).toBeGreaterThan(0);
    for (const id of selectIds) expect(html).toContain(`<label for="${id}">`);
    expect(new Set(selectIds).size).toBe(selectIds.length);
    expect(html).not.toMatch(/<button[^>]*>\s*<\/button>/);
  });

  it.skipIf(!existsSync("/usr/bin/chromium"))(
    "passes axe (WCAG 2.1 AA) in Chromium",
    async () => {
      const { chromium } = await import("@playwright/test");
      const { AxeBuilder } = await import("@axe-core/playwright");
      const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
      try {
        const context = await browser.newContext();
        const tab = await context.newPage();
        await tab.goto(`${sandbox.url}/?flash=Done`);
        const results = await new AxeBuilder({ page: tab }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
        expect(
          results.violations.map(
            (v) =>
              `${v.id}: ${v.nodes
                .map((n) => n.target.join(" "))
                .slice(0, 3)
                .join(", ")}`,
          ),
        ).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});

describe("actions", () => {
  it("settles a payment and comes back with a flash message", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(stripe, "000123456789");
    const intent = await debit(stripe, customer.id, bankAccount.id);
    const html = await page();
    expect(section(html, "payments")).toContain(`<input type="hidden" name="payment_intent" value="${intent.id}">`);
    const res = await submit("stripe/settle", { payment_intent: intent.id });
    expect(res.status).toBe(303);
    expect(res.location).toMatch(/^\/\?flash=.*#payments$/);
    expect(res.level).toBe("ok");
    expect(res.flash).toBe(`Settled ${intent.id}: PaymentIntent succeeded, charge succeeded`);
    expect((await stripe.paymentIntents.retrieve(intent.id)).status).toBe("succeeded");
    expect(await page(res.location.replace(/^\//, "").replace(/#.*/, ""))).toContain(`role="status">Settled ${intent.id}`);
  });

  it("fails a payment with the chosen code, also a legacy charge", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(stripe, "000123456789");
    const intent = await debit(stripe, customer.id, bankAccount.id);
    // Debited before the return below blocks the account.
    const charge = await stripe.charges.create({ amount: 500, currency: "usd", customer: customer.id, source: bankAccount.id });
    const res = await submit("stripe/fail", { payment_intent: intent.id, code: "debit_not_authorized" });
    expect(res.flash).toContain("debit_not_authorized");
    const after = await stripe.paymentIntents.retrieve(intent.id, { expand: ["latest_charge"] });
    expect(after.status).toBe("requires_payment_method");
    expect((after.latest_charge as Stripe.Charge).failure_code).toBe("debit_not_authorized");

    expect((await submit("stripe/fail", { charge: charge.id, code: "no_account" })).level).toBe("ok");
    expect((await stripe.charges.retrieve(charge.id)).failure_code).toBe("no_account");
    // A settled payment has no actions left; asking anyway is an error flash, not a crash.
    const again = await submit("stripe/settle", { charge: charge.id });
    expect(again.status).toBe(303);
    expect(again.level).toBe("error");
  });

  it("settles every pending payment", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(stripe, "000123456789");
    const a = await debit(stripe, customer.id, bankAccount.id);
    const b = await debit(stripe, customer.id, bankAccount.id, 300, false);
    const res = await submit("stripe/settle_all");
    expect(res.flash).toMatch(/^Settled \d+ pending payment\(s\)$/);
    expect((await stripe.paymentIntents.retrieve(a.id)).status).toBe("succeeded");
    expect((await stripe.paymentIntents.retrieve(b.id)).status).toBe("succeeded");
  });

  it("fires a Plaid webhook chosen in the select and forces ITEM_LOGIN_REQUIRED", async () => {
    const item = await control<{ access_token: string; item_id: string }>("plaid/item", { webhook: `${receiver.url}/plaid` });
    const before = plaidBodies().length;
    const fired = await submit("plaid/fire_webhook", { item_id: item.item_id, webhook: "AUTH:DEFAULT_UPDATE" });
    expect(fired.level).toBe("ok");
    expect(fired.flash).toContain("AUTH:DEFAULT_UPDATE");
    await sandbox.context.webhooks.idle();
    expect(
      plaidBodies()
        .slice(before)
        .map((b) => JSON.parse(b) as { webhook_code: string }),
    ).toEqual([expect.objectContaining({ webhook_type: "AUTH", webhook_code: "DEFAULT_UPDATE", item_id: item.item_id })]);

    const forced = await submit("plaid/reset_login", { item_id: item.item_id });
    expect(forced.flash).toBe(`Item ${item.item_id} is now ITEM_LOGIN_REQUIRED`);
    const err = (await plaid.accountsGet({ access_token: item.access_token }).catch((e: unknown) => e)) as {
      response?: { data: { error_code: string } };
    };
    expect(err.response?.data.error_code).toBe("ITEM_LOGIN_REQUIRED");
    expect(section(await page(), "items")).toMatch(new RegExp(`${item.item_id}.*ITEM_LOGIN_REQUIRED`, "s"));

    const bad = await submit("plaid/fire_webhook", { item_id: item.item_id, webhook: "ITEM:NOPE" });
    expect(bad.level).toBe("error");
    expect(bad.flash).toContain("not supported");
  });

  it("rejects unknown actions and forms posted from another site", async () => {
    expect((await submit("stripe/processing_delay", { ms: "100" })).level).toBe("error");
    expect((await submit("reset", {}, { origin: "http://evil.example" })).status).toBe(403);
    expect((await submit("reset", {}, { "sec-fetch-site": "cross-site" })).status).toBe(403);
  });

  it("clears fault rules", async () => {
    await control("faults", { rules: [{ route: "/v1/customers", status: 500 }] });
    expect(section(await page(), "faults")).toContain("/v1/customers");
    expect((await submit("faults/clear")).flash).toBe("Fault rules cleared");
    expect(section(await page(), "faults")).toContain("No fault rules");
  });

  it("resets everything", async () => {
    const before = await page();
    expect(before).toMatch(/Stripe customers \([1-9]/);
    const res = await submit("reset", {}, { origin: sandbox.url });
    expect(res).toMatchObject({ status: 303, flash: "Everything was reset", level: "ok" });
    const html = await page();
    expect(html).toContain("Plaid items (0)");
    expect(html).toContain("Stripe customers (0)");
    expect(html).toContain("No paymentintents yet.");
  });
});

describe("many objects", () => {
  it("renders the newest 50 of each kind with counts, fast, over 10,000 PaymentIntents and 2,000 items", async () => {
    await control("reset");
    const item = await control<{ item_id: string }>("plaid/item", { webhook: `${receiver.url}/plaid` });
    const { customer, bankAccount } = await customerWithBankAccount(stripe, "000123456789");
    const intent = await debit(stripe, customer.id, bankAccount.id);
    // Clone objects straight into the store: the page's cost is what is measured, not 10,000 API calls.
    const data = sandbox.context.store.snapshot() as { stripe: StripeState; plaid: PlaidState };
    const template = data.stripe.paymentIntents[intent.id]!;
    for (let i = 0; i < 10_000; i++) {
      const id = `pi_clone${String(i).padStart(16, "0")}`;
      data.stripe.paymentIntents[id] = { ...template, id };
    }
    const itemTemplate = data.plaid.items[item.item_id]!;
    for (let i = 0; i < 2_000; i++) {
      const id = `itemclone${String(i).padStart(28, "0")}`;
      data.plaid.items[id] = { ...itemTemplate, item_id: id };
    }

    await page(); // warm-up
    const started = performance.now();
    const html = await page();
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(250);
    expect(html.length).toBeLessThan(1_000_000);

    const payments = section(html, "payments");
    expect(payments).toContain("PaymentIntents: newest 50 of 10,001");
    expect(payments.match(/<tr><th scope="row"><code>pi_/g)).toHaveLength(50);
    expect(payments).toContain("pi_clone0000000000009999");
    expect(payments).not.toContain("pi_clone0000000000009949");
    expect(section(html, "items")).toContain("Items: newest 50 of 2,001");
    expect(section(html, "accounts")).toMatch(/Accounts: newest 50 of 24,012/);
    const state = (await (await fetch(`${sandbox.url}/__sandbox/state`)).json()) as { counts: Record<string, number> };
    expect(state.counts).toMatchObject({ stripe_payment_intents: 10_001, plaid_items: 2_001 });
    await control("reset");
  });
});
