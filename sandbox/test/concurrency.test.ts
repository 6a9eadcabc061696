/**
 * ~200 concurrent SDK requests (Stripe PaymentIntent creates with distinct
 * idempotency keys, Plaid /accounts/get) leave a consistent state.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Configuration, PlaidApi, Products } from "plaid";
import Stripe from "stripe";
import { DEFAULT_CREDENTIALS, startSandbox, type RunningSandbox } from "../src/server.js";
import { customerWithBankAccount, debit } from "./stripe-harness.js";
import { sandboxStripe } from "./helpers/stripe-client";

let sandbox: RunningSandbox;
let stripe: Stripe;
let plaid: PlaidApi;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "sandbox-concurrency-"));
  sandbox = await startSandbox({ dataDir, port: 0, config: { webhookRetryDelaysMs: [] } });
  stripe = sandboxStripe(sandbox.port);
  plaid = new PlaidApi(
    new Configuration({
      basePath: sandbox.url,
      baseOptions: { headers: { "PLAID-CLIENT-ID": DEFAULT_CREDENTIALS.plaidClientId, "PLAID-SECRET": DEFAULT_CREDENTIALS.plaidSecret } },
    }),
  );
});
afterAll(async () => {
  await sandbox.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function counts(): Promise<Record<string, number>> {
  return ((await (await fetch(`${sandbox.url}/__sandbox/state`)).json()) as { counts: Record<string, number> }).counts;
}

describe("concurrent SDK requests", () => {
  it("200 at once: every PaymentIntent created once and retrievable, Plaid answers consistent", async () => {
    const { data: created } = await plaid.sandboxPublicTokenCreate({ institution_id: "ins_109508", initial_products: [Products.Auth] });
    const { data: item } = await plaid.itemPublicTokenExchange({ public_token: created.public_token });
    const { customer, bankAccount } = await customerWithBankAccount(stripe, "000123456789");
    await debit(stripe, customer.id, bankAccount.id); // accepts the mandate the others reuse
    const before = await counts();

    const create = (i: number, key: string) =>
      stripe.paymentIntents.create(
        {
          amount: 1000 + i,
          currency: "usd",
          customer: customer.id,
          payment_method: bankAccount.id,
          allowed_payment_method_types: ["us_bank_account"],
          confirm: true,
          metadata: { i: String(i) },
        },
        { idempotencyKey: key },
      );
    // 30 ms of added latency on every API route: the requests really are in flight together.
    const faults = await fetch(`${sandbox.url}/__sandbox/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rules: [{ route: "/", latencyMs: 30 }] }),
    });
    expect(faults.status).toBe(200);
    const started = performance.now();
    // 140 creates with distinct keys, 50 Plaid /accounts/get, 10 creates sharing one key, interleaved.
    const jobs: Promise<
      { kind: "pi"; pi: Stripe.PaymentIntent; i: number } | { kind: "same"; pi: Stripe.PaymentIntent } | { kind: "plaid"; ids: string[] }
    >[] = [];
    for (let i = 0; i < 200; i++) {
      if (i % 20 === 3) jobs.push(create(0, "shared-key").then((pi) => ({ kind: "same" as const, pi })));
      else if (i % 4 === 1)
        jobs.push(
          plaid
            .accountsGet({ access_token: item.access_token })
            .then(({ data }) => ({ kind: "plaid" as const, ids: data.accounts.map((a) => a.account_id) })),
        );
      else jobs.push(create(i, `key-${i}`).then((pi) => ({ kind: "pi" as const, pi, i })));
    }
    expect(jobs.length).toBe(200);
    const results = await Promise.all(jobs);
    // Sequentially that would be ≥ 200 × 30 ms = 6 s.
    expect(performance.now() - started).toBeLessThan(3_000);
    await fetch(`${sandbox.url}/__sandbox/faults/clear`, { method: "POST", headers: { "content-type": "application/json" } });

    const created_ = results.flatMap((r) => (r.kind === "pi" ? [r] : []));
    const same = results.flatMap((r) => (r.kind === "same" ? [r.pi] : []));
    const plaidResults = results.flatMap((r) => (r.kind === "plaid" ? [r.ids] : []));
    expect([created_.length, plaidResults.length, same.length]).toEqual([140, 50, 10]);

    // Distinct keys: distinct PaymentIntents with the right amounts, all processing.
    const ids = created_.map((r) => r.pi.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of created_) expect(r.pi).toMatchObject({ amount: 1000 + r.i, status: "processing", metadata: { i: String(r.i) } });
    // The shared key: one PaymentIntent for all of them.
    expect(new Set(same.map((pi) => pi.id)).size).toBe(1);
    // Plaid: every answer lists the same accounts.
    for (const accounts of plaidResults) expect(accounts).toEqual(plaidResults[0]);

    // Counts moved by exactly what was created; each new PaymentIntent has its own charge.
    const after = await counts();
    expect(after.stripe_payment_intents! - before.stripe_payment_intents!).toBe(ids.length + 1);
    expect(after.stripe_charges! - before.stripe_charges!).toBe(ids.length + 1);
    expect(after.plaid_items).toBe(before.plaid_items);

    // Every PaymentIntent is retrievable, also concurrently, and listed exactly once.
    const retrieved = await Promise.all([...ids, same[0]!.id].map((id) => stripe.paymentIntents.retrieve(id)));
    expect(retrieved.map((pi) => pi.id)).toEqual([...ids, same[0]!.id]);
    const listed = await stripe.paymentIntents.list({ customer: customer.id, limit: 100 }).autoPagingToArray({ limit: 1000 });
    const listedIds = listed.map((pi) => pi.id);
    expect(new Set(listedIds).size).toBe(listedIds.length);
    for (const id of [...ids, same[0]!.id]) expect(listedIds).toContain(id);
    const charges = new Set(retrieved.map((pi) => pi.latest_charge));
    expect(charges.size).toBe(retrieved.length);

    // And the file on disk agrees after a flush.
    sandbox.context.store.flush();
    const saved = JSON.parse(readFileSync(path.join(dataDir, "state.json"), "utf8")) as {
      stripe: { paymentIntents: Record<string, unknown> };
    };
    for (const id of ids) expect(saved.stripe.paymentIntents[id]).toBeDefined();
  });
});
