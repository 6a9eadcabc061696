/**
 * One-time tokens (lib/auth/one-time-tokens.ts) and the password reset built
 * on them (lib/auth/password-reset.ts), plus the notice a password change
 * sends (lib/auth/password-change.ts), on a real database.
 */
import { afterAll, describe, expect, it } from "vitest";
import { consumeToken, findToken, hashToken, issueToken } from "@/lib/auth/one-time-tokens";
import { FORGOT_LIMITS, requestPasswordReset, resetPassword } from "@/lib/auth/password-reset";
import { changePassword } from "@/lib/auth/password-change";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { pairKey } from "@/lib/auth/throttle";
import { getDashboardData } from "@/lib/funding/dashboard";
import { sendDueMail } from "@/lib/mail";
import type { MailTransport } from "@/lib/mail/sender";
import { signedIn, testDb, uniqueEmail } from "../helpers/db";
import { rejection } from "../helpers/app-error";

const db = testDb();
const other = testDb(); // a second "instance" with its own pool
afterAll(() => Promise.all([db.$disconnect(), other.$disconnect()]));

const freshIp = () => `10.${rand()}.${rand()}.${rand()}`;
const rand = () => Math.floor(Math.random() * 254) + 1;

async function person(password: string | null = "the old password") {
  return db.user.create({
    data: { email: uniqueEmail("reset"), name: "Re Set", passwordHash: password ? await hashPassword(password) : null },
  });
}

const issue = (userId: string, ttlMs = 30 * 60_000, now?: Date) =>
  db.$transaction((tx) => issueToken(tx, userId, "PASSWORD_RESET", ttlMs, { now }));

const outbox = (to: string) => db.mailOutbox.findMany({ where: { to }, orderBy: { createdAt: "asc" } });

/** The raw token of the newest reset link mailed to `to`. */
async function linkToken(to: string): Promise<string> {
  const mail = (await outbox(to)).filter((m) => m.template === "password-reset").at(-1)!;
  return /reset-password\?token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
}

describe("one-time tokens", () => {
  it("are stored as a SHA-256 only: the raw token is nowhere in the table", async () => {
    const user = await person();
    const raw = await issue(user.id);
    expect(raw).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await db.$queryRaw<Record<string, unknown>[]>`SELECT * FROM "one_time_tokens" WHERE "user_id" = ${user.id}`;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toBe(hashToken(raw));
    expect(JSON.stringify(rows)).not.toContain(raw);
  });

  it("work once", async () => {
    const user = await person();
    const raw = await issue(user.id);
    expect(await findToken(db, raw, "PASSWORD_RESET")).toMatchObject({ userId: user.id });
    expect(await consumeToken(db, raw, "PASSWORD_RESET")).toMatchObject({ userId: user.id });
    expect(await consumeToken(db, raw, "PASSWORD_RESET")).toBeNull();
    expect(await findToken(db, raw, "PASSWORD_RESET")).toBeNull();
  });

  it("of two concurrent uses, exactly one succeeds (two instances)", async () => {
    for (let round = 0; round < 5; round++) {
      const user = await person(null);
      const raw = await issue(user.id);
      const results = await Promise.all([
        consumeToken(db, raw, "PASSWORD_RESET"),
        consumeToken(other, raw, "PASSWORD_RESET"),
        consumeToken(db, raw, "PASSWORD_RESET"),
      ]);
      expect(results.filter((r) => r !== null)).toHaveLength(1);
    }
  });

  it("expire", async () => {
    const user = await person(null);
    const issuedAt = new Date(Date.now() - 31 * 60_000);
    const raw = await issue(user.id, 30 * 60_000, issuedAt);
    expect(await findToken(db, raw, "PASSWORD_RESET")).toBeNull();
    expect(await consumeToken(db, raw, "PASSWORD_RESET")).toBeNull();
    // Still good a moment before the end.
    expect(await consumeToken(db, raw, "PASSWORD_RESET", new Date(issuedAt.getTime() + 30 * 60_000 - 1000))).not.toBeNull();
  });

  it("a new token for the same purpose ends the older unused ones", async () => {
    const user = await person(null);
    const first = await issue(user.id);
    const second = await issue(user.id);
    expect(await consumeToken(db, first, "PASSWORD_RESET")).toBeNull();
    expect(await consumeToken(db, second, "PASSWORD_RESET")).toMatchObject({ userId: user.id });
    expect(await db.oneTimeToken.count({ where: { userId: user.id } })).toBe(1);
  });

  it("refuse malformed and made-up tokens without a match", async () => {
    for (const raw of ["", "x", "a".repeat(43), "a".repeat(44), "' OR 1=1 --"]) {
      expect(await consumeToken(db, raw, "PASSWORD_RESET")).toBeNull();
    }
  });
});

