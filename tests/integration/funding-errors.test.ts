/**
 * What a funding request answers when something fails after Stripe has
 * the debit: never "couldn't reach your payment processor", always a
 * retryable answer, and the payment is found again (retry, reconciliation).
 */
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, describe, expect, inject, it, vi } from "vitest";
import { bankingDeps } from "@/lib/banking/deps";
import { linkBankAccount } from "@/lib/banking/link-account";
import { createPrismaClient } from "@/lib/db";
import { createFundingPayment } from "@/lib/funding/create-payment";
import { MANDATE_TEXT_VERSION } from "@/lib/funding/mandates";
import { reconcilePayments } from "@/lib/funding/reconcile";
import { applyObservedStatus } from "@/lib/funding/ledger";
import { logger } from "@/lib/log";
import { getStripe } from "@/lib/stripe/client";
import { rejection } from "../helpers/app-error";
import { testDb, uniqueEmail, signedIn } from "../helpers/db";
import { startDbProxy } from "../helpers/db-proxy";
import { linkResult, sandboxControl } from "../helpers/sandbox";

const db = testDb();
const proxy = await startDbProxy(inject("databaseUrl"));
/** The "instance" whose database goes away mid-request. */
const proxied = createPrismaClient(proxy.url, { max: 2 });
afterEach(() => proxy.restore());
afterAll(async () => {
  await proxied.$disconnect();
  await proxy.close();
  await db.$disconnect();
});

const LIMITS = { minCents: 100, maxCents: 50_000, dailyMaxCents: 60_000, thirtyDayMaxCents: 100_000 };
const deps = (instanceDb = db) => ({ ...bankingDeps(), db: instanceDb, limits: LIMITS });
const ctx = { ip: "198.51.100.7", userAgent: "vitest" };
const accepted = { accepted: true as const, textVersion: MANDATE_TEXT_VERSION };

async function linkedUser() {
  const user = await signedIn(
    db,
    await db.user.create({ data: { email: uniqueEmail("errors"), name: "Err Ors", emailVerified: new Date() } }),
  );
  const bank = await linkBankAccount(bankingDeps(), user, (await linkResult()).input());
  const { stripeCustomerId } = await db.user.findUniqueOrThrow({ where: { id: user.id } });
  return { user, bank, customer: stripeCustomerId! };
}

const intentsOf = async (customer: string) => (await getStripe().paymentIntents.list({ customer, limit: 100 })).data;

const IN_USE = {
  status: 409,
  body: {
    error: {
      type: "invalid_request_error",
      code: "idempotency_key_in_use",
      message: "There is currently another in-progress request using this idempotency key. Please retry your request later.",
    },
  },
};

