import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { bankingDeps } from "@/lib/banking/deps";
import { linkBankAccount } from "@/lib/banking/link-account";
import { getUserDetail, searchUsers, setUserDisabled } from "@/lib/admin/users";
import { listAuditLog } from "@/lib/admin/audit-log";
import { auditFilterSchema } from "@/lib/admin/schemas";
import { userQuerySchema } from "@/lib/admin/schemas";
import { PAGE_SIZE } from "@/lib/admin/types";
import { linkResult } from "../helpers/sandbox";
import { isolatedDb } from "../helpers/admin-support";
import { rejection } from "../helpers/app-error";

let db: Db;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await isolatedDb());
});
afterAll(() => close());

const tag = randomUUID().slice(0, 8);

describe("admin users", () => {
  it("searches by email or name, case-insensitively, and paginates newest first", async () => {
    const base = Date.now();
    for (let i = 0; i < PAGE_SIZE + 5; i++) {
      await db.user.create({
        data: {
          email: `${tag}-member${i}@example.test`,
          name: i === 3 ? `Zelda ${tag.toUpperCase()} Quill` : `Member ${i}`,
          createdAt: new Date(base - i * 1_000),
        },
      });
    }
    const page1 = await searchUsers(db, userQuerySchema.parse({ q: tag }));
    expect(page1.total).toBe(PAGE_SIZE + 5);
    expect(page1.users).toHaveLength(PAGE_SIZE);
    expect(page1.users[0]!.email).toBe(`${tag}-member0@example.test`);
    const page2 = await searchUsers(db, userQuerySchema.parse({ q: tag, page: "2" }));
    expect(page2.users.map((u) => u.email)).toEqual(Array.from({ length: 5 }, (_, i) => `${tag}-member${PAGE_SIZE + i}@example.test`));
    expect((await searchUsers(db, { q: `zelda ${tag}` })).users.map((u) => u.email)).toEqual([`${tag}-member3@example.test`]);
    expect((await searchUsers(db, { q: `${tag.toUpperCase()}-MEMBER1@` })).users.map((u) => u.email)).toEqual([
      `${tag}-member1@example.test`,
    ]);
    expect(userQuerySchema.safeParse({ page: "0" }).success).toBe(false);
  });

  it("a user's detail has items and accounts with masks only, never tokens or numbers", async () => {
    const user = await db.user.create({ data: { email: `${tag}-detail@example.test`, name: "De Tail", emailVerified: new Date() } });
    const link = await linkResult();
    const bank = await linkBankAccount({ ...bankingDeps(), db }, user, link.input());
    const detail = await getUserDetail(db, user.id);
    expect(detail.items).toMatchObject([{ institutionName: "First Platypus Bank", status: "ACTIVE" }]);
    expect(detail.accounts).toMatchObject([{ id: bank.id, mask: "0000", label: "First Platypus Bank ····0000", reviewStatus: "PENDING" }]);
    expect(detail.audit.map((a) => a.action)).toContain("bank_account.linked");
    const json = JSON.stringify(detail);
    expect(json).not.toMatch(/access-sandbox|v1\.|ba_|btok_|cus_|1111222233330000/);
    expect(detail.user.hasStripeCustomer).toBe(true);
    expect(await rejection(getUserDetail(db, "missing"))).toMatchObject({ status: 404 });
  });

  it("disable ends every session (sessionVersion bump) and is audited; re-enable; never yourself", async () => {
    const admin = await db.user.create({ data: { email: `${tag}-admin@example.test`, role: "ADMIN" } });
    const user = await db.user.create({ data: { email: `${tag}-disable@example.test` } });
    const disabled = await setUserDisabled(db, { id: admin.id, ip: "192.0.2.10" }, user.id, true);
    expect(disabled.disabled).toBe(true);
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ disabled: true, sessionVersion: 1 });
    await setUserDisabled(db, { id: admin.id }, user.id, false);
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ disabled: false, sessionVersion: 1 });
    expect(await rejection(setUserDisabled(db, { id: admin.id }, admin.id, true))).toMatchObject({
      status: 400,
      code: "CANNOT_DISABLE_SELF",
    });
    expect(await rejection(setUserDisabled(db, { id: admin.id }, "missing", true))).toMatchObject({ status: 404 });

    const trail = await listAuditLog(db, auditFilterSchema.parse({ actor: admin.email, targetType: "user", targetId: user.id }));
    expect(trail.entries.map((e) => e.action)).toEqual(["admin.user.enabled", "admin.user.disabled"]);
    expect(trail.entries[1]).toMatchObject({ actorEmail: admin.email, ip: "192.0.2.10" });
  });

  it("filters the audit log by actor, action prefix, target and date, with keyset pages", async () => {
    const actor = await db.user.create({ data: { email: `${tag}-auditor@example.test` } });
    const day = new Date("2026-09-15T10:00:00Z");
    for (let i = 0; i < 7; i++) {
      await db.auditLog.create({
        data: {
          actorId: actor.id,
          action: i % 2 ? "admin.thing.done" : "payment.created",
          targetType: "thing",
          targetId: `t${i}`,
          createdAt: new Date(day.getTime() + i * 60_000),
        },
      });
    }
    await db.auditLog.create({
      data: {
        actorId: actor.id,
        action: "admin.thing.done",
        targetType: "thing",
        targetId: "late",
        createdAt: new Date("2026-09-20T10:00:00Z"),
      },
    });
    const q = (raw: Record<string, string>, size?: number) => listAuditLog(db, auditFilterSchema.parse(raw), size);

    expect((await q({ actor: actor.id })).entries).toHaveLength(8);
    expect((await q({ actor: actor.email.toUpperCase(), action: "admin." })).entries.map((e) => e.targetId)).toEqual([
      "late",
      "t5",
      "t3",
      "t1",
    ]);
    expect((await q({ actor: actor.id, from: "2026-09-15", to: "2026-09-15", targetId: "t4" })).entries).toHaveLength(1);
    expect((await q({ actor: "nobody@example.test" })).entries).toEqual([]);

    const first = await q({ actor: actor.id, from: "2026-09-15", to: "2026-09-15" }, 4);
    const second = await q({ actor: actor.id, from: "2026-09-15", to: "2026-09-15", cursor: first.nextCursor! }, 4);
    expect([...first.entries, ...second.entries].map((e) => e.targetId)).toEqual(["t6", "t5", "t4", "t3", "t2", "t1", "t0"]);
    expect(second.nextCursor).toBeNull();
  });
});
