/**
 * Issue 7.3: 10,000 Stripe webhook deliveries to the route handler
 * (app/api/webhooks/stripe/route.ts POST, called directly), shuffled, 20%
 * redeliveries of an event already in the stream, 5% forged (wrong secret,
 * body changed after signing, stale timestamp, no or garbage signature).
 * Forged ones are all refused and leave no trace; every genuine event is
 * stored and processed (nothing lost); the final payment states and the
 * ledger equal Stripe.
 */
import type Stripe from "stripe";
import { afterAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/webhooks/stripe/route";
import { getDb } from "@/lib/db";
import { getStripe } from "@/lib/stripe/client";
import { testDb } from "../helpers/db";
import { linkBankAccount, sandbox, startDebit, type Linked } from "../integration/webhooks-fixtures";
import { checkLedgerAgainstStripe, elapsed, pool, report, shuffle } from "./support";

process.env.LOG_LEVEL ??= "error";
const db = testDb();
afterAll(async () => {
  await db.$disconnect();
  await getDb().$disconnect();
});

const DELIVERIES = Number(process.env.HARDENING_WEBHOOKS ?? 10_000);
const DUPLICATE_SHARE = 0.2;
const FORGED_SHARE = 0.05;
const USERS = 20;
const PAYMENTS = 200;
const IN_FLIGHT = 32;

type Delivery =
  | { kind: "genuine" | "duplicate"; event: Stripe.Event }
  | { kind: "forged"; how: string; body: string; header: string | null; eventId: string };

function signed(payload: string, secret = process.env.STRIPE_WEBHOOK_SECRET!, timestamp?: number): string {
  return getStripe().webhooks.generateTestHeaderString({ payload, secret, ...(timestamp ? { timestamp } : {}) });
}

function request(body: string, header: string | null): Request {
  return new Request("http://localhost:3000/api/webhooks/stripe", {
    method: "POST",
    headers: { "content-type": "application/json", ...(header !== null ? { "stripe-signature": header } : {}) },
    body,
  });
}

describe("10,000 shuffled, duplicated and forged Stripe webhook deliveries", () => {
  it("refuses every forged one, loses none, and ends with the ledger equal to Stripe", { timeout: 600_000 }, async () => {
    const setupStart = performance.now();
    // Half the banks settle, half return insufficient_funds.
    const users: Linked[] = await pool(
      Array.from({ length: USERS }, (_, i) => i),
      6,
      (i) => linkBankAccount(db, { btok: i % 2 === 0 ? "btok_us_verified" : "btok_us_verified_insufficientFunds" }),
    );
    const debits = await pool(
      Array.from({ length: PAYMENTS }, (_, i) => i),
      8,
      async (i) => ({ ...(await startDebit(db, users[i % USERS]!, 100 + i)), user: users[i % USERS]! }),
    );
    await sandbox("stripe/settle_all");
    const intentIds = new Set(debits.map((d) => d.intent.id));

    // Stripe's real events about these debits (the sandbox records them; no endpoint delivers them in tests)...
    const real: Stripe.Event[] = [];
    for await (const event of getStripe().events.list({ limit: 100 })) {
      const object = event.data.object as { id?: string; payment_intent?: string | null };
      if (intentIds.has(object.id ?? "") || intentIds.has(object.payment_intent ?? "")) real.push(event);
    }
    expect(real.length).toBeGreaterThanOrEqual(PAYMENTS * 2);
    // ...and as many more distinct events about the same objects as the stream needs (same
    // payloads under new ids: the handler trusts only the object it reads back from Stripe).
    const forgedCount = Math.round(DELIVERIES * FORGED_SHARE);
    const duplicateCount = Math.round(DELIVERIES * DUPLICATE_SHARE);
    const uniqueCount = DELIVERIES - forgedCount - duplicateCount;
    const unique: Stripe.Event[] = Array.from({ length: uniqueCount }, (_, i) => {
      const base = real[i % real.length]!;
      return i < real.length ? base : { ...base, id: `evt_storm_${i}_${base.id.slice(4, 12)}` };
    });
    const deliveries: Delivery[] = [
      ...unique.map((event) => ({ kind: "genuine" as const, event })),
      ...Array.from({ length: duplicateCount }, (_, i) => ({ kind: "duplicate" as const, event: unique[(i * 37) % uniqueCount]! })),
      ...Array.from({ length: forgedCount }, (_, i): Delivery => {
        // Forgeries claim success for debits that failed (or succeeded), under new event ids.
        const base = real[(i * 13) % real.length]!;
        const eventId = `evt_forged_${i}`;
        const claim = JSON.stringify({ ...base, id: eventId, type: "payment_intent.succeeded" });
        const ways: [string, string, string | null][] = [
          ["wrong secret", claim, signed(claim, "whsec_attacker")],
          ["body changed after signing", claim, signed(JSON.stringify({ ...base, id: eventId, type: "payment_intent.canceled" }))],
          ["stale timestamp", claim, signed(claim, undefined, Math.floor(Date.now() / 1000) - 3_600)],
          ["no signature", claim, null],
          ["garbage signature", claim, `t=${Math.floor(Date.now() / 1000)},v1=${"0".repeat(64)}`],
        ];
        const [how, body, header] = ways[i % ways.length]!;
        return { kind: "forged", how, body, header, eventId };
      }),
    ];
    const stream = shuffle(deliveries, 2026);
    const setupTime = elapsed(setupStart);

    const start = performance.now();
    const results = await pool(stream, IN_FLIGHT, async (d) => {
      // Redeliveries are signed again at send time, as Stripe does.
      const body = d.kind === "forged" ? d.body : JSON.stringify(d.event);
      const header = d.kind === "forged" ? d.header : signed(body);
      const res = await POST(request(body, header));
      const text = await res.text();
      return {
        kind: d.kind,
        how: d.kind === "forged" ? d.how : null,
        status: res.status,
        text,
        duplicate: res.status === 200 ? (JSON.parse(text) as { duplicate: boolean }).duplicate : null,
      };
    });
    const deliveryTime = elapsed(start);

    const byKind = (kind: string) => results.filter((r) => r.kind === kind);
    expect(
      byKind("forged")
        .filter((r) => r.status !== 400)
        .map((r) => `${r.how}: ${r.status}`)
        .slice(0, 10),
    ).toEqual([]);
    for (const r of byKind("forged")) expect(r.text).not.toMatch(/\n\s+at |whsec_|v1=/);
    expect(
      [...byKind("genuine"), ...byKind("duplicate")]
        .filter((r) => r.status !== 200)
        .map((r) => `${r.status} ${r.text}`)
        .slice(0, 5),
    ).toEqual([]);

    // Nothing lost: every distinct event stored once and processed; no forged id stored.
    const uniqueIds = [...new Set(unique.map((e) => e.id))];
    expect(await db.stripeEvent.count({ where: { id: { in: uniqueIds }, processedAt: { not: null } } })).toBe(uniqueIds.length);
    expect(await db.stripeEvent.count({ where: { id: { startsWith: "evt_forged_" } } })).toBe(0);

    // Final state: each payment as Stripe says, credited once; ledger = Stripe.
    const userIds = users.map((u) => u.userId);
    const ledger = await checkLedgerAgainstStripe(db, getStripe(), userIds);
    expect(ledger.problems.slice(0, 10)).toEqual([]);
    expect(ledger.intents).toBe(PAYMENTS);
    expect(ledger.succeededIntents).toBe(PAYMENTS / 2);
    expect(await db.payment.count({ where: { userId: { in: userIds }, status: "FAILED" } })).toBe(PAYMENTS / 2);
    expect(await db.ledgerEntry.count({ where: { userId: { in: userIds } } })).toBe(PAYMENTS / 2);

    await report("webhook-storm", {
      deliveries: stream.length,
      distinctEvents: uniqueIds.length,
      realEvents: real.length,
      duplicates: duplicateCount,
      forged: forgedCount,
      forgedRefused: byKind("forged").filter((r) => r.status === 400).length,
      acknowledgedAsDuplicate: results.filter((r) => r.duplicate).length,
      payments: PAYMENTS,
      inFlight: IN_FLIGHT,
      setup: setupTime,
      delivery: deliveryTime,
      perSecond: Math.round(stream.length / ((performance.now() - start) / 1000)),
      ledgerCents: ledger.ledgerCents,
      stripeSucceededCents: ledger.succeededCents,
    });
  });
});
