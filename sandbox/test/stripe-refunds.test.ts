import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { customerWithBankAccount, debit, startStripeHarness, useStripeHarness } from "./stripe-harness.js";

const h = useStripeHarness();

/** A settled (succeeded) debit of `amount`, ready to refund. */
async function settledDebit(stripe: Stripe, control: typeof h.control, amount = 3000): Promise<Stripe.PaymentIntent> {
  const { customer, bankAccount } = await customerWithBankAccount(stripe, "000123456789");
  const intent = await debit(stripe, customer.id, bankAccount.id, amount);
  await control("settle", { payment_intent: intent.id });
  return intent;
}

/** Event types recorded for a refund, oldest first. */
async function refundEvents(refundId: string): Promise<Stripe.Event[]> {
  const events = await h.stripe.events.list({ limit: 100 }).autoPagingToArray({ limit: 1000 });
  return events.filter((e) => (e.data.object as { id?: string }).id === refundId).reverse();
}

describe("ACH refunds take time", () => {
  it("start pending and succeed when settled, with refund.updated", async () => {
    const intent = await settledDebit(h.stripe, h.control);
    const refund = await h.stripe.refunds.create({ payment_intent: intent.id, amount: 1000 });
    expect(refund).toMatchObject({ status: "pending", amount: 1000 });
    expect(await h.stripe.charges.retrieve(intent.latest_charge as string)).toMatchObject({ amount_refunded: 1000, refunded: false });

    const { refund: settled } = await h.control<{ refund: Stripe.Refund }>("settle_refund", { refund: refund.id });
    expect(settled.status).toBe("succeeded");
    expect((await h.stripe.refunds.retrieve(refund.id)).status).toBe("succeeded");
    const events = await refundEvents(refund.id);
    expect(events.map((e) => e.type)).toEqual(["refund.created", "refund.updated"]);
    expect(events[1]!.data.previous_attributes).toEqual({ status: "pending" });
    await expect(h.control("settle_refund", { refund: refund.id })).rejects.toThrow(/not pending/);
  });

  it("fail on command with a failure_reason: refund.updated then refund.failed, the charge is no longer refunded", async () => {
    const intent = await settledDebit(h.stripe, h.control, 2000);
    const refund = await h.stripe.refunds.create({ payment_intent: intent.id });
    await h.control("fail_refund", { refund: refund.id, failure_reason: "declined" });

    const failed = await h.stripe.refunds.retrieve(refund.id);
    expect(failed).toMatchObject({ status: "failed", failure_reason: "declined" });
    expect(failed.failure_balance_transaction).toMatch(/^txn_/);
    expect(await h.stripe.charges.retrieve(intent.latest_charge as string)).toMatchObject({ amount_refunded: 0, refunded: false });
    const events = await refundEvents(refund.id);
    expect(events.map((e) => e.type)).toEqual(["refund.created", "refund.updated", "refund.failed"]);
    expect(events.at(-1)!.data.object).toMatchObject({ status: "failed", failure_reason: "declined" });

    // The amount can be refunded again.
    const again = await h.stripe.refunds.create({ payment_intent: intent.id });
    expect(again.amount).toBe(2000);
    await expect(h.control("fail_refund", { refund: again.id, failure_reason: "because" })).rejects.toThrow(/failure_reason must be/);
  });

  it("settle_all settles pending refunds too", async () => {
    const intent = await settledDebit(h.stripe, h.control);
    const refund = await h.stripe.refunds.create({ payment_intent: intent.id });
    const result = await h.control<{ refunds: { id: string; status: string }[] }>("settle_all");
    expect(result.refunds).toContainEqual({ id: refund.id, status: "succeeded" });
  });

  it("succeed by themselves after achSettleDelayMs", async () => {
    const auto = await startStripeHarness({ config: { achSettleDelayMs: 50 } });
    try {
      const { customer, bankAccount } = await customerWithBankAccount(auto.stripe, "000123456789");
      const intent = await debit(auto.stripe, customer.id, bankAccount.id);
      await new Promise((r) => setTimeout(r, 150));
      const refund = await auto.stripe.refunds.create({ payment_intent: intent.id });
      expect(refund.status).toBe("pending");
      await new Promise((r) => setTimeout(r, 150));
      expect((await auto.stripe.refunds.retrieve(refund.id)).status).toBe("succeeded");
    } finally {
      await auto.close();
    }
  });

  it("lists by created range", async () => {
    const intent = await settledDebit(h.stripe, h.control);
    const refund = await h.stripe.refunds.create({ payment_intent: intent.id });
    const inRange = await h.stripe.refunds.list({ created: { gte: refund.created, lte: refund.created }, limit: 100 });
    expect(inRange.data.map((r) => r.id)).toContain(refund.id);
    const later = await h.stripe.refunds.list({ created: { gt: refund.created } });
    expect(later.data.map((r) => r.id)).not.toContain(refund.id);
  });
});