describe("forgot password", () => {
  it("resolves the same for an unknown and a known address; only the known one gets a link", async () => {
    const user = await person();
    const unknown = uniqueEmail("nobody");
    const answers = await Promise.all([
      requestPasswordReset(db, { email: unknown }, { ip: freshIp() }),
      requestPasswordReset(db, { email: `  ${user.email.toUpperCase()} ` }, { ip: freshIp() }),
    ]);
    expect(answers[0]).toEqual(answers[1]);
    expect(await outbox(unknown)).toHaveLength(0);
    const mails = await outbox(user.email);
    expect(mails.map((m) => [m.template, m.subject])).toEqual([["password-reset", "Reset your Fundwell password"]]);
    const token = await linkToken(user.email);
    expect(mails[0]!.text).toContain(`/reset-password?token=${token}`);
    expect(mails[0]!.text).toContain("30 minutes");
    expect(await findToken(db, token, "PASSWORD_RESET")).toMatchObject({ userId: user.id, subject: user.email });
  });

  it("answers before the account is looked up when the work can be deferred", async () => {
    const user = await person();
    const deferred: (() => Promise<void>)[] = [];
    await requestPasswordReset(db, { email: user.email }, { ip: freshIp(), defer: (task) => deferred.push(task) });
    expect(deferred).toHaveLength(1);
    expect(await outbox(user.email)).toHaveLength(0);
    await deferred[0]!();
    expect(await outbox(user.email)).toHaveLength(1);
  });

  it("sends nothing to an account without a password or a disabled one", async () => {
    const oauthOnly = await person(null);
    const disabled = await db.user.update({ where: { id: (await person()).id }, data: { disabled: true } });
    await requestPasswordReset(db, { email: oauthOnly.email }, { ip: freshIp() });
    await requestPasswordReset(db, { email: disabled.email }, { ip: freshIp() });
    expect(await outbox(oauthOnly.email)).toHaveLength(0);
    expect(await outbox(disabled.email)).toHaveLength(0);
  });

  it("is limited per address and per IP, for unknown addresses alike", async () => {
    const user = await person();
    for (let i = 0; i < FORGOT_LIMITS.perEmail; i++) await requestPasswordReset(db, { email: user.email }, { ip: freshIp() });
    expect(await rejection(requestPasswordReset(db, { email: user.email }, { ip: freshIp() }))).toMatchObject({
      status: 429,
      code: "TOO_MANY_REQUESTS",
    });
    expect(await outbox(user.email)).toHaveLength(FORGOT_LIMITS.perEmail);

    const ip = freshIp();
    for (let i = 0; i < FORGOT_LIMITS.perIp; i++) await requestPasswordReset(db, { email: uniqueEmail("nobody") }, { ip });
    expect(await rejection(requestPasswordReset(db, { email: uniqueEmail("nobody") }, { ip }))).toMatchObject({ status: 429 });
  });
});

describe("the reset mail", () => {
  it("keeps the link in the outbox only until it is sent", async () => {
    const user = await person();
    await requestPasswordReset(db, { email: user.email }, { ip: freshIp() });
    const token = await linkToken(user.email);
    // Due in the distant past, and sent "then": this run claims this message only, never another test's.
    const then = new Date("2001-01-01T00:00:00Z");
    await db.mailOutbox.updateMany({ where: { to: user.email }, data: { nextAttemptAt: then } });
    const sent: { text?: unknown; html?: unknown }[] = [];
    const transport: MailTransport = { sendMail: async (m) => sent.push(m) };
    expect(
      await sendDueMail(db, { now: new Date(then.getTime() + 1000), transport, from: "Fundwell <no-reply@fundwell.test>" }),
    ).toMatchObject({
      claimed: 1,
      sent: 1,
    });
    expect(String(sent[0]!.text)).toContain(token);
    expect(String(sent[0]!.html)).toContain(token);
    const [row] = await outbox(user.email);
    expect(row).toMatchObject({ status: "SENT", subject: "Reset your Fundwell password" });
    expect(JSON.stringify(row)).not.toContain(token);
    // The link itself still works: only the copy in the outbox is gone.
    expect(await findToken(db, token, "PASSWORD_RESET")).not.toBeNull();
  });
});

