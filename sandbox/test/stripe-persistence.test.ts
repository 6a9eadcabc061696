import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import { customerWithBankAccount, debit, startStripeHarness } from "./stripe-harness.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("persistence", () => {
  it("keeps customers, bank accounts, mandates, intents, events and idempotency keys across a restart", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "stripe-sandbox-"));
    dirs.push(dataDir);

    // The endpoint below is unreachable: no retries, so close() does not wait for them.
    const config = { webhookRetryDelaysMs: [] };
    const first = await startStripeHarness({ dataDir, config });
    const { customer, bankAccount } = await customerWithBankAccount(first.stripe, "000123456789");
    const intent = await debit(first.stripe, customer.id, bankAccount.id);
    const endpoint = await first.stripe.webhookEndpoints.create({ url: "http://127.0.0.1:9/hook", enabled_events: ["*"] });
    const keyed = await first.stripe.customers.create({ email: "keyed@example.com" }, { idempotencyKey: "persisted-key" });
    await first.close();

    const second = await startStripeHarness({ dataDir, config });
    try {
      const stripe = second.stripe;
      expect(((await stripe.customers.retrieve(customer.id)) as Stripe.Customer).default_source).toBe(bankAccount.id);
      expect((await stripe.customers.retrieveSource(customer.id, bankAccount.id)).id).toBe(bankAccount.id);
      expect((await stripe.paymentIntents.retrieve(intent.id)).status).toBe("processing");
      expect((await stripe.webhookEndpoints.retrieve(endpoint.id)).url).toBe("http://127.0.0.1:9/hook");
      const replay = await stripe.customers.create({ email: "keyed@example.com" }, { idempotencyKey: "persisted-key" });
      expect(replay.id).toBe(keyed.id);
      expect(replay.lastResponse.headers["idempotent-replayed"]).toBe("true");

      // The pending debit settles after the restart, and the mandate is still reusable.
      await second.control("settle", { payment_intent: intent.id });
      expect((await stripe.paymentIntents.retrieve(intent.id)).status).toBe("succeeded");
      expect((await debit(stripe, customer.id, bankAccount.id, 1000, false)).status).toBe("processing");
      expect((await stripe.events.list({ type: "customer.created", limit: 100 })).data.length).toBeGreaterThanOrEqual(2);
    } finally {
      await second.close();
    }
  });

  it("resumes automatic settlement after a restart", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "stripe-sandbox-"));
    dirs.push(dataDir);
    const first = await startStripeHarness({ dataDir, config: { achSettleDelayMs: 150 } });
    const { customer, bankAccount } = await customerWithBankAccount(first.stripe, "000123456789");
    const intent = await debit(first.stripe, customer.id, bankAccount.id);
    await first.close();

    const second = await startStripeHarness({ dataDir, config: { achSettleDelayMs: 150 } });
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect((await second.stripe.paymentIntents.retrieve(intent.id)).status).toBe("succeeded");
    } finally {
      await second.close();
    }
  });

  it("resumes pending refunds, and reads a state file written before balance transactions and refund timers existed", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "stripe-sandbox-"));
    dirs.push(dataDir);
    const first = await startStripeHarness({ dataDir });
    const { customer, bankAccount } = await customerWithBankAccount(first.stripe, "000123456789");
    await first.close();
    const file = path.join(dataDir, "state.json");
    const state = JSON.parse(readFileSync(file, "utf8")) as { stripe: Record<string, unknown> };
    delete state.stripe.balanceTransactions;
    delete state.stripe.refundSettleAt;
    writeFileSync(file, JSON.stringify(state));

    const config = { achSettleDelayMs: 150 };
    const second = await startStripeHarness({ dataDir, config });
    const intent = await debit(second.stripe, customer.id, bankAccount.id);
    await second.control("settle", { payment_intent: intent.id });
    const refund = await second.stripe.refunds.create({ payment_intent: intent.id });
    expect(refund.balance_transaction).toMatch(/^txn_/);
    await second.close();

    const third = await startStripeHarness({ dataDir, config });
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect((await third.stripe.refunds.retrieve(refund.id)).status).toBe("succeeded");
    } finally {
      await third.close();
    }
  });
});
