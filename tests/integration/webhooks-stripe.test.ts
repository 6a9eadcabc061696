import { afterAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/webhooks/stripe/route";
import { getDb } from "@/lib/db";
import { testDb, signedIn } from "../helpers/db";
import { linkBankAccount, sandbox, startDebit, stripeEventFor, stripeWebhookRequest, writePaymentRow } from "./webhooks-fixtures";

// Info logs of every processed webhook would drown the test output.
process.env.LOG_LEVEL ??= "warn";

const db = testDb();
afterAll(async () => {
  await db.$disconnect();
  await getDb().$disconnect();
});

async function deliver(payload: string, signature?: string | null): Promise<Response> {
  return POST(stripeWebhookRequest(payload, signature));
}

async function deliverEvent(type: string, objectId: string): Promise<{ res: Response; eventId: string }> {
  const event = await stripeEventFor(type, objectId);
  const res = await deliver(JSON.stringify(event, null, 2));
  return { res, eventId: event.id };
}

async function paymentState(paymentId: string) {
  const payment = await db.payment.findUniqueOrThrow({ where: { id: paymentId } });
  const credits = await db.ledgerEntry.findMany({ where: { paymentId } });
  return { payment, credits };
}

describe("POST /api/webhooks/stripe", () => {
  it("payment_intent.succeeded credits the balance once; the same event again changes nothing", async () => {
    const linked = await linkBankAccount(db, { btok: "btok_us_verified" });
    const debit = await startDebit(db, linked, 4_200);
    await sandbox("stripe/settle", { payment_intent: debit.intent.id });

    const first = await deliverEvent("payment_intent.succeeded", debit.intent.id);
    expect(first.res.status).toBe(200);
    let state = await paymentState(debit.paymentId);
    expect(state.payment.status).toBe("SUCCEEDED");
    expect(state.payment.settledAt).not.toBeNull();
    expect(state.credits).toHaveLength(1);
    expect(state.credits[0]!.amountCents).toBe(4_200);
    const stored = await db.stripeEvent.findUniqueOrThrow({ where: { id: first.eventId } });
    expect(stored.type).toBe("payment_intent.succeeded");
    expect(stored.objectId).toBe(debit.intent.id);
    expect(stored.processedAt).not.toBeNull();
    const audits = await db.auditLog.findMany({ where: { targetType: "payment", targetId: debit.paymentId, action: "payment.succeeded" } });
    expect(audits).toHaveLength(1);
    expect(audits[0]!.metadata).toMatchObject({ source: `webhook:${first.eventId}` });

    // Stripe redelivers the same event (same id): acknowledged, not applied again.
    const again = await deliverEvent("payment_intent.succeeded", debit.intent.id);
    expect(again.res.status).toBe(200);
    expect(await again.res.json()).toMatchObject({ duplicate: true });
    state = await paymentState(debit.paymentId);
    expect(state.credits).toHaveLength(1);
    expect(await db.stripeEvent.count({ where: { id: first.eventId } })).toBe(1);

    // Other events about the same settled intent (charge.succeeded) are harmless too.
    expect((await deliverEvent("charge.succeeded", debit.intent.latest_charge as string)).res.status).toBe(200);
    expect((await paymentState(debit.paymentId)).credits).toHaveLength(1);
  });

  it("reordered events: succeeded before processing leaves the payment SUCCEEDED, credited once", async () => {
    const linked = await linkBankAccount(db, { btok: "btok_us_verified" });
    const debit = await startDebit(db, linked, 1_000);
    await sandbox("stripe/settle", { payment_intent: debit.intent.id });

    expect((await deliverEvent("payment_intent.succeeded", debit.intent.id)).res.status).toBe(200);
    expect((await deliverEvent("payment_intent.processing", debit.intent.id)).res.status).toBe(200);
    const state = await paymentState(debit.paymentId);
    expect(state.payment.status).toBe("SUCCEEDED");
    expect(state.credits).toHaveLength(1);
  });

  it("processing then (later) succeeded: the payment moves through PROCESSING", async () => {
    const linked = await linkBankAccount(db, { btok: "btok_us_verified" });
    const debit = await startDebit(db, linked, 1_500);
    expect((await deliverEvent("payment_intent.processing", debit.intent.id)).res.status).toBe(200);
    expect((await paymentState(debit.paymentId)).payment.status).toBe("PROCESSING");
    expect((await paymentState(debit.paymentId)).credits).toHaveLength(0);

    await sandbox("stripe/settle", { payment_intent: debit.intent.id });
    await deliverEvent("payment_intent.succeeded", debit.intent.id);
    expect((await paymentState(debit.paymentId)).payment.status).toBe("SUCCEEDED");
  });

  it("payment_failed (insufficient funds) marks the payment FAILED with a plain reason, no credit", async () => {
    const linked = await linkBankAccount(db, { btok: "btok_us_verified_insufficientFunds" });
    const debit = await startDebit(db, linked, 3_000);
    await sandbox("stripe/settle", { payment_intent: debit.intent.id });

    expect((await deliverEvent("payment_intent.payment_failed", debit.intent.id)).res.status).toBe(200);
    const state = await paymentState(debit.paymentId);
    expect(state.payment.status).toBe("FAILED");
    expect(state.payment.failureCode).toBe("insufficient_funds");
    expect(state.payment.failureMessage).toBe("Insufficient funds in the bank account.");
    expect(state.credits).toHaveLength(0);
  });

  it("legacy charges (STRIPE_USE_CHARGES): charge.pending → PROCESSING, charge.succeeded → SUCCEEDED once, charge.failed → FAILED", async () => {
    const { getStripe } = await import("@/lib/stripe/client");
    const legacy = async (btok: string, amountCents: number) => {
      const linked = await linkBankAccount(db, { btok });
      const payment = await writePaymentRow(db, linked, amountCents);
      const charge = await getStripe().charges.create({
        amount: amountCents,
        currency: "usd",
        customer: linked.customerId,
        source: linked.stripeBankAccountId,
        metadata: { payment_id: payment.id },
      });
      expect(charge.status).toBe("pending");
      await db.payment.update({ where: { id: payment.id }, data: { stripeChargeId: charge.id } });
      return { paymentId: payment.id, chargeId: charge.id };
    };
    const ok = await legacy("btok_us_verified", 1_700);
    expect((await deliverEvent("charge.pending", ok.chargeId)).res.status).toBe(200);
    expect((await paymentState(ok.paymentId)).payment.status).toBe("PROCESSING");
    await sandbox("stripe/settle", { charge: ok.chargeId });
    await deliverEvent("charge.succeeded", ok.chargeId);
    await deliverEvent("charge.succeeded", ok.chargeId);
    let state = await paymentState(ok.paymentId);
    expect(state.payment.status).toBe("SUCCEEDED");
    expect(state.credits).toHaveLength(1);

    const bad = await legacy("btok_us_verified_accountClosed", 1_800);
    await sandbox("stripe/settle", { charge: bad.chargeId });
    await deliverEvent("charge.failed", bad.chargeId);
    state = await paymentState(bad.paymentId);
    expect(state.payment.status).toBe("FAILED");
    expect(state.payment.failureMessage).toBe("The bank account is closed.");
  });

  it("finds the payment by metadata.payment_id when the intent id was never stored, and records it", async () => {
    const linked = await linkBankAccount(db, { btok: "btok_us_verified" });
    const debit = await startDebit(db, linked, 2_000, { linkIntent: false });
    await sandbox("stripe/settle", { payment_intent: debit.intent.id });
    expect((await deliverEvent("payment_intent.succeeded", debit.intent.id)).res.status).toBe(200);
    const state = await paymentState(debit.paymentId);
    expect(state.payment.status).toBe("SUCCEEDED");
    expect(state.payment.stripePaymentIntentId).toBe(debit.intent.id);
    expect(state.credits).toHaveLength(1);
  });

  it("does not trust the payload: a forged-looking 'succeeded' for a still-processing intent does not credit", async () => {
    const linked = await linkBankAccount(db, { btok: "btok_us_verified" });
    const debit = await startDebit(db, linked, 1_234);
    const processing = await stripeEventFor("payment_intent.processing", debit.intent.id);
    const fake = structuredClone(processing) as unknown as { id: string; type: string; data: { object: { status: string } } };
    fake.id = `evt_fake_${Date.now()}`;
    fake.type = "payment_intent.succeeded";
    fake.data.object.status = "succeeded";
    // Correctly signed (e.g. a replayed test event): the route re-reads the intent from Stripe.
    expect((await deliver(JSON.stringify(fake))).status).toBe(200);
    const state = await paymentState(debit.paymentId);
    expect(state.payment.status).toBe("PROCESSING");
    expect(state.credits).toHaveLength(0);
  });

  it("rejects a forged or missing signature with 400 and stores nothing", async () => {
    const linked = await linkBankAccount(db, { btok: "btok_us_verified" });
    const debit = await startDebit(db, linked, 900);
    await sandbox("stripe/settle", { payment_intent: debit.intent.id });
    const event = await stripeEventFor("payment_intent.succeeded", debit.intent.id);
    const payload = JSON.stringify(event);

    const t = Math.floor(Date.now() / 1000);
    const forged = await deliver(payload, `t=${t},v1=${"0".repeat(64)}`);
    expect(forged.status).toBe(400);
    const body = (await forged.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/signature/i);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);

    const otherSecret = (await import("@/lib/stripe/client"))
      .getStripe()
      .webhooks.generateTestHeaderString({ payload, secret: "whsec_not_ours" });
    expect((await deliver(payload, otherSecret)).status).toBe(400);
    expect((await deliver(payload, null)).status).toBe(400);
    // Signed body altered afterwards.
    const signedHeader = (await import("@/lib/stripe/client"))
      .getStripe()
      .webhooks.generateTestHeaderString({ payload, secret: process.env.STRIPE_WEBHOOK_SECRET! });
    expect((await deliver(payload.replace(String(event.created), String(event.created + 1)), signedHeader)).status).toBe(400);

    expect(await db.stripeEvent.count({ where: { id: event.id } })).toBe(0);
    const state = await paymentState(debit.paymentId);
    expect(state.payment.status).toBe("PENDING");
    expect(state.credits).toHaveLength(0);
  });

  it("acknowledges event types it does not act on (200, stored as processed)", async () => {
    const id = `evt_unknown_${Date.now()}`;
    const payload = JSON.stringify({
      id,
      object: "event",
      type: "customer.created",
      api_version: "2025-01-01",
      created: 1,
      livemode: false,
      pending_webhooks: 1,
      request: null,
      data: { object: { id: "cus_x", object: "customer" } },
    });
    const res = await deliver(payload);
    expect(res.status).toBe(200);
    const stored = await db.stripeEvent.findUniqueOrThrow({ where: { id } });
    expect(stored.processedAt).not.toBeNull();
    expect(stored.objectId).toBe("cus_x");
  });

  it("an event whose first processing failed is applied when Stripe delivers it again (not skipped as a duplicate)", async () => {
    const { processStripeEvent } = await import("@/lib/webhooks/stripe");
    const linked = await linkBankAccount(db, { btok: "btok_us_verified" });
    const debit = await startDebit(db, linked, 3_300);
    await sandbox("stripe/settle", { payment_intent: debit.intent.id });
    const event = await stripeEventFor("payment_intent.succeeded", debit.intent.id);
    const down = {
      paymentIntents: { retrieve: async () => Promise.reject(Object.assign(new Error("Stripe is down"), { type: "StripeAPIError" })) },
    };
    await expect(processStripeEvent(db, event, { stripe: down as never })).rejects.toThrow(/down/);
    expect((await db.stripeEvent.findUniqueOrThrow({ where: { id: event.id } })).processedAt).toBeNull();
    expect((await paymentState(debit.paymentId)).payment.status).toBe("PENDING");

    const res = await deliver(JSON.stringify(event));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ duplicate: false });
    const state = await paymentState(debit.paymentId);
    expect(state.payment.status).toBe("SUCCEEDED");
    expect(state.credits).toHaveLength(1);
  });

  it("an event about an intent Stripe does not know is acknowledged (200)", async () => {
    const id = `evt_missing_${Date.now()}`;
    const payload = JSON.stringify({
      id,
      object: "event",
      type: "payment_intent.succeeded",
      created: 1,
      livemode: false,
      data: { object: { id: "pi_notthere", object: "payment_intent", status: "succeeded", metadata: {} } },
    });
    expect((await deliver(payload)).status).toBe(200);
    expect((await db.stripeEvent.findUniqueOrThrow({ where: { id } })).processedAt).not.toBeNull();
  });

  it("an event for a payment we do not have is acknowledged", async () => {
    const linked = await linkBankAccount(db, { btok: "btok_us_verified" });
    const debit = await startDebit(db, linked, 700);
    await db.payment.update({ where: { id: debit.paymentId }, data: { stripePaymentIntentId: null } });
    await db.$executeRaw`UPDATE "payments" SET "status" = 'CANCELED' WHERE "id" = ${debit.paymentId}`;
    // metadata.payment_id points at a canceled payment: nothing moves.
    expect((await deliverEvent("payment_intent.processing", debit.intent.id)).res.status).toBe(200);
    expect((await paymentState(debit.paymentId)).payment.status).toBe("CANCELED");
  });

  it("a dispute revokes the mandate acceptance, so the next debit asks for authorization again", async () => {
    const linked = await linkBankAccount(db, { btok: "btok_us_verified" });
    const debit = await startDebit(db, linked, 5_000);
    await sandbox("stripe/settle", { payment_intent: debit.intent.id });
    await deliverEvent("payment_intent.succeeded", debit.intent.id);
    const { charge } = await sandbox<{ charge: { id: string } }>("stripe/dispute", { payment_intent: debit.intent.id });

    const dispute = await stripeEventForCharge("charge.dispute.created", charge.id);
    expect((await deliver(JSON.stringify(dispute))).status).toBe(200);
    const mandate = await db.mandateAcceptance.findUniqueOrThrow({ where: { id: debit.mandateAcceptanceId } });
    expect(mandate.revokedAt).not.toBeNull();
    expect(await db.auditLog.count({ where: { action: "mandate.revoked", targetId: debit.mandateAcceptanceId } })).toBe(1);
    expect(await db.auditLog.count({ where: { action: "payment.disputed", targetId: debit.paymentId } })).toBe(1);
  });

  it("a dispute takes the debit back from the balance, once, even when it is delivered again or before the success event", async () => {
    const { getDashboardData } = await import("@/lib/funding/dashboard");
    const linked = await linkBankAccount(db, { btok: "btok_us_verified" });
    const user = await signedIn(db, await db.user.findUniqueOrThrow({ where: { id: linked.userId } }));
    const kept = await startDebit(db, linked, 1_500);
    const disputed = await startDebit(db, linked, 5_000);
    for (const debit of [kept, disputed]) await sandbox("stripe/settle", { payment_intent: debit.intent.id });
    await deliverEvent("payment_intent.succeeded", kept.intent.id);
    // The dispute arrives before the disputed debit's own success event was processed.
    const { charge } = await sandbox<{ charge: { id: string } }>("stripe/dispute", { payment_intent: disputed.intent.id });
    const dispute = JSON.stringify(await stripeEventForCharge("charge.dispute.created", charge.id));
    expect((await deliver(dispute)).status).toBe(200);

    const state = await paymentState(disputed.paymentId);
    expect(state.payment.status).toBe("SUCCEEDED");
    expect(state.payment.disputedAt).not.toBeNull();
    expect(state.credits.map((e) => [e.kind, e.amountCents]).sort()).toEqual([
      ["CREDIT", 5_000],
      ["DISPUTE_REVERSAL", -5_000],
    ]);
    const dashboard = (await getDashboardData(db, user))!;
    expect(dashboard.balances.availableCents).toBe(1_500);
    expect(dashboard.payments.find((p) => p.id === disputed.paymentId)).toMatchObject({ status: "SUCCEEDED", disputed: true });
    expect(dashboard.payments.find((p) => p.id === kept.paymentId)).toMatchObject({ disputed: false });

    // Delivered again (same event: deduplicated) and a replay of its effect (a second event for the same dispute).
    expect((await deliver(dispute)).status).toBe(200);
    const { applyDisputeReversal } = await import("@/lib/funding/ledger");
    expect(await applyDisputeReversal(db, disputed.paymentId, { id: "dp_replayed", reason: null }, "test")).toEqual({
      newlyDisputed: false,
      reversed: false,
    });
    await deliverEvent("payment_intent.succeeded", disputed.intent.id);
    expect((await paymentState(disputed.paymentId)).credits).toHaveLength(2);
    expect((await getDashboardData(db, user))!.balances.availableCents).toBe(1_500);
    expect(await db.auditLog.count({ where: { action: "payment.disputed", targetId: disputed.paymentId } })).toBe(1);
  });

  it("a validly signed charge.dispute.created naming a dispute Stripe does not have reverses nothing (acknowledged, audited)", async () => {
    const linked = await linkBankAccount(db, { btok: "btok_us_verified" });
    const debit = await startDebit(db, linked, 6_000);
    await sandbox("stripe/settle", { payment_intent: debit.intent.id });
    await deliverEvent("payment_intent.succeeded", debit.intent.id);
    const chargeId = (await paymentState(debit.paymentId)).payment.stripeChargeId!;
    expect(chargeId).toMatch(/^(ch|py)_/);

    // The payload names a real, succeeded charge of ours; the dispute id is made up.
    const eventId = `evt_forged_${Date.now()}`;
    const forged = JSON.stringify({
      id: eventId,
      object: "event",
      type: "charge.dispute.created",
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      data: {
        object: {
          id: `dp_forged_${Date.now()}`,
          object: "dispute",
          amount: 6_000,
          charge: chargeId,
          payment_intent: debit.intent.id,
          currency: "usd",
          reason: "debit_not_authorized",
          status: "lost",
        },
      },
    });
    const res = await deliver(forged);
    expect(res.status).toBe(200);
    const state = await paymentState(debit.paymentId);
    expect(state.payment.disputedAt).toBeNull();
    expect(state.credits.map((e) => e.kind)).toEqual(["CREDIT"]);
    expect((await db.mandateAcceptance.findUniqueOrThrow({ where: { id: debit.mandateAcceptanceId } })).revokedAt).toBeNull();
    expect(await db.auditLog.count({ where: { action: "payment.disputed", targetId: debit.paymentId } })).toBe(0);
    const unknown = await db.auditLog.findFirstOrThrow({ where: { action: "stripe.dispute_unknown", targetId: eventId } });
    expect(unknown.metadata).toMatchObject({ disputeId: expect.stringMatching(/^dp_forged_/) });
    expect((await db.stripeEvent.findUniqueOrThrow({ where: { id: eventId } })).processedAt).not.toBeNull();
  });

  it("a dispute acts on what Stripe says, not on the payload: a real dispute whose payload names another charge", async () => {
    const linked = await linkBankAccount(db, { btok: "btok_us_verified" });
    const bystander = await startDebit(db, linked, 1_000);
    const disputed = await startDebit(db, linked, 2_000);
    for (const debit of [bystander, disputed]) {
      await sandbox("stripe/settle", { payment_intent: debit.intent.id });
      await deliverEvent("payment_intent.succeeded", debit.intent.id);
    }
    const { charge } = await sandbox<{ charge: { id: string } }>("stripe/dispute", { payment_intent: disputed.intent.id });
    const event = await stripeEventForCharge("charge.dispute.created", charge.id);
    // Re-signed with the payload pointing at the bystander's charge and a bigger amount.
    const bystanderCharge = (await paymentState(bystander.paymentId)).payment.stripeChargeId!;
    const altered = { ...event, id: `${event.id}_altered`, data: { object: { ...event.data.object, charge: bystanderCharge, amount: 1 } } };
    expect((await deliver(JSON.stringify(altered))).status).toBe(200);
    expect((await paymentState(bystander.paymentId)).payment.disputedAt).toBeNull();
    const state = await paymentState(disputed.paymentId);
    expect(state.payment.disputedAt).not.toBeNull();
    expect(state.credits.map((e) => [e.kind, e.amountCents]).sort()).toEqual([
      ["CREDIT", 2_000],
      ["DISPUTE_REVERSAL", -2_000],
    ]);
  });

  it("a dispute that cannot be read from Stripe just now is answered 500, so Stripe delivers it again", async () => {
    const linked = await linkBankAccount(db, { btok: "btok_us_verified" });
    const debit = await startDebit(db, linked, 3_000);
    await sandbox("stripe/settle", { payment_intent: debit.intent.id });
    await deliverEvent("payment_intent.succeeded", debit.intent.id);
    const { charge } = await sandbox<{ charge: { id: string } }>("stripe/dispute", { payment_intent: debit.intent.id });
    const event = JSON.stringify(await stripeEventForCharge("charge.dispute.created", charge.id));
    await sandbox("faults/add", { rules: [{ route: "/v1/disputes", status: 500, times: 10 }] });
    try {
      expect((await deliver(event)).status).toBe(500);
      expect((await paymentState(debit.paymentId)).payment.disputedAt).toBeNull();
    } finally {
      await sandbox("faults/clear");
    }
    expect((await deliver(event)).status).toBe(200);
    expect((await paymentState(debit.paymentId)).payment.disputedAt).not.toBeNull();
  });

  it("mandate.updated (inactive) revokes the acceptance with that stripe mandate id", async () => {
    const linked = await linkBankAccount(db, { btok: "btok_us_verified" });
    const debit = await startDebit(db, linked, 5_000);
    // Detaching the bank account at Stripe makes its mandate inactive (mandate.updated).
    const { getStripe } = await import("@/lib/stripe/client");
    await getStripe().customers.deleteSource(linked.customerId, linked.stripeBankAccountId);
    expect((await deliverEvent("mandate.updated", debit.stripeMandateId)).res.status).toBe(200);
    const mandate = await db.mandateAcceptance.findUniqueOrThrow({ where: { id: debit.mandateAcceptanceId } });
    expect(mandate.revokedAt).not.toBeNull();
  });
});

async function stripeEventForCharge(type: string, chargeId: string) {
  const { getStripe } = await import("@/lib/stripe/client");
  for await (const event of getStripe().events.list({ type, limit: 100 })) {
    if ((event.data.object as { charge?: string }).charge === chargeId) return event;
  }
  throw new Error(`no ${type} for ${chargeId}`);
}
