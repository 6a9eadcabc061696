import { afterAll, describe, expect, it } from "vitest";
import { bankingDeps } from "@/lib/banking/deps";
import { applyItemWebhook } from "@/lib/banking/item-status";
import { linkBankAccount } from "@/lib/banking/link-account";
import { markItemReconnected } from "@/lib/banking/reconnect";
import { rejection } from "../helpers/app-error";
import { testDb, uniqueEmail } from "../helpers/db";
import { linkResult, sandboxControl } from "../helpers/sandbox";

const db = testDb();
afterAll(() => db.$disconnect());
const deps = () => ({ db, plaid: bankingDeps().plaid });

async function linked() {
  const user = await db.user.create({ data: { email: uniqueEmail("reconnect"), name: "Re Connect", emailVerified: new Date() } });
  const link = await linkResult();
  const bank = await linkBankAccount({ ...bankingDeps(), db }, user, link.input());
  return { user, itemId: bank.itemId, plaidItemId: link.plaidItemId };
}

/** What a verified Plaid ITEM webhook does to the item (lib/banking/item-status.ts, the webhook route's domain call). */
const itemWebhook = (plaidItemId: string, code: string, errorCode?: string) =>
  applyItemWebhook(db, {
    webhook_type: "ITEM",
    webhook_code: code,
    item_id: plaidItemId,
    ...(errorCode ? { error: { error_code: errorCode, error_type: "ITEM_ERROR" } } : {}),
  });

const status = async (itemId: string) => (await db.plaidItem.findUniqueOrThrow({ where: { id: itemId } })).status;
const reconnectedAudits = (itemId: string) => db.auditLog.count({ where: { action: "item.reconnected", targetId: itemId } });

describe("POST /api/plaid/items/:id/reconnected (markItemReconnected)", () => {
  it("does not bring a REVOKED item back: 409 ITEM_NOT_RECONNECTABLE, the item stays REVOKED", async () => {
    const { user, itemId, plaidItemId } = await linked();
    await itemWebhook(plaidItemId, "USER_PERMISSION_REVOKED");
    expect(await status(itemId)).toBe("REVOKED");

    const err = await rejection(markItemReconnected(deps(), user.id, itemId));
    expect(err).toMatchObject({ status: 409, code: "ITEM_NOT_RECONNECTABLE" });
    expect(err.message).toMatch(/link your bank again/);
    expect(await status(itemId)).toBe("REVOKED");
    expect(await reconnectedAudits(itemId)).toBe(0);
  });

  it("refuses an item still being linked (LINKING) the same way", async () => {
    const { user, itemId } = await linked();
    await db.plaidItem.update({ where: { id: itemId }, data: { status: "LINKING" } }); // arranged: a link paused halfway
    expect(await rejection(markItemReconnected(deps(), user.id, itemId))).toMatchObject({ status: 409, code: "ITEM_NOT_RECONNECTABLE" });
    expect(await status(itemId)).toBe("LINKING");
  });

  it("LOGIN_REQUIRED → ACTIVE once Plaid reports the item healthy, audited with the user", async () => {
    const { user, itemId, plaidItemId } = await linked();
    await sandboxControl("plaid/reset_login", { item_id: plaidItemId });
    await itemWebhook(plaidItemId, "ERROR", "ITEM_LOGIN_REQUIRED");
    expect(await status(itemId)).toBe("LOGIN_REQUIRED");
    // Plaid still needs the login: unchanged.
    expect(await rejection(markItemReconnected(deps(), user.id, itemId))).toMatchObject({ status: 409, code: "ITEM_LOGIN_REQUIRED" });
    expect(await status(itemId)).toBe("LOGIN_REQUIRED");

    // Link's update mode repairs the item at Plaid (the sandbox's LOGIN_REPAIRED does the same; its webhook is not delivered here).
    await sandboxControl("plaid/fire_webhook", { item_id: plaidItemId, webhook_type: "ITEM", webhook_code: "LOGIN_REPAIRED" });
    await markItemReconnected(deps(), user.id, itemId);
    expect(await db.plaidItem.findUniqueOrThrow({ where: { id: itemId } })).toMatchObject({ status: "ACTIVE", errorCode: null });
    expect(await db.auditLog.findFirst({ where: { action: "item.reconnected", targetId: itemId } })).toMatchObject({
      actorId: user.id,
      metadata: { from: "LOGIN_REQUIRED", to: "ACTIVE", cause: "reconnected" },
    });
  });

  it("PENDING_DISCONNECT → ACTIVE", async () => {
    const { user, itemId, plaidItemId } = await linked();
    await itemWebhook(plaidItemId, "PENDING_DISCONNECT");
    expect(await status(itemId)).toBe("PENDING_DISCONNECT");
    await markItemReconnected(deps(), user.id, itemId);
    expect(await status(itemId)).toBe("ACTIVE");
    expect(await reconnectedAudits(itemId)).toBe(1);
  });

  it("an ACTIVE item: a harmless no-op (nothing written)", async () => {
    const { user, itemId } = await linked();
    await markItemReconnected(deps(), user.id, itemId);
    expect(await status(itemId)).toBe("ACTIVE");
    expect(await reconnectedAudits(itemId)).toBe(0);
  });

  it("another user's item, or a removed one: 404", async () => {
    const { itemId } = await linked();
    const stranger = await db.user.create({ data: { email: uniqueEmail("stranger") } });
    expect(await rejection(markItemReconnected(deps(), stranger.id, itemId))).toMatchObject({ status: 404 });
    const removed = await linked();
    await db.plaidItem.update({ where: { id: removed.itemId }, data: { status: "REMOVED" } }); // arranged
    expect(await rejection(markItemReconnected(deps(), removed.user.id, removed.itemId))).toMatchObject({ status: 404 });
  });
});
