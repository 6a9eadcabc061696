import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from "./helpers/webhook-receiver.js";
import { customerWithBankAccount, debit, startStripeHarness, type StripeHarness } from "./stripe-harness.js";

function signature(request: ReceivedRequest): string {
  return String(request.headers["stripe-signature"] ?? "");
}

let h: StripeHarness;
let receiver: WebhookReceiver;
const CONFIG_SECRET = "whsec_from_environment";

beforeEach(async () => {
  receiver = await startWebhookReceiver();
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

    const events = receiver.received.map((r) => h.stripe.webhooks.constructEvent(r.body, signature(r), CONFIG_SECRET));
    const types = events.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        "customer.created",
        "customer.source.created",
        "payment_intent.created",
        "payment_intent.processing",
        "charge.pending",
        "charge.succeeded",
        "payment_intent.succeeded",
      ]),
    );
    const succeeded = events.find((e) => e.type === "payment_intent.succeeded")!;
    expect(succeeded.data.object as Stripe.PaymentIntent).toMatchObject({ id: intent.id, status: "succeeded" });
    // Sent while one endpoint was still waiting for it; delivered since, so none is now (as on Stripe).
    expect(succeeded.pending_webhooks).toBe(1);
    expect(await h.stripe.events.retrieve(succeeded.id)).toMatchObject({ id: succeeded.id, pending_webhooks: 0 });
    expect(signature(receiver.received[0]!)).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);

    // A wrong secret or a tampered body is rejected by the SDK.
    const sample = receiver.received[0]!;
    expect(() => h.stripe.webhooks.constructEvent(sample.body, signature(sample), "whsec_other")).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    expect(() => h.stripe.webhooks.constructEvent(sample.body.replace("event", "evil"), signature(sample), CONFIG_SECRET)).toThrow(
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
          return [h.stripe.webhooks.constructEvent(r.body, signature(r), secret)];
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
