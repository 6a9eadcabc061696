import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { customerWithBankAccount, debit, rejection, useStripeHarness } from "./stripe-harness.js";

const h = useStripeHarness();

function usd(entries: { amount: number; currency: string }[]): number {
  return entries.find((e) => e.currency === "usd")?.amount ?? 0;
}

async function chargeOf(intent: Stripe.PaymentIntent): Promise<Stripe.Charge> {
  return h.stripe.charges.retrieve(intent.latest_charge as string, { expand: ["balance_transaction", "failure_balance_transaction"] });
}

describe("balance transactions", () => {
  it("a debit records a pending payment net of the ACH fee, available once it settles", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const before = await h.stripe.balance.retrieve();
    const intent = await debit(h.stripe, customer.id, bankAccount.id, 2500);
    const pending = (await chargeOf(intent)).balance_transaction as Stripe.BalanceTransaction;
    expect(pending).toMatchObject({
      object: "balance_transaction",
      amount: 2500,
      fee: 20, // 0.8% of $25.00
      net: 2480,
      currency: "usd",
      status: "pending",
      type: "payment",
      reporting_category: "charge",
      source: intent.latest_charge,
      balance_type: "payments",
      fee_details: [{ amount: 20, currency: "usd", type: "stripe_fee", description: "Stripe processing fees", application: null }],
    });
    expect(pending.id).toMatch(/^txn_/);
    expect(pending.available_on).toBeGreaterThan(pending.created);
    const during = await h.stripe.balance.retrieve();
    expect(usd(during.pending) - usd(before.pending)).toBe(2480);

    await h.control("settle", { payment_intent: intent.id });
    const settled = await h.stripe.paymentIntents.retrieve(intent.id, { expand: ["latest_charge.balance_transaction"] });
    const txn = (settled.latest_charge as Stripe.Charge).balance_transaction as Stripe.BalanceTransaction;
    expect(txn).toMatchObject({ id: pending.id, status: "available" });
    expect(txn.available_on).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    const after = await h.stripe.balance.retrieve();
    expect(usd(after.available) - usd(before.available)).toBe(2480);
    expect(usd(after.pending)).toBe(usd(before.pending));
  });

  it("caps the fee at $5.00", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const intent = await debit(h.stripe, customer.id, bankAccount.id, 100_000);
    expect((await chargeOf(intent)).balance_transaction).toMatchObject({ amount: 100_000, fee: 500, net: 99_500 });
  });

  it("a returned debit is reversed by a payment_failure_refund, fee included", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000222222227");
    const intent = await debit(h.stripe, customer.id, bankAccount.id, 5000);
    await h.control("settle", { payment_intent: intent.id });
    const charge = await chargeOf(intent);
    expect(charge.failure_balance_transaction).toMatchObject({
      amount: -5000,
      fee: -40,
      net: -4960,
      type: "payment_failure_refund",
      reporting_category: "charge_failure",
      status: "available",
      source: charge.id,
    });
    expect((charge.balance_transaction as Stripe.BalanceTransaction).status).toBe("available");
  });

  it("a refund withdraws its amount (payment_refund), a failed refund credits it back (refund_failure)", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const intent = await debit(h.stripe, customer.id, bankAccount.id, 3000);
    await h.control("settle", { payment_intent: intent.id });
    const before = await h.stripe.balance.retrieve();
    const refund = await h.stripe.refunds.create({ payment_intent: intent.id, amount: 1000, expand: ["balance_transaction"] });
    expect(refund.balance_transaction).toMatchObject({
      amount: -1000,
      fee: 0,
      net: -1000,
      fee_details: [],
      type: "payment_refund",
      reporting_category: "refund",
      status: "available",
      source: refund.id,
    });
    expect(usd((await h.stripe.balance.retrieve()).available) - usd(before.available)).toBe(-1000);

    await h.control("fail_refund", { refund: refund.id });
    const failed = await h.stripe.refunds.retrieve(refund.id, { expand: ["failure_balance_transaction"] });
    expect(failed.failure_balance_transaction).toMatchObject({ amount: 1000, net: 1000, type: "refund_failure", source: refund.id });
    expect(usd((await h.stripe.balance.retrieve()).available)).toBe(usd(before.available));
  });

  it("retrieves, lists with source / type / created / payout filters, and expands source", async () => {
    const { customer, bankAccount } = await customerWithBankAccount(h.stripe, "000123456789");
    const intent = await debit(h.stripe, customer.id, bankAccount.id, 1200);
    const chargeId = intent.latest_charge as string;
    const txnId = (await h.stripe.charges.retrieve(chargeId)).balance_transaction as string;

    const retrieved = await h.stripe.balanceTransactions.retrieve(txnId, { expand: ["source"] });
    expect((retrieved.source as Stripe.Charge).id).toBe(chargeId);
    expect((await h.stripe.balanceTransactions.list({ source: chargeId })).data.map((t) => t.id)).toEqual([txnId]);
    const payments = await h.stripe.balanceTransactions.list({ type: "payment", limit: 100 });
    expect(payments.data.every((t) => t.type === "payment")).toBe(true);
    expect(payments.data.map((t) => t.id)).toContain(txnId);
    expect((await h.stripe.balanceTransactions.list({ created: { gte: retrieved.created }, limit: 100 })).data.map((t) => t.id)).toContain(
      txnId,
    );
    expect((await h.stripe.balanceTransactions.list({ created: { lt: retrieved.created } })).data.map((t) => t.id)).not.toContain(txnId);
    expect((await h.stripe.balanceTransactions.list({ payout: "po_unknown" })).data).toEqual([]);

    const missing = await rejection(h.stripe.balanceTransactions.retrieve("txn_unknown"));
    expect(missing).toMatchObject({ statusCode: 404, code: "resource_missing" });
    const unknownParam = await rejection(h.stripe.balanceTransactions.list({ nope: "1" } as Stripe.BalanceTransactionListParams));
    expect(unknownParam.code).toBe("parameter_unknown");
  });
});
