import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { customerWithBankAccount, debit, startStripeHarness, type StripeHarness } from "./stripe-harness.js";

interface Received {
  body: string;
  signature: string;
}

/** A local HTTP endpoint that records raw bodies and Stripe-Signature headers. */
async function startReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ body: Buffer.concat(chunks).toString("utf8"), signature: String(req.headers["stripe-signature"] ?? "") });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/stripe/webhook`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let h: StripeHarness;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const CONFIG_SECRET = "whsec_from_environment";

beforeEach(async () => {
  receiver = await startReceiver();
  h = await startStripeHarness({ config: { stripeWebhookUrl: receiver.url, stripeWebhookSecret: CONFIG_SECRET } });
});
afterEach(async () => {
  await h.close();
  await receiver.close();
});

describe("webhook delivery", () => {
  it("signs every event for the configured endpoint so constructEvent accepts it", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const intent = await debit(h.stripe, customer.id, bankAccount.id);
    await h.control("settle", { payment_intent: intent.id });
    await h.sandbox.context.webhooks.idle();

    const events = receiver.received.map((r) => h.stripe.webhooks.constructEvent(r.body, r.signature, CONFIG_SECRET));
    const types = events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["customer.created", "customer.source.created", "payment_intent.created", "payment_intent.processing", "charge.pending", "charge.succeeded", "payment_intent.succeeded"]));
    const succeeded = events.find((e) => e.type === "payment_intent.succeeded")!;
    expect((succeeded.data.object as Stripe.PaymentIntent)).toMatchObject({ id: intent.id, status: "succeeded" });
    expect(await h.stripe.events.retrieve(succeeded.id)).toMatchObject({ id: succeeded.id, pending_webhooks: 1 });
    expect(receiver.received[0]!.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);

    // A wrong secret or a tampered body is rejected by the SDK.
    const sample = receiver.received[0]!;
    expect(() => h.stripe.webhooks.constructEvent(sample.body, sample.signature, "whsec_other")).toThrow(Stripe.errors.StripeSignatureVerificationError);
    expect(() => h.stripe.webhooks.constructEvent(sample.body.replace("event", "evil"), sample.signature, CONFIG_SECRET)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );

    const deliveries = h.sandbox.context.webhooks.list().filter((d) => d.source === "stripe");
    expect(deliveries.length).toBe(receiver.received.length);
    expect(deliveries.every((d) => d.state === "delivered")).toBe(true);
  });

  it("delivers to API-created endpoints with their own secret, filtered by enabled_events", async () => {
    const endpoint = await h.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ["customer.created"] });
    const everything = await h.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ["*"] });
    const disabled = await h.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ["*"] });
    await h.stripe.webhookEndpoints.update(disabled.id, { disabled: true });

    await h.stripe.customers.create({ email: "hook@example.com" });
    await h.sandbox.context.webhooks.idle();

    const verifiedBy = (secret: string) =>
      receiver.received.flatMap((r) => {
        try {
          return [h.stripe.webhooks.constructEvent(r.body, r.signature, secret)];
        } catch {
          return [];
        }
      });
    expect(verifiedBy(endpoint.secret!).map((e) => e.type)).toEqual(["customer.created"]);
    expect(verifiedBy(everything.secret!).map((e) => e.type)).toEqual(["customer.created"]);
    expect(verifiedBy(disabled.secret!)).toEqual([]);
    expect(verifiedBy(CONFIG_SECRET).map((e) => e.type)).toEqual(["customer.created"]);
    expect(receiver.received).toHaveLength(3);
  });
});