describe("reset password", () => {
  it("sets the new password, ends every session, clears the sign-in pairs and sends a notice", async () => {
    const user = await person("the old password");
    const here = await signedIn(db, user);
    const elsewhere = await signedIn(db, user);
    expect(await getDashboardData(db, here)).not.toBeNull();
    const throttled = pairKey(user.email, "203.0.113.9");
    await db.loginThrottle.create({ data: { key: throttled, failures: 5, windowStart: new Date() } });

    await requestPasswordReset(db, { email: user.email }, { ip: freshIp() });
    await resetPassword(db, { token: await linkToken(user.email), password: "a brand new password" }, { ip: "203.0.113.9" });

    const after = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(await verifyPassword(after.passwordHash!, "a brand new password")).toBe(true);
    expect(await verifyPassword(after.passwordHash!, "the old password")).toBe(false);
    expect(after.sessionVersion).toBe(user.sessionVersion + 1);
    expect(after.emailVerified).not.toBeNull();
    // Every session ends: the rows are revoked and the version moved on.
    expect(await getDashboardData(db, here)).toBeNull();
    expect(await getDashboardData(db, elsewhere)).toBeNull();
    expect(await db.userSession.count({ where: { userId: user.id, revokedAt: null } })).toBe(0);
    expect(await db.loginThrottle.count({ where: { key: throttled } })).toBe(0);
    expect(await db.auditLog.findFirst({ where: { actorId: user.id, action: "auth.password_reset" } })).toMatchObject({
      metadata: { sessionsEnded: 2 },
      ip: "203.0.113.9",
    });
    const notice = (await outbox(user.email)).filter((m) => m.template === "password-changed");
    expect(notice).toHaveLength(1);
    expect(notice[0]!.subject).toBe("Your Fundwell password was changed");
    expect(notice[0]!.text).toContain("with a reset link sent to this address");
  });

  it("refuses a used, expired, unknown or superseded link with a clear message, changing nothing", async () => {
    const user = await person("the old password");
    await requestPasswordReset(db, { email: user.email }, { ip: freshIp() });
    const first = await linkToken(user.email);
    await requestPasswordReset(db, { email: user.email }, { ip: freshIp() });
    const second = await linkToken(user.email);
    expect(second).not.toBe(first);

    const refused = await rejection(resetPassword(db, { token: first, password: "a brand new password" }, { ip: null }));
    expect(refused).toMatchObject({ status: 400, code: "INVALID_RESET_LINK" });
    expect(refused.message).toMatch(/invalid, has expired or was already used/);
    expect(await rejection(resetPassword(db, { token: "x".repeat(43), password: "a brand new password" }, { ip: null }))).toMatchObject({
      code: "INVALID_RESET_LINK",
    });
    expect(
      await rejection(
        resetPassword(db, { token: second, password: "a brand new password" }, { ip: null, now: new Date(Date.now() + 31 * 60_000) }),
      ),
    ).toMatchObject({ code: "INVALID_RESET_LINK" });

    await resetPassword(db, { token: second, password: "a brand new password" }, { ip: null });
    expect(await rejection(resetPassword(db, { token: second, password: "another new password" }, { ip: null }))).toMatchObject({
      code: "INVALID_RESET_LINK",
    });
    const stored = (await db.user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash!;
    expect(await verifyPassword(stored, "a brand new password")).toBe(true);
  });

  it("two concurrent resets with one link: one succeeds, one is refused", async () => {
    const user = await person("the old password");
    await requestPasswordReset(db, { email: user.email }, { ip: freshIp() });
    const token = await linkToken(user.email);
    const results = await Promise.allSettled([
      resetPassword(db, { token, password: "first new password" }, { ip: null }),
      resetPassword(other, { token, password: "second new password" }, { ip: null }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((await outbox(user.email)).filter((m) => m.template === "password-changed")).toHaveLength(1);
  });

  it("a link mailed to an address the account no longer has does not work", async () => {
    const user = await person("the old password");
    await requestPasswordReset(db, { email: user.email }, { ip: freshIp() });
    const token = await linkToken(user.email);
    await db.user.update({ where: { id: user.id }, data: { email: uniqueEmail("moved") } });
    expect(await rejection(resetPassword(db, { token, password: "a brand new password" }, { ip: null }))).toMatchObject({
      code: "INVALID_RESET_LINK",
    });
  });
});

describe("password change", () => {
  it("enqueues the same notice in its transaction", async () => {
    const user = await person("the old password");
    const here = await signedIn(db, user);
    await changePassword(db, here, { currentPassword: "the old password", newPassword: "a brand new password" }, { ip: null });
    const notice = (await outbox(user.email)).filter((m) => m.template === "password-changed");
    expect(notice).toHaveLength(1);
    expect(notice[0]!.text).toContain("on the account page");
    expect(notice[0]!.text).toContain("Every other browser");

    // A refused change sends nothing.
    await rejection(changePassword(db, here, { currentPassword: "wrong", newPassword: "another new password" }, { ip: null }));
    expect((await outbox(user.email)).filter((m) => m.template === "password-changed")).toHaveLength(1);
  });
});
