import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { customerWithBankAccount, debit, rejection, useStripeHarness } from "./stripe-harness.js";

const h = useStripeHarness();

/** A debit from 000555555559, settled: it succeeds, then is disputed. */
async function disputedDebit(amount = 2500): Promise<{ intent: Stripe.PaymentIntent; dispute: Stripe.Dispute }> {
  const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000555555559");
  const intent = await debit(h.stripe, customer.id, bankAccount.id, amount);
  await h.control("settle", { payment_intent: intent.id });
  const { data } = await h.stripe.disputes.list({ payment_intent: intent.id });
  expect(data).toHaveLength(1);
  return { intent, dispute: data[0]! };
}

describe("ACH disputes", () => {
  it("are lost at once (final, no evidence), withdrawing the amount plus the $15.00 fee", async () => {
    const { intent, dispute } = await disputedDebit(2500);
    expect(dispute).toMatchObject({
      object: "dispute",
      amount: 2500,
      currency: "usd",
      charge: intent.latest_charge,
      payment_intent: intent.id,
      reason: "debit_not_authorized",
      network_reason_code: "R10",
      status: "lost",
      is_charge_refundable: false,
      evidence_details: { due_by: null, has_evidence: false, submission_count: 0 },
    });
    expect(dispute.id).toMatch(/^dp_/);
    expect(dispute.balance_transactions).toHaveLength(1);
    const [withdrawal] = dispute.balance_transactions;
    expect(withdrawal).toMatchObject({
      amount: -2500,
      fee: 1500,
      net: -4000,
      type: "adjustment",
      reporting_category: "dispute",
      status: "available",
      source: dispute.id,
      fee_details: [{ amount: 1500, currency: "usd", description: "Dispute fee", type: "stripe_fee", application: null }],
    });
    expect(await h.stripe.balanceTransactions.retrieve(withdrawal!.id)).toEqual(withdrawal);
  });

  it("send charge.dispute.created then charge.dispute.funds_withdrawn", async () => {
    const { dispute } = await disputedDebit();
    const events = await h.stripe.events.list({ types: ["charge.dispute.*"], limit: 100 });
    const types = events.data
      .filter((e) => (e.data.object as Stripe.Dispute).id === dispute.id)
      .reverse()
      .map((e) => e.type);
    expect(types).toEqual(["charge.dispute.created", "charge.dispute.funds_withdrawn"]);
  });

  it("are retrieved, and listed by charge, payment_intent and created", async () => {
    const first = await disputedDebit(1500);
    const second = await disputedDebit(1600);
    expect(await h.stripe.disputes.retrieve(first.dispute.id)).toEqual(first.dispute);
    const all = await h.stripe.disputes.list({ limit: 100 });
    expect(all.data.map((d) => d.id).slice(0, 2)).toEqual([second.dispute.id, first.dispute.id]);
    expect((await h.stripe.disputes.list({ charge: first.intent.latest_charge as string })).data.map((d) => d.id)).toEqual([
      first.dispute.id,
    ]);
    const since = await h.stripe.disputes.list({ created: { gte: first.dispute.created }, limit: 100 });
    expect(since.data.map((d) => d.id)).toEqual(expect.arrayContaining([first.dispute.id, second.dispute.id]));
    expect((await h.stripe.disputes.list({ created: { lt: first.dispute.created } })).data.map((d) => d.id)).not.toContain(
      first.dispute.id,
    );
    const missing = await rejection(h.stripe.disputes.retrieve("dp_unknown"));
    expect(missing).toMatchObject({ statusCode: 404, code: "resource_missing" });
  });
});
