import { afterAll, describe, expect, it } from "vitest";
import { Prisma } from "@/lib/generated/prisma/client";
import { actorMayAct, type Actor } from "@/lib/auth/actor";
import { confirmEnrolment, disableTwoFactor, RECOVERY_CODE_COUNT, startEnrolment, verifySecondFactor } from "@/lib/auth/two-factor";
import { totpCode } from "@/lib/auth/totp";
import { DEMO_ACCOUNTS, seedDemoAccounts } from "@/lib/auth/demo-accounts";
import { openTotpSecret } from "@/lib/secrets";
import { signedIn, testDb, uniqueEmail } from "../helpers/db";
import { rejection } from "../helpers/app-error";

const db = testDb();
afterAll(() => db.$disconnect());

const ip = () => `198.51.100.${Math.floor(Math.random() * 250) + 1}`;

async function person() {
  return db.user.create({ data: { email: uniqueEmail("2fa"), name: "Two Factor", emailVerified: new Date() } });
}

/** Whether the session may act, by the rule every hot path's first statement applies (lib/auth/actor.ts). */
async function mayAct(actor: Actor): Promise<boolean> {
  const rows = await db.$queryRaw<{ id: string }[]>(Prisma.sql`SELECT u."id" FROM "users" u WHERE ${actorMayAct(actor)}`);
  return rows.length === 1;
}

/** A user with two-factor on (through the real enrolment), signed in on `here`; returns its secret and recovery codes. */
async function enrolled(now = new Date()) {
  const user = await person();
  const here = await signedIn(db, user);
  const { secret } = await startEnrolment(db, user.id);
  const { recoveryCodes } = await confirmEnrolment(db, here, { code: totpCode(secret, now) }, { ip: ip(), now });
  return { user, here, secret, recoveryCodes };
}

const outbox = (to: string) => db.mailOutbox.findMany({ where: { to }, orderBy: { createdAt: "asc" } });

describe("two-factor enrolment", () => {
  it("stores the secret sealed and does not require it until a code confirms it", async () => {
    const user = await person();
    const session = await signedIn(db, user);
    const enrolment = await startEnrolment(db, user.id);
    expect(enrolment.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrolment.uri).toBe(`otpauth://totp/Fundwell:${encodeURIComponent(user.email)}?secret=${enrolment.secret}&issuer=Fundwell`);
    expect(enrolment.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);

    const row = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.totpSecretCiphertext).not.toContain(enrolment.secret);
    expect(openTotpSecret({ id: user.id, totpSecretCiphertext: row.totpSecretCiphertext! })).toBe(enrolment.secret);
    expect(row.totpEnabledAt).toBeNull();
    expect(await mayAct(session)).toBe(true);
  });

  it("refuses a wrong first code, then turns on with a right one: recovery codes hashed, this session verified, the others owe a code", async () => {
    const user = await person();
    const here = await signedIn(db, user);
    const elsewhere = await signedIn(db, user);
    const { secret } = await startEnrolment(db, user.id);
    const now = new Date();
    const wrong = totpCode(secret, new Date(now.getTime() - 10 * 60_000));
    expect(await rejection(confirmEnrolment(db, here, { code: wrong }, { ip: ip(), now }))).toMatchObject({
      status: 400,
      code: "INVALID_CODE",
    });
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).totpEnabledAt).toBeNull();

    const { recoveryCodes } = await confirmEnrolment(db, here, { code: totpCode(secret, now) }, { ip: ip(), now });
    expect(recoveryCodes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(recoveryCodes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of recoveryCodes) expect(code).toMatch(/^[0-9a-f]{4}(-[0-9a-f]{4}){3}$/);
    const stored = await db.totpRecoveryCode.findMany({ where: { userId: user.id } });
    expect(stored).toHaveLength(RECOVERY_CODE_COUNT);
    const hashes = stored.map((r) => r.codeHash).join(" ");
    for (const code of recoveryCodes) {
      expect(hashes).not.toContain(code);
      expect(hashes).not.toContain(code.replace(/-/g, ""));
    }

    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).totpEnabledAt).not.toBeNull();
    expect(await mayAct(here)).toBe(true);
    expect(await mayAct(elsewhere)).toBe(false);
    expect(await db.auditLog.count({ where: { actorId: user.id, action: "auth.two_factor.enabled" } })).toBe(1);
    expect((await outbox(user.email)).map((m) => m.subject)).toEqual(["Two-factor authentication is on"]);

    // The other session gives its code (a later one: the first was used) and may act again.
    const later = new Date(now.getTime() + 30_000);
    await verifySecondFactor(db, elsewhere, { code: totpCode(secret, later) }, { ip: ip(), now: later });
    expect(await mayAct(elsewhere)).toBe(true);
  });

  it("a new sign-in of a user with two-factor on may not act before its code", async () => {
    const { user, secret } = await enrolled();
    const fresh = await signedIn(db, user);
    expect(await mayAct(fresh)).toBe(false);
    const later = new Date(Date.now() + 30_000);
    await verifySecondFactor(db, fresh, { code: totpCode(secret, later) }, { ip: ip(), now: later });
    expect(await mayAct(fresh)).toBe(true);
    const session = await db.userSession.findUniqueOrThrow({ where: { id: fresh.sessionId } });
    expect(session.secondFactorAt?.getTime()).toBe(later.getTime());
  });
});

