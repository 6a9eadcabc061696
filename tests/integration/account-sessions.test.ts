import { afterAll, describe, expect, it } from "vitest";
import { changePassword } from "@/lib/auth/password-change";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { recentSignIns, revokeSession, signOutEverywhere } from "@/lib/auth/sessions";
import { signedIn, testDb, uniqueEmail } from "../helpers/db";
import { rejection } from "../helpers/app-error";

const db = testDb();
afterAll(() => db.$disconnect());

async function person(password: string | null = "the old password") {
  return db.user.create({
    data: { email: uniqueEmail("account"), name: "Acc Ount", passwordHash: password ? await hashPassword(password) : null },
  });
}

const live = async (userId: string) =>
  (await db.userSession.findMany({ where: { userId, revokedAt: null }, select: { id: true } })).map((s) => s.id).sort();

describe("account sessions", () => {
  it("lists sign-ins newest first, marking this one, the live ones and the ended ones", async () => {
    const user = await person();
    const first = await signedIn(db, user);
    const second = await signedIn(db, user);
    const third = await signedIn(db, user);
    await revokeSession(db, first.sessionId, user.id);

    const list = await recentSignIns(db, third);
    expect(list.map((s) => [s.id, s.current, s.active])).toEqual([
      [third.sessionId, true, true],
      [second.sessionId, false, true],
      [first.sessionId, false, false],
    ]);
  });

  it("sign out everywhere ends every session, this one included, with an audit entry", async () => {
    const user = await person();
    const a = await signedIn(db, user);
    await signedIn(db, user);
    await signOutEverywhere(db, user.id, { ip: "203.0.113.7" });
    expect(await live(user.id)).toEqual([]);
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).sessionVersion).toBe(user.sessionVersion + 1);
    expect(await db.auditLog.count({ where: { actorId: user.id, action: "auth.sign_out_everywhere", ip: "203.0.113.7" } })).toBe(1);
    // The next sign-in (a new version) lists the older ones as ended.
    const next = await signedIn(db, { id: user.id, sessionVersion: user.sessionVersion + 1 });
    expect((await recentSignIns(db, next)).filter((s) => s.active).map((s) => s.id)).toEqual([next.sessionId]);
    expect((await recentSignIns(db, a)).every((s) => !s.active)).toBe(true);
  });

  it("a password change needs the current password, keeps this session and ends the others", async () => {
    const user = await person("the old password");
    const here = await signedIn(db, user);
    const elsewhere = await signedIn(db, user);

    expect(
      await rejection(changePassword(db, here, { currentPassword: "not it", newPassword: "a brand new password" }, { ip: null })),
    ).toMatchObject({ status: 400, code: "WRONG_PASSWORD" });
    expect(await live(user.id)).toEqual([here.sessionId, elsewhere.sessionId].sort());

    await changePassword(db, here, { currentPassword: "the old password", newPassword: "a brand new password" }, { ip: null });
    expect(await live(user.id)).toEqual([here.sessionId]);
    const stored = (await db.user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash!;
    expect(await verifyPassword(stored, "a brand new password")).toBe(true);
    expect(await verifyPassword(stored, "the old password")).toBe(false);
    expect(await db.auditLog.findFirst({ where: { actorId: user.id, action: "auth.password_changed" } })).toMatchObject({
      metadata: { otherSessionsEnded: 1 },
    });
  });

  it("an account without a password (OAuth only) has none to change", async () => {
    const user = await signedIn(db, await person(null));
    expect(
      await rejection(changePassword(db, user, { currentPassword: "x", newPassword: "a brand new password" }, { ip: null })),
    ).toMatchObject({
      status: 400,
      code: "PASSWORD_NOT_SET",
    });
  });
});
