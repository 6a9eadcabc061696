import { generateKeyPairSync, sign } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { POST } from "@/app/api/webhooks/plaid/route";
import { getDb } from "@/lib/db";
import { getPlaid } from "@/lib/plaid/client";
import { getStripe } from "@/lib/stripe/client";
import { testDb } from "../helpers/db";
import {
  linkBankAccount,
  plaidWebhookRequest,
  sandbox,
  startCaptureServer,
  startDebit,
  type CapturedWebhook,
  type Linked,
} from "./webhooks-fixtures";

// Info logs of every processed webhook would drown the test output.
process.env.LOG_LEVEL ??= "warn";

const db = testDb();
let capture: Awaited<ReturnType<typeof startCaptureServer>>;

beforeAll(async () => {
  capture = await startCaptureServer();
});
afterAll(async () => {
  await capture.close();
  await db.$disconnect();
  await getDb().$disconnect();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Has the sandbox fire a real, signed webhook for the item and returns it as delivered. */
async function fire(linked: Linked, code: string, type?: string): Promise<CapturedWebhook> {
  await sandbox("plaid/fire_webhook", { item_id: linked.plaidItemId, webhook_code: code, ...(type ? { webhook_type: type } : {}) });
  return capture.next(linked.plaidItemId, code);
}

const item = (linked: Linked) => db.plaidItem.findUniqueOrThrow({ where: { id: linked.itemRowId } });
const storedWebhooks = (linked: Linked) => db.plaidWebhookEvent.count({ where: { plaidItemId: linked.plaidItemId } });

describe("POST /api/webhooks/plaid", () => {
  it("ITEM ERROR (ITEM_LOGIN_REQUIRED) → LOGIN_REQUIRED, stored and audited; LOGIN_REPAIRED → ACTIVE", async () => {
    const linked = await linkBankAccount(db, { webhook: capture.url });
    const error = await fire(linked, "ERROR");
    expect(error.body).toContain('\n  "webhook_type"'); // pretty-printed as Plaid sends it: hashed as received
    const res = await POST(plaidWebhookRequest(error));
    expect(res.status).toBe(200);
    let row = await item(linked);
    expect(row.status).toBe("LOGIN_REQUIRED");
    expect(row.errorCode).toBe("ITEM_LOGIN_REQUIRED");
    const stored = await db.plaidWebhookEvent.findFirstOrThrow({ where: { plaidItemId: linked.plaidItemId } });
    expect(stored).toMatchObject({ webhookType: "ITEM", webhookCode: "ERROR" });
    const audit = await db.auditLog.findFirstOrThrow({ where: { action: "item.login_required", targetId: linked.itemRowId } });
    expect(audit.actorId).toBeNull();
    expect(audit.metadata).toMatchObject({ from: "ACTIVE", to: "LOGIN_REQUIRED", errorCode: "ITEM_LOGIN_REQUIRED" });

    // The same delivery again (a replay): acknowledged, neither stored nor applied.
    expect((await POST(plaidWebhookRequest(error))).status).toBe(200);
    expect(await db.auditLog.count({ where: { action: "item.login_required", targetId: linked.itemRowId } })).toBe(1);
    expect(await storedWebhooks(linked)).toBe(1);

    const repaired = await fire(linked, "LOGIN_REPAIRED");
    expect((await POST(plaidWebhookRequest(repaired))).status).toBe(200);
    row = await item(linked);
    expect(row.status).toBe("ACTIVE");
    expect(row.errorCode).toBeNull();
    expect(await db.auditLog.count({ where: { action: "item.login_repaired", targetId: linked.itemRowId } })).toBe(1);
  });

  it("rejects a forged signature, a tampered body and a stale webhook with 401, a missing header with 400; nothing changes", async () => {
    const linked = await linkBankAccount(db, { webhook: capture.url });
    const real = await fire(linked, "ERROR");
    const before = await storedWebhooks(linked);

    // Forged: same header and kid, signed with a key that is not Plaid's.
    const [h, p] = (real.headers["plaid-verification"] as string).split(".");
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const forgedSig = sign("sha256", Buffer.from(`${h}.${p}`), { key: privateKey, dsaEncoding: "ieee-p1363" }).toString("base64url");
    const forged = await POST(plaidWebhookRequest(real, { header: `${h}.${p}.${forgedSig}` }));
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: { message: string } }).error.message).toMatch(/signature/i);

    // alg none.
    const noneHeader = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    expect((await POST(plaidWebhookRequest(real, { header: `${noneHeader}.${p}.` }))).status).toBe(401);

    // Tampered: Plaid's real signature, another body.
    const tampered = real.body.replace('"ERROR"', '"LOGIN_REPAIRED"');
    expect((await POST(plaidWebhookRequest(real, { body: tampered }))).status).toBe(401);

    // Missing header: refused before the body is read.
    expect((await POST(plaidWebhookRequest(real, { header: null }))).status).toBe(400);

    // Stale: the genuine webhook, received 6 minutes after it was signed.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 6 * 60_000 });
    expect((await POST(plaidWebhookRequest(real))).status).toBe(401);
    vi.useRealTimers();

    expect(await storedWebhooks(linked)).toBe(before);
    expect((await item(linked)).status).toBe("ACTIVE");
    expect(await db.auditLog.count({ where: { targetId: linked.itemRowId } })).toBe(0);

    // And the genuine one, on time, is accepted.
    expect((await POST(plaidWebhookRequest(real))).status).toBe(200);
    expect((await item(linked)).status).toBe("LOGIN_REQUIRED");
  });

  it("a replayed delivery (same body, same iat) is acknowledged but not applied again, even after a later change", async () => {
    const linked = await linkBankAccount(db, { webhook: capture.url });
    const error = await fire(linked, "ERROR");
    expect((await POST(plaidWebhookRequest(error))).status).toBe(200);
    expect((await item(linked)).status).toBe("LOGIN_REQUIRED");
    expect((await POST(plaidWebhookRequest(await fire(linked, "LOGIN_REPAIRED")))).status).toBe(200);
    expect((await item(linked)).status).toBe("ACTIVE");

    // A captured, validly signed ERROR replayed within the 5 minutes: it would send the item back to LOGIN_REQUIRED.
    const replays = await Promise.all([1, 2, 3].map(() => POST(plaidWebhookRequest(error))));
    expect(replays.map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await item(linked)).status).toBe("ACTIVE");
    expect(await db.auditLog.count({ where: { action: "item.login_required", targetId: linked.itemRowId } })).toBe(1);
    expect(await storedWebhooks(linked)).toBe(2);
  });

  it("receipts of deliveries expire: the next claim purges them, and a claim is insert-or-ignore under concurrency", async () => {
    const { claimPlaidDelivery, plaidDelivery } = await import("@/lib/webhooks/plaid-replay");
    const old = plaidDelivery(`{"old":${Date.now()}}`, Math.floor(Date.now() / 1000) - 3_600);
    await db.plaidWebhookReceipt.create({ data: { ...old, expiresAt: new Date(Date.now() - 60_000) } });
    const fresh = plaidDelivery(`{"fresh":${Date.now()}}`, Math.floor(Date.now() / 1000));
    const claims = await Promise.all(Array.from({ length: 8 }, () => claimPlaidDelivery(db, fresh)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await db.plaidWebhookReceipt.count({ where: { bodySha256: old.bodySha256 } })).toBe(0);
    const row = await db.plaidWebhookReceipt.findFirstOrThrow({ where: { bodySha256: fresh.bodySha256 } });
    expect(row.expiresAt.getTime()).toBe((fresh.iat + 6 * 60) * 1000);
  });

  it("USER_PERMISSION_REVOKED → REVOKED, and a later ERROR does not bring the item back", async () => {
    const linked = await linkBankAccount(db, { webhook: capture.url });
    expect((await POST(plaidWebhookRequest(await fire(linked, "USER_PERMISSION_REVOKED")))).status).toBe(200);
    expect((await item(linked)).status).toBe("REVOKED");
    expect(await db.auditLog.count({ where: { action: "item.revoked", targetId: linked.itemRowId } })).toBe(1);
    expect((await POST(plaidWebhookRequest(await fire(linked, "ERROR")))).status).toBe(200);
    expect((await item(linked)).status).toBe("REVOKED");
  });

  it("PENDING_DISCONNECT → PENDING_DISCONNECT; NEW_ACCOUNTS_AVAILABLE is recorded", async () => {
    const linked = await linkBankAccount(db, { webhook: capture.url });
    expect((await POST(plaidWebhookRequest(await fire(linked, "PENDING_DISCONNECT")))).status).toBe(200);
    expect((await item(linked)).status).toBe("PENDING_DISCONNECT");
    expect((await POST(plaidWebhookRequest(await fire(linked, "NEW_ACCOUNTS_AVAILABLE")))).status).toBe(200);
    expect((await item(linked)).status).toBe("PENDING_DISCONNECT");
    expect(await db.auditLog.count({ where: { action: "item.new_accounts_available", targetId: linked.itemRowId } })).toBe(1);
    expect(await storedWebhooks(linked)).toBe(2);
  });

  it("a webhook for an item we do not know is stored and acknowledged (200)", async () => {
    const unknown = await linkBankAccount(db, { webhook: capture.url });
    await db.plaidItem.delete({ where: { id: unknown.itemRowId } });
    const res = await POST(plaidWebhookRequest(await fire(unknown, "ERROR")));
    expect(res.status).toBe(200);
    expect(await storedWebhooks(unknown)).toBe(1);
  });

  it("AUTH DEFAULT_UPDATE attaches a fresh ba_, detaches the old one at Stripe and revokes the authorization", async () => {
    const linked = await linkBankAccount(db, { webhook: capture.url });
    const debit = await startDebit(db, linked, 1_000);
    const update = await fire(linked, "DEFAULT_UPDATE");
    expect(update.json.webhook_type).toBe("AUTH");
    const res = await POST(plaidWebhookRequest(update));
    expect(res.status).toBe(200);

    const account = await db.bankAccount.findUniqueOrThrow({ where: { id: linked.bankAccountId } });
    expect(account.stripeBankAccountId).toMatch(/^ba_/);
    expect(account.stripeBankAccountId).not.toBe(linked.stripeBankAccountId);
    const sources = await getStripe().customers.listSources(linked.customerId, { object: "bank_account" });
    const attached = sources.data.map((s) => s.id);
    expect(attached).toContain(account.stripeBankAccountId);
    expect(attached).not.toContain(linked.stripeBankAccountId);
    const fresh = await getStripe().customers.retrieveSource(linked.customerId, account.stripeBankAccountId!);
    expect((fresh as { status?: string }).status).toBe("verified");

    const mandate = await db.mandateAcceptance.findUniqueOrThrow({ where: { id: debit.mandateAcceptanceId } });
    expect(mandate.revokedAt).not.toBeNull();
    expect(await db.auditLog.count({ where: { action: "bank_account.stripe_refreshed", targetId: linked.bankAccountId } })).toBe(1);
    expect(await db.auditLog.count({ where: { action: "mandate.revoked", targetId: debit.mandateAcceptanceId } })).toBe(1);
    // The access token is never written anywhere readable.
    const audits = await db.auditLog.findMany({ where: { targetId: { in: [linked.bankAccountId, linked.itemRowId] } } });
    expect(JSON.stringify(audits)).not.toContain(linked.accessToken);

    // The new ba_ can be debited under a new authorization.
    const next = await getStripe().paymentIntents.create({
      amount: 500,
      currency: "usd",
      customer: linked.customerId,
      payment_method: account.stripeBankAccountId!,
      allowed_payment_method_types: ["us_bank_account"],
      confirm: true,
      mandate_data: { customer_acceptance: { type: "online", online: { ip_address: "203.0.113.9", user_agent: "vitest" } } },
    });
    expect(next.status).toBe("processing");
  });

  it("AUTH DEFAULT_UPDATE when the numbers really changed: new ba_ attached first, then the old one detached", async () => {
    // The ba_ at Stripe has other numbers than Plaid now reports (what DEFAULT_UPDATE announces).
    const linked = await linkBankAccount(db, { webhook: capture.url, btok: "btok_us_verified_debitNotAuthorized" });
    const res = await POST(plaidWebhookRequest(await fire(linked, "DEFAULT_UPDATE")));
    expect(res.status).toBe(200);
    const account = await db.bankAccount.findUniqueOrThrow({ where: { id: linked.bankAccountId } });
    expect(account.stripeBankAccountId).not.toBe(linked.stripeBankAccountId);
    const attached = (await getStripe().customers.listSources(linked.customerId, { object: "bank_account" })).data.map((s) => s.id);
    expect(attached).toEqual([account.stripeBankAccountId]);
    expect(await db.auditLog.count({ where: { action: "bank_account.stripe_detached", targetId: linked.bankAccountId } })).toBe(1);
  });

  it("AUTH DEFAULT_UPDATE during INSTITUTION_DOWN is not acknowledged (503), and Plaid's redelivery does the refresh", async () => {
    const linked = await linkBankAccount(db, { webhook: capture.url });
    const update = await fire(linked, "DEFAULT_UPDATE");
    // The bank is down when the app asks Plaid for a fresh btok_: Plaid's INSTITUTION_ERROR, HTTP 400.
    await sandbox("faults/add", {
      rules: [{ route: "/processor/stripe/bank_account_token/create", code: "INSTITUTION_DOWN", itemId: linked.plaidItemId, times: 1 }],
    });

    const first = await POST(plaidWebhookRequest(update));
    expect(first.status).toBe(503);
    expect((await db.bankAccount.findUniqueOrThrow({ where: { id: linked.bankAccountId } })).stripeBankAccountId).toBe(
      linked.stripeBankAccountId,
    );
    const failed = await db.auditLog.findFirstOrThrow({ where: { action: "bank_account.refresh_failed", targetId: linked.bankAccountId } });
    expect(failed.metadata).toMatchObject({ reason: "INSTITUTION_DOWN" });

    // Plaid delivers the webhook again once the bank is back: this time the refresh happens.
    const again = await POST(plaidWebhookRequest(update));
    expect(again.status).toBe(200);
    const account = await db.bankAccount.findUniqueOrThrow({ where: { id: linked.bankAccountId } });
    expect(account.stripeBankAccountId).toMatch(/^ba_/);
    expect(account.stripeBankAccountId).not.toBe(linked.stripeBankAccountId);
    expect(await db.auditLog.count({ where: { action: "bank_account.stripe_refreshed", targetId: linked.bankAccountId } })).toBe(1);
    expect(await storedWebhooks(linked)).toBe(2);
  });

  it("USER_ACCOUNT_REVOKED → REVOKED", async () => {
    const linked = await linkBankAccount(db, { webhook: capture.url });
    expect((await POST(plaidWebhookRequest(await fire(linked, "USER_ACCOUNT_REVOKED")))).status).toBe(200);
    expect((await item(linked)).status).toBe("REVOKED");
  });

  it("answers 400 (readable) for a verified body that is not a Plaid webhook", async () => {
    // Verified with a test key fetcher: the route's parsing after verification.
    const { handlePlaidWebhook } = await import("@/lib/webhooks/plaid");
    const body = JSON.stringify({ hello: "world" });
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = publicKey.export({ format: "jwk" });
    const { createHash } = await import("node:crypto");
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const input = `${enc({ alg: "ES256", kid: "k", typ: "JWT" })}.${enc({ iat: Math.floor(Date.now() / 1000), request_body_sha256: createHash("sha256").update(body).digest("hex") })}`;
    const token = `${input}.${sign("sha256", Buffer.from(input), { key: privateKey, dsaEncoding: "ieee-p1363" }).toString("base64url")}`;
    const result = await handlePlaidWebhook(
      db,
      { rawBody: body, verificationHeader: token },
      { getKey: async () => ({ alg: "ES256", kid: "k", kty: "EC", crv: "P-256", x: jwk.x!, y: jwk.y!, expired_at: null }) },
    );
    expect(result).toMatchObject({ kind: "rejected", status: 400 });
  });
  // Last in the file: it spends this process's key lookups for the minute.
  it("30 webhooks signed under distinct unknown kids make at most 5 key lookups at Plaid; nothing is stored", async () => {
    const linked = await linkBankAccount(db, { webhook: capture.url });
    const real = await fire(linked, "ERROR");
    const [, payload] = (real.headers["plaid-verification"] as string).split(".");
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const lookups = vi.spyOn(getPlaid(), "webhookVerificationKeyGet");
    try {
      const statuses = await Promise.all(
        Array.from({ length: 30 }, async (_, i) => {
          const header = Buffer.from(JSON.stringify({ alg: "ES256", kid: `forged-kid-${i}-${Date.now()}`, typ: "JWT" })).toString(
            "base64url",
          );
          const sig = sign("sha256", Buffer.from(`${header}.${payload}`), { key: privateKey, dsaEncoding: "ieee-p1363" }).toString(
            "base64url",
          );
          return (await POST(plaidWebhookRequest(real, { header: `${header}.${payload}.${sig}` }))).status;
        }),
      );
      expect(lookups.mock.calls.length).toBeGreaterThan(0);
      expect(lookups.mock.calls.length).toBeLessThanOrEqual(5);
      // Refused as unknown (401) or, once the lookups are spent, as unverifiable for now (503, Plaid would redeliver).
      expect(statuses.filter((s) => s !== 401 && s !== 503)).toEqual([]);
    } finally {
      lookups.mockRestore();
    }
    expect(await storedWebhooks(linked)).toBe(0);
    expect((await item(linked)).status).toBe("ACTIVE");
    // The genuine webhook's key is cached: it is still accepted.
    expect((await POST(plaidWebhookRequest(real))).status).toBe(200);
  });
});
