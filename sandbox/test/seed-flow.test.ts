import { createHash, timingSafeEqual } from "node:crypto";
import { decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import { Configuration, PlaidApi, Products, WebhookVerificationKeyGetRequest } from "plaid";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CREDENTIALS, startSandbox, type RunningSandbox } from "../src/server.js";
import { sandboxStripe } from "./helpers/stripe-client.js";
import { startWebhookReceiver, type WebhookReceiver } from "./helpers/webhook-receiver.js";

/**
 * The whole seed flow the app relies on, through the official SDKs only:
 * sandbox public token → exchange → accounts → Stripe bank account token →
 * customer with the bank account → PaymentIntent → settled → signed webhooks
 * verified with stripe.webhooks.constructEvent and Plaid's JWT scheme.
 */
const STRIPE_SECRET = "whsec_seed_flow_test";

let sandbox: RunningSandbox;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  sandbox = await startSandbox({
    dataDir: null,
    port: 0,
    config: { stripeWebhookUrl: `${receiver.url}/stripe`, stripeWebhookSecret: STRIPE_SECRET, webhookRetryDelaysMs: [] },
  });
});

afterAll(async () => {
  await sandbox.context.webhooks.idle();
  await sandbox.close();
  await receiver.close();
});

describe("seed flow: Plaid → Stripe → settled → verified webhooks", () => {
  it("runs end to end", async () => {
    const plaid = new PlaidApi(
      new Configuration({
        basePath: sandbox.url,
        baseOptions: { headers: { "PLAID-CLIENT-ID": DEFAULT_CREDENTIALS.plaidClientId, "PLAID-SECRET": DEFAULT_CREDENTIALS.plaidSecret } },
      }),
    );
    const stripe = sandboxStripe(sandbox.port, { maxNetworkRetries: 1 });

    const { data: created } = await plaid.sandboxPublicTokenCreate({
      institution_id: "ins_109508",
      initial_products: [Products.Auth],
      options: { webhook: `${receiver.url}/plaid` },
    });
    const { data: exchanged } = await plaid.itemPublicTokenExchange({ public_token: created.public_token });
    expect(exchanged.access_token).toMatch(/^access-sandbox-/);
    const { data: accounts } = await plaid.accountsGet({ access_token: exchanged.access_token });
    const checking = accounts.accounts.find((a) => a.subtype === "checking")!;
    expect(checking).toMatchObject({ name: "Plaid Checking", mask: "0000" });

    const { data: token } = await plaid.processorStripeBankAccountTokenCreate({
      access_token: exchanged.access_token,
      account_id: checking.account_id,
    });
    expect(token.stripe_bank_account_token).toMatch(/^btok_/);
    const customer = await stripe.customers.create({
      email: "seed@example.test",
      source: token.stripe_bank_account_token,
      expand: ["sources"],
    });
    const bankAccount = customer.sources!.data[0] as Stripe.BankAccount;
    expect(bankAccount).toMatchObject({ object: "bank_account", status: "verified", last4: "6789", routing_number: "110000000" });

    const intent = await stripe.paymentIntents.create(
      {
        amount: 5_000,
        currency: "usd",
        customer: customer.id,
        payment_method: bankAccount.id,
        allowed_payment_method_types: ["us_bank_account"],
        confirm: true,
        mandate_data: { customer_acceptance: { type: "online", online: { ip_address: "203.0.113.9", user_agent: "seed-flow" } } },
      },
      { idempotencyKey: "seed-flow-1" },
    );
    expect(intent.status).toBe("processing");
    const settle = await fetch(`${sandbox.url}/__sandbox/stripe/settle`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ payment_intent: intent.id }),
    });
    expect(settle.ok).toBe(true);
    expect((await stripe.paymentIntents.retrieve(intent.id)).status).toBe("succeeded");

    await plaid.sandboxItemFireWebhook({
      access_token: exchanged.access_token,
      webhook_code: "DEFAULT_UPDATE" as never,
      webhook_type: "AUTH" as never,
    });
    await sandbox.context.webhooks.idle();

    // Stripe: every delivery verifies with the SDK; the succeeded event is there.
    const stripeDeliveries = receiver.received.filter((r) => r.path === "/stripe");
    const events = stripeDeliveries.map((r) =>
      stripe.webhooks.constructEvent(r.body, String(r.headers["stripe-signature"]), STRIPE_SECRET),
    );
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(["payment_intent.processing", "payment_intent.succeeded", "charge.succeeded"]),
    );
    expect(() =>
      stripe.webhooks.constructEvent(stripeDeliveries[0]!.body, String(stripeDeliveries[0]!.headers["stripe-signature"]), "whsec_wrong"),
    ).toThrow();

    // Plaid: the JWT verifies with the key /webhook_verification_key/get serves, and covers the body.
    const plaidDelivery = receiver.received.find((r) => r.path === "/plaid")!;
    expect(JSON.parse(plaidDelivery.body)).toMatchObject({
      webhook_type: "AUTH",
      webhook_code: "DEFAULT_UPDATE",
      item_id: exchanged.item_id,
    });
    const jwt = String(plaidDelivery.headers["plaid-verification"]);
    const header = decodeProtectedHeader(jwt);
    expect(header).toMatchObject({ alg: "ES256", typ: "JWT" });
    const { data: key } = await plaid.webhookVerificationKeyGet({ key_id: header.kid! } satisfies WebhookVerificationKeyGetRequest);
    expect(key.key.expired_at).toBeNull();
    const { payload } = await jwtVerify(jwt, await importJWK(key.key as never, "ES256"), { algorithms: ["ES256"], maxTokenAge: "5 min" });
    const bodyHash = createHash("sha256").update(plaidDelivery.body).digest("hex");
    expect(timingSafeEqual(Buffer.from(String(payload.request_body_sha256)), Buffer.from(bodyHash))).toBe(true);
  });
});
