import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import type { Prisma } from "@/lib/db";
import type { ItemStatus } from "@/lib/generated/prisma/enums";
import { moveItemStatus } from "@/lib/plaid/item-state";
import { testDb, uniqueEmail } from "../helpers/db";

const db = testDb();
afterAll(() => db.$disconnect());

async function itemIn(status: ItemStatus, errorCode: string | null = null) {
  const user = await db.user.create({ data: { email: uniqueEmail("items") } });
  return db.plaidItem.create({
    data: {
      id: `item_${randomUUID()}`,
      userId: user.id,
      plaidItemId: `plaid-${randomUUID()}`,
      accessTokenCiphertext: "not-a-token",
      status,
      errorCode,
    },
  });
}
const row = (id: string) => db.plaidItem.findUniqueOrThrow({ where: { id } });
const audits = (id: string) => db.auditLog.findMany({ where: { targetType: "plaid_item", targetId: id }, orderBy: { createdAt: "asc" } });

describe("moveItemStatus", () => {
  it("moves along an edge: status and errorCode written, one audit entry with the actor, cause and metadata", async () => {
    const item = await itemIn("ACTIVE");
    expect(await moveItemStatus(db, item.id, "LOGIN_REQUIRED", { cause: "balance_check", errorCode: "ITEM_LOGIN_REQUIRED" })).toEqual({
      outcome: "moved",
      from: "ACTIVE",
      to: "LOGIN_REQUIRED",
    });
    expect(await row(item.id)).toMatchObject({ status: "LOGIN_REQUIRED", errorCode: "ITEM_LOGIN_REQUIRED", removedAt: null });
    const actor = await db.user.create({ data: { email: uniqueEmail("actor") } });
    await moveItemStatus(db, item.id, "ACTIVE", { cause: "reconnected", actorId: actor.id, errorCode: null, metadata: { note: "test" } });
    expect(await row(item.id)).toMatchObject({ status: "ACTIVE", errorCode: null });
    expect((await audits(item.id)).map((a) => [a.action, a.actorId, a.metadata])).toEqual([
      ["item.login_required", null, { from: "ACTIVE", to: "LOGIN_REQUIRED", cause: "balance_check", errorCode: "ITEM_LOGIN_REQUIRED" }],
      ["item.reconnected", actor.id, { from: "LOGIN_REQUIRED", to: "ACTIVE", cause: "reconnected", note: "test" }],
    ]);
  });

  it("refuses a move the table does not allow and leaves the same status alone: nothing written", async () => {
    const revoked = await itemIn("REVOKED", "USER_PERMISSION_REVOKED");
    expect(await moveItemStatus(db, revoked.id, "ACTIVE", { cause: "reconnected", errorCode: null })).toEqual({
      outcome: "refused",
      status: "REVOKED",
    });
    expect(await row(revoked.id)).toMatchObject({ status: "REVOKED", errorCode: "USER_PERMISSION_REVOKED" });
    const active = await itemIn("ACTIVE");
    expect(await moveItemStatus(db, active.id, "ACTIVE", { cause: "reconnected" })).toEqual({ outcome: "unchanged", status: "ACTIVE" });
    expect(await moveItemStatus(db, "item_missing", "ACTIVE", { cause: "reconnected" })).toEqual({ outcome: "missing" });
    expect([...(await audits(revoked.id)), ...(await audits(active.id))]).toEqual([]);
  });

  it("REMOVED sets removedAt and keeps the errorCode unless one is given", async () => {
    const item = await itemIn("LOGIN_REQUIRED", "ITEM_LOGIN_REQUIRED");
    await moveItemStatus(db, item.id, "REMOVED", { cause: "removed" });
    const removed = await row(item.id);
    expect(removed).toMatchObject({ status: "REMOVED", errorCode: "ITEM_LOGIN_REQUIRED" });
    expect(removed.removedAt).toBeInstanceOf(Date);
    expect(await moveItemStatus(db, item.id, "ACTIVE", { cause: "login_repaired" })).toEqual({ outcome: "refused", status: "REMOVED" });
  });

  it("writes inside the caller's transaction: a rollback undoes the status and its audit entry", async () => {
    const item = await itemIn("ACTIVE");
    await expect(
      db.$transaction(async (tx: Prisma.TransactionClient) => {
        await moveItemStatus(tx, item.id, "REVOKED", { cause: "revoked", errorCode: "USER_PERMISSION_REVOKED" });
        expect((await tx.plaidItem.findUniqueOrThrow({ where: { id: item.id } })).status).toBe("REVOKED");
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect((await row(item.id)).status).toBe("ACTIVE");
    expect(await audits(item.id)).toEqual([]);
  });

  it("decides concurrent moves one after the other (row lock): a revoke racing a reconnect always ends REVOKED", async () => {
    for (let i = 0; i < 5; i += 1) {
      const item = await itemIn("LOGIN_REQUIRED", "ITEM_LOGIN_REQUIRED");
      const [revoke, reconnect] = await Promise.all([
        moveItemStatus(db, item.id, "REVOKED", { cause: "revoked", errorCode: "USER_PERMISSION_REVOKED" }),
        moveItemStatus(db, item.id, "ACTIVE", { cause: "reconnected", errorCode: null }),
      ]);
      expect(revoke.outcome).toBe("moved");
      expect((await row(item.id)).status).toBe("REVOKED");
      // Whichever went first, the audit trail replays to the final status.
      const trail = (await audits(item.id)).map((a) => (a.metadata as { to: string }).to);
      expect(trail.at(-1)).toBe("REVOKED");
      expect(trail).toHaveLength(reconnect.outcome === "moved" ? 2 : 1);
    }
  });
});