/** Adds one sandbox fault rule and returns a function telling how often it has applied. */
async function fault(rule: Record<string, unknown>): Promise<() => Promise<number>> {
  await sandboxControl("faults/add", { rules: [rule] });
  const same = (listed: Record<string, unknown>) =>
    Object.keys(rule).every((key) => key === "times" || JSON.stringify(listed[key]) === JSON.stringify(rule[key]));
  return async () => {
    const listed = (await fetch(`${inject("sandboxUrl")}/__sandbox/faults`).then((r) => r.json())) as { rules: Record<string, unknown>[] };
    return Number(listed.rules.find(same)?.applied ?? 0);
  };
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A funding request whose database goes away while Stripe creates the PaymentIntent (which succeeds). */
async function databaseLostAfterStripe() {
  const { user, bank, customer } = await linkedUser();
  const applied = await fault({ route: "/v1/payment_intents", customer, latencyMs: 1_500, times: 1 });
  const input = { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 2_300, mandate: accepted };
  const answer = rejection(createFundingPayment(deps(proxied), user, input, ctx));
  await until(async () => (await applied()) === 1);
  proxy.cut();
  const error = await answer;
  proxy.restore();
  return { user, customer, input, error };
}

describe("funding errors after Stripe accepted the debit", () => {
  it("answers a retryable 503 (not 'processor unreachable') and the retry with the same request id finds the payment", async () => {
    const { user, customer, input, error } = await databaseLostAfterStripe();
    expect(error).toMatchObject({ status: 503, code: "TRANSFER_CONFIRMING", retryAfterSeconds: 2 });
    expect(error.message).toMatch(/confirming your transfer/);
    expect(error.message).not.toMatch(/couldn't reach/);

    // Stripe has the debit; the payment is written down but does not know it yet.
    const [intent, ...more] = await intentsOf(customer);
    expect(more).toHaveLength(0);
    const row = await db.payment.findFirstOrThrow({ where: { userId: user.id } });
    expect(intent!.metadata).toMatchObject({ payment_id: row.id });
    expect(row).toMatchObject({ status: "PENDING", stripePaymentIntentId: null });

    const retried = await createFundingPayment(deps(proxied), user, input, ctx);
    expect(retried).toMatchObject({ created: false, payment: { id: row.id, status: "PROCESSING" } });
    expect(await db.payment.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
      status: "PROCESSING",
      stripePaymentIntentId: intent!.id,
    });
    expect(await intentsOf(customer)).toHaveLength(1);
  });

  it("leaves a payment that reconciliation adopts without a second debit", async () => {
    const { user, customer, error } = await databaseLostAfterStripe();
    expect(error).toMatchObject({ status: 503, code: "TRANSFER_CONFIRMING" });
    const report = await reconcilePayments(db, { userIds: [user.id], olderThanMinutes: 0 });
    expect(report).toMatchObject({ checked: 1, staleUnsubmitted: 1, errors: 0 });
    const [intent, ...more] = await intentsOf(customer);
    expect(more).toHaveLength(0);
    expect(await db.payment.findFirstOrThrow({ where: { userId: user.id } })).toMatchObject({
      status: "PROCESSING",
      stripePaymentIntentId: intent!.id,
    });
  });
});

describe("a double click that reaches two instances", () => {
  it("waits for the twin holding Stripe's idempotency key (409 idempotency_key_in_use) and answers with its payment", async () => {
    const { user, bank, customer } = await linkedUser();
    // The first request's create is slow; while it runs, Stripe answers the twin's create (and the SDK's retries) with 409.
    const firstSent = await fault({ route: "/v1/payment_intents", customer, latencyMs: 3_000, times: 1 });
    const inUse = await fault({ route: "/v1/payment_intents", customer, ...IN_USE, times: 3 });
    const input = { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 1_700, mandate: accepted };
    const first = createFundingPayment(deps(), user, input, ctx);
    await until(async () => (await firstSent()) === 1);
    const twin = await createFundingPayment(deps(proxied), user, input, ctx);
    expect(await inUse()).toBeGreaterThan(0);
    const original = await first;

    expect(original).toMatchObject({ created: true, payment: { status: "PROCESSING" } });
    expect(twin).toMatchObject({ created: false, payment: { id: original.payment.id, status: "PROCESSING" } });
    expect(await intentsOf(customer)).toHaveLength(1);
  });
});

describe("reconciliation racing another worker", () => {
  const errorsAbout = (spy: { mock: { calls: unknown[][] } }, paymentId: string) =>
    spy.mock.calls.filter(([fields]) => (fields as { paymentId?: string } | undefined)?.paymentId === paymentId);

  it("does not log an error for a payment another worker is re-sending right now", { timeout: 40_000 }, async () => {
    const { user, bank, customer } = await linkedUser();
    // The first send never got an answer: written down, unsubmitted, nothing at Stripe.
    await fault({ route: "/v1/payment_intents", customer, status: 500, times: 3 });
    const input = { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 1_100, mandate: accepted };
    expect(await rejection(createFundingPayment(deps(), user, input, ctx))).toMatchObject({ status: 502, code: "UPSTREAM_UNAVAILABLE" });
    const { id: paymentId } = await db.payment.findFirstOrThrow({ where: { userId: user.id } });

    // Worker B re-sends it slowly; worker A, checking the same payment meanwhile, meets B's idempotency key (409).
    const slowSend = await fault({ route: "/v1/payment_intents", customer, latencyMs: 7_000, times: 1 });
    await fault({ route: "/v1/payment_intents", customer, ...IN_USE, times: 3 });
    const runB = reconcilePayments(db, { userIds: [user.id], olderThanMinutes: 0 });
    await until(async () => (await slowSend()) === 1);
    const errors = vi.spyOn(logger, "error");
    try {
      const runA = await reconcilePayments(db, { userIds: [user.id], olderThanMinutes: 0 });
      expect(runA).toMatchObject({ checked: 1, handledElsewhere: 1, errors: 0 });
      expect(errorsAbout(errors, paymentId)).toEqual([]);
    } finally {
      errors.mockRestore();
    }
    expect(await runB).toMatchObject({ checked: 1, staleUnsubmitted: 1, errors: 0 });
    const [intent, ...more] = await intentsOf(customer);
    expect(more).toHaveLength(0);
    expect(await db.payment.findUniqueOrThrow({ where: { id: paymentId } })).toMatchObject({
      status: "PROCESSING",
      stripePaymentIntentId: intent!.id,
    });
  });

  it("does not log an error for a payment that moved on while its Stripe read failed", async () => {
    const { user, bank } = await linkedUser();
    const { payment } = await createFundingPayment(
      deps(),
      user,
      { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 1_300, mandate: accepted },
      ctx,
    );
    const { stripePaymentIntentId } = await db.payment.findUniqueOrThrow({ where: { id: payment.id } });
    // A read that fails for a payment nobody touched is still an error.
    await fault({ route: `/v1/payment_intents/${stripePaymentIntentId}`, status: 500, times: 3 });
    expect(await reconcilePayments(db, { userIds: [user.id], olderThanMinutes: 0 })).toMatchObject({ errors: 1, handledElsewhere: 0 });

    // The read is slow, then fails (with the SDK's retries); meanwhile a webhook settles the payment.
    const slowRead = await fault({ route: `/v1/payment_intents/${stripePaymentIntentId}`, latencyMs: 1_000, status: 500, times: 1 });
    await fault({ route: `/v1/payment_intents/${stripePaymentIntentId}`, status: 500, times: 2 });
    const errors = vi.spyOn(logger, "error");
    try {
      const run = reconcilePayments(db, { userIds: [user.id], olderThanMinutes: 0 });
      await until(async () => (await slowRead()) === 1);
      await applyObservedStatus(db, payment.id, { status: "SUCCEEDED" }, "webhook");
      expect(await run).toMatchObject({ checked: 1, handledElsewhere: 1, errors: 0 });
      expect(errorsAbout(errors, payment.id)).toEqual([]);
    } finally {
      errors.mockRestore();
    }
  });
});