describe("codes are single-use", () => {
  it("the code used at enrolment, or at a sign-in, is refused the second time", async () => {
    const now = new Date();
    const { user, secret } = await enrolled(now);
    const next = await signedIn(db, user);
    expect(await rejection(verifySecondFactor(db, next, { code: totpCode(secret, now) }, { ip: ip(), now }))).toMatchObject({
      code: "INVALID_CODE",
    });
    const later = new Date(now.getTime() + 30_000);
    await verifySecondFactor(db, next, { code: totpCode(secret, later) }, { ip: ip(), now: later });
    const again = await signedIn(db, user);
    expect(await rejection(verifySecondFactor(db, again, { code: totpCode(secret, later) }, { ip: ip(), now: later }))).toMatchObject({
      code: "INVALID_CODE",
    });
  });

  it("of two concurrent uses of one code, exactly one passes", async () => {
    const now = new Date();
    const { user, secret } = await enrolled(now);
    const sessions = await Promise.all(Array.from({ length: 6 }, () => signedIn(db, user)));
    const later = new Date(now.getTime() + 30_000);
    const code = totpCode(secret, later);
    const results = await Promise.allSettled(sessions.map((s) => verifySecondFactor(db, s, { code }, { ip: ip(), now: later })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((await Promise.all(sessions.map(mayAct))).filter(Boolean)).toHaveLength(1);
  });

  it("a recovery code signs in once, is stored used, and the owner is told", async () => {
    const { user, recoveryCodes } = await enrolled();
    const lost = await signedIn(db, user);
    const code = recoveryCodes[3]!;
    const result = await verifySecondFactor(db, lost, { code: code.toUpperCase().replace(/-/g, " ") }, { ip: ip() });
    expect(result).toEqual({ method: "recovery_code", recoveryCodesLeft: RECOVERY_CODE_COUNT - 1 });
    expect(await mayAct(lost)).toBe(true);
    const again = await signedIn(db, user);
    expect(await rejection(verifySecondFactor(db, again, { code }, { ip: ip() }))).toMatchObject({ code: "INVALID_CODE" });
    expect((await outbox(user.email)).map((m) => m.subject)).toContain("A recovery code was used to sign in");
  });

  it("another user's recovery code does not work", async () => {
    const a = await enrolled();
    const b = await enrolled();
    const session = await signedIn(db, b.user);
    expect(await rejection(verifySecondFactor(db, session, { code: a.recoveryCodes[0]! }, { ip: ip() }))).toMatchObject({
      code: "INVALID_CODE",
    });
  });
});

describe("wrong codes are throttled per user", () => {
  it("after 10 wrong codes from any addresses, even the right code waits", async () => {
    const now = new Date();
    const { user, secret } = await enrolled(now);
    const session = await signedIn(db, user);
    const wrong = (i: number) => String((Number(totpCode(secret, now)) + 1 + i) % 1_000_000).padStart(6, "0");
    const answers = await Promise.allSettled(
      Array.from({ length: 14 }, (_, i) => verifySecondFactor(db, session, { code: wrong(i) }, { ip: ip(), now })),
    );
    const codes = answers.map((a) => (a.status === "rejected" ? (a.reason as { code: string }).code : "ok"));
    expect(codes.filter((c) => c === "INVALID_CODE")).toHaveLength(10);
    expect(codes.filter((c) => c === "TOO_MANY_REQUESTS")).toHaveLength(4);
    const later = new Date(now.getTime() + 30_000);
    expect(await rejection(verifySecondFactor(db, session, { code: totpCode(secret, later) }, { ip: ip(), now: later }))).toMatchObject({
      status: 429,
      code: "TOO_MANY_REQUESTS",
    });
    expect(await mayAct(session)).toBe(false);
  });
});

describe("malformed codes", () => {
  it("are refused without counting: they cannot be guesses, so they lock nobody out", async () => {
    const now = new Date();
    const { user, secret } = await enrolled(now);
    const session = await signedIn(db, user);
    for (const code of ["not-a-code", "12345", "1234567", "zzzz-zzzz-zzzz-zzzz"]) {
      for (let i = 0; i < 6; i++) {
        expect(await rejection(verifySecondFactor(db, session, { code }, { ip: "198.51.100.250", now }))).toMatchObject({
          status: 400,
          code: "INVALID_CODE",
        });
      }
    }
    const later = new Date(now.getTime() + 30_000);
    await verifySecondFactor(db, session, { code: totpCode(secret, later) }, { ip: "198.51.100.250", now: later });
    expect(await mayAct(session)).toBe(true);
  });
});

describe("turning two-factor off", () => {
  it("needs a current code; then the secret and recovery codes are gone and the owner is told", async () => {
    const now = new Date();
    const { user, here, secret } = await enrolled(now);
    expect(await rejection(disableTwoFactor(db, here, { code: "000000" }, { ip: ip(), now }))).toMatchObject({ code: "INVALID_CODE" });
    const later = new Date(now.getTime() + 30_000);
    await disableTwoFactor(db, here, { code: totpCode(secret, later) }, { ip: ip(), now: later });
    const row = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect([row.totpSecretCiphertext, row.totpEnabledAt, row.totpLastTimeStep]).toEqual([null, null, null]);
    expect(await db.totpRecoveryCode.count({ where: { userId: user.id } })).toBe(0);
    expect((await outbox(user.email)).map((m) => m.subject)).toContain("Two-factor authentication is off");
    expect(await mayAct(await signedIn(db, row))).toBe(true);
    expect(await rejection(disableTwoFactor(db, here, { code: totpCode(secret, later) }, { ip: ip() }))).toMatchObject({
      status: 409,
      code: "TWO_FACTOR_OFF",
    });
  });
});

describe("the demo admin", () => {
  it("is seeded with two-factor on, with the published secret", async () => {
    await seedDemoAccounts(db);
    const demo = DEMO_ACCOUNTS.find((a) => a.role === "ADMIN")!;
    const admin = await db.user.findUniqueOrThrow({ where: { email: demo.email } });
    expect(admin.totpEnabledAt).not.toBeNull();
    expect(admin.emailVerified).not.toBeNull();
    expect(openTotpSecret({ id: admin.id, totpSecretCiphertext: admin.totpSecretCiphertext! })).toBe(demo.totpSecret);
  });
});
