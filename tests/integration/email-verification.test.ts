/**
 * Email verification (lib/auth/email-verification.ts) and the sign-up that
 * sends it (lib/auth/sign-up.ts), on a real database: the link, the same
 * answer for new and registered addresses, what an unverified user may not
 * do (link a bank, fund), the resend limit and ADMIN_EMAILS.
 * The two routes whose rule lives in the handler's call (the sign-up's
 * deferred work, the link token) are called as Next calls them; only the
 * session and `after` are stubbed.
 */
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { User } from "@/lib/db";
import { consumeToken, findToken, hashToken } from "@/lib/auth/one-time-tokens";
import { RESEND_LIMITS, VERIFY_LINK_TTL_MS, resendVerificationLink, verifyEmail } from "@/lib/auth/email-verification";
import { requestSignUp, SIGN_UP_ANSWER } from "@/lib/auth/sign-up";
import { authenticateWithPassword } from "@/lib/auth/credentials";
import { bankingDeps } from "@/lib/banking/deps";
import { linkBankAccount } from "@/lib/banking/link-account";
import { createFundingPayment } from "@/lib/funding/create-payment";
import { getDashboardData } from "@/lib/funding/dashboard";
import { MANDATE_TEXT_VERSION } from "@/lib/funding/mandates";
import { signedIn, testDb, uniqueEmail } from "../helpers/db";
import { rejection } from "../helpers/app-error";
import { linkResult } from "../helpers/sandbox";

const session = vi.hoisted(() => ({ user: null as null | User }));
vi.mock("@/lib/auth", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/auth")>()),
  getCurrentUser: async () => session.user,
  getSessionState: async () => (session.user ? { kind: "signed-in", user: session.user, secondFactorAt: null } : { kind: "none" }),
}));
const deferred = vi.hoisted(() => ({ tasks: [] as (() => Promise<void>)[] }));
vi.mock("next/server", async (importOriginal) => ({
  ...(await importOriginal<typeof import("next/server")>()),
  after: (task: () => Promise<void>) => deferred.tasks.push(task),
}));

const db = testDb();
afterAll(() => db.$disconnect());

const freshIp = () => `10.${rand()}.${rand()}.${rand()}`;
const rand = () => Math.floor(Math.random() * 254) + 1;
const ORIGIN = "http://localhost:3000";
const PASSWORD = "a long enough password";

const outbox = (to: string) => db.mailOutbox.findMany({ where: { to }, orderBy: { createdAt: "asc" } });

/** The raw token of the newest verification link mailed to `to`. */
async function linkToken(to: string): Promise<string> {
  const mail = (await outbox(to)).filter((m) => m.template === "verify-email").at(-1)!;
  return /verify-email\?token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
}

/** A password sign-up, run to the end (its account part inline). */
async function signUp(email = uniqueEmail("verify")): Promise<User> {
  await requestSignUp(db, { name: "Veri Fy", email, password: PASSWORD }, { ip: freshIp() });
  return db.user.findUniqueOrThrow({ where: { email } });
}

async function callRoute(file: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const mod = (await import(`@/app/api/${file}/route`)) as Record<
    string,
    (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>
  >;
  const req = new Request(`${ORIGIN}/api/${file}`, {
    method: "POST",
    headers: { origin: ORIGIN, host: "localhost:3000", "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const res = await mod.POST!(req, { params: Promise.resolve({}) });
  return { status: res.status, json: await res.json() };
}

describe("the verification link", () => {
  it("is mailed at sign-up, stored as a SHA-256 only, bound to the address, valid 24 hours", async () => {
    const user = await signUp();
    expect(user.emailVerified).toBeNull();
    const mails = await outbox(user.email);
    expect(mails.map((m) => [m.template, m.subject])).toEqual([["verify-email", "Verify your email address for Fundwell"]]);
    const token = await linkToken(user.email);
    expect(mails[0]!.text).toContain(`http://localhost:3000/verify-email?token=${token}`);
    const rows = await db.oneTimeToken.findMany({ where: { userId: user.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ purpose: "EMAIL_VERIFICATION", tokenHash: hashToken(token), subject: user.email, usedAt: null });
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0]!.expiresAt.getTime() - rows[0]!.createdAt.getTime()).toBe(VERIFY_LINK_TTL_MS);
    expect(VERIFY_LINK_TTL_MS).toBe(24 * 60 * 60_000);
    // Not a reset link.
    expect(await findToken(db, token, "PASSWORD_RESET")).toBeNull();
  });

  it("verifies the address once, audited; a second use is refused", async () => {
    const user = await signUp();
    const token = await linkToken(user.email);
    expect(await verifyEmail(db, { token }, { ip: "203.0.113.5", adminEmails: [] })).toEqual({ email: user.email });
    const after = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(after.emailVerified).toBeInstanceOf(Date);
    expect(await db.auditLog.findFirst({ where: { actorId: user.id, action: "auth.email_verified" } })).toMatchObject({
      ip: "203.0.113.5",
    });
    const again = await rejection(verifyEmail(db, { token }, { ip: null, adminEmails: [] }));
    expect(again).toMatchObject({ status: 400, code: "INVALID_VERIFICATION_LINK" });
    expect(again.message).toMatch(/invalid, has expired or was already used/);
  });

  it("expires after 24 hours", async () => {
    const user = await signUp();
    const token = await linkToken(user.email);
    const late = new Date(Date.now() + VERIFY_LINK_TTL_MS + 60_000);
    expect(await rejection(verifyEmail(db, { token }, { ip: null, adminEmails: [], now: late }))).toMatchObject({
      code: "INVALID_VERIFICATION_LINK",
    });
    const inTime = new Date(Date.now() + VERIFY_LINK_TTL_MS - 60_000);
    await verifyEmail(db, { token }, { ip: null, adminEmails: [], now: inTime });
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).emailVerified).not.toBeNull();
  });

  it("mailed to an address the account no longer has, it verifies nothing", async () => {
    const user = await signUp();
    const token = await linkToken(user.email);
    await db.user.update({ where: { id: user.id }, data: { email: uniqueEmail("moved") } });
    expect(await rejection(verifyEmail(db, { token }, { ip: null, adminEmails: [] }))).toMatchObject({
      code: "INVALID_VERIFICATION_LINK",
    });
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).emailVerified).toBeNull();
  });

  it("refuses made-up tokens and reset tokens", async () => {
    for (const token of ["x".repeat(43), "' OR 1=1 --", ""]) {
      expect(await rejection(verifyEmail(db, { token }, { ip: null, adminEmails: [] }))).toMatchObject({
        code: "INVALID_VERIFICATION_LINK",
      });
    }
    const user = await signUp();
    const token = await linkToken(user.email);
    expect(await consumeToken(db, token, "PASSWORD_RESET")).toBeNull();
  });

  it("the route: 200 with a valid link, 400 with a clear message otherwise", async () => {
    const user = await signUp();
    const token = await linkToken(user.email);
    expect(await callRoute("email/verify", { token })).toEqual({ status: 200, json: { message: "Your email address is verified." } });
    const used = await callRoute("email/verify", { token });
    expect(used.status).toBe(400);
    expect(JSON.stringify(used.json)).toMatch(/INVALID_VERIFICATION_LINK/);
    expect((await callRoute("email/verify", { token: 42 })).status).toBe(400);
  });
});

describe("sign-up answers the same for a new and a registered address", () => {
  it("the route: same status and body; the account part runs after the answer", async () => {
    const existing = await signUp();
    const fresh = uniqueEmail("fresh");
    deferred.tasks.length = 0;
    const forNew = await callRoute("signup", { name: "New Person", email: fresh, password: PASSWORD });
    const forExisting = await callRoute("signup", { name: "Someone Else", email: existing.email, password: "another password!" });
    expect(forNew).toEqual({ status: 202, json: { message: SIGN_UP_ANSWER } });
    expect(forExisting).toEqual(forNew);
    // Nothing was looked up or written before the answers.
    expect(deferred.tasks).toHaveLength(2);
    expect(await db.user.findUnique({ where: { email: fresh } })).toBeNull();
    expect((await outbox(existing.email)).filter((m) => m.template === "sign-up-attempt")).toHaveLength(0);
    for (const task of deferred.tasks.splice(0)) await task();

    const created = await db.user.findUniqueOrThrow({ where: { email: fresh } });
    expect(created).toMatchObject({ name: "New Person", role: "USER", emailVerified: null });
    expect((await outbox(fresh)).map((m) => m.template)).toEqual(["verify-email"]);
    // The registered address: no second account, its password unchanged, and its owner is told.
    expect(await db.user.count({ where: { email: existing.email } })).toBe(1);
    expect((await db.user.findUniqueOrThrow({ where: { id: existing.id } })).passwordHash).toBe(existing.passwordHash);
    const notices = (await outbox(existing.email)).filter((m) => m.template === "sign-up-attempt");
    expect(notices).toHaveLength(1);
    expect(notices[0]!.text).toContain("http://localhost:3000/signin");
    expect(notices[0]!.text).toContain("http://localhost:3000/forgot-password");
    expect(
      await authenticateWithPassword({ email: existing.email, password: PASSWORD }, { db, ip: freshIp(), adminEmails: [] }),
    ).toMatchObject({ id: existing.id });
  });

  it("tells a registered address at most 3 times per window, whatever the sign-ups' IPs", async () => {
    const existing = await signUp();
    for (let i = 0; i < 5; i++) await requestSignUp(db, { name: "Spam", email: existing.email, password: PASSWORD }, { ip: freshIp() });
    expect((await outbox(existing.email)).filter((m) => m.template === "sign-up-attempt")).toHaveLength(3);
  });

  it("stays limited per client IP (SIGNUPS_PER_IP), for new and registered addresses alike", async () => {
    const ip = freshIp();
    const existing = await signUp();
    await requestSignUp(db, { name: "One", email: existing.email, password: PASSWORD }, { ip, signUpsPerIp: 2 });
    await requestSignUp(db, { name: "Two", email: uniqueEmail("two"), password: PASSWORD }, { ip, signUpsPerIp: 2 });
    const refused = await rejection(
      requestSignUp(db, { name: "Three", email: uniqueEmail("three"), password: PASSWORD }, { ip, signUpsPerIp: 2 }),
    );
    expect(refused).toMatchObject({ status: 429, code: "TOO_MANY_REQUESTS" });
    expect(refused.message).toMatch(/Try again in 15 minutes/);
  });
});

describe("an unverified user can sign in but cannot link a bank or fund", () => {
  it("signs in and sees the dashboard, marked unverified", async () => {
    const user = await signUp();
    const signedInUser = await authenticateWithPassword({ email: user.email, password: PASSWORD }, { db, ip: freshIp(), adminEmails: [] });
    expect(signedInUser.id).toBe(user.id);
    expect(await getDashboardData(db, await signedIn(db, user))).toMatchObject({ emailVerified: false, bankAccounts: [] });
  });

  it("gets no link token (403 EMAIL_NOT_VERIFIED)", async () => {
    const user = await signUp();
    session.user = user;
    try {
      const res = await callRoute("plaid/link-token", {});
      expect(res.status).toBe(403);
      expect(res.json).toEqual({
        error: { code: "EMAIL_NOT_VERIFIED", message: "Verify your email address before you link a bank. We sent you a link." },
      });
      session.user = { ...user, emailVerified: new Date() };
      expect((await callRoute("plaid/link-token", {})).status).toBe(200);
    } finally {
      session.user = null;
    }
  });

  it("cannot attach a bank account (linkBankAccount), and nothing is exchanged", async () => {
    const user = await signUp();
    const link = await linkResult();
    expect(await rejection(linkBankAccount({ ...bankingDeps(), db }, user, link.input()))).toMatchObject({
      status: 403,
      code: "EMAIL_NOT_VERIFIED",
    });
    expect(await db.linkAttempt.count({ where: { userId: user.id } })).toBe(0);
    expect(await db.plaidItem.count({ where: { userId: user.id } })).toBe(0);
  });

  it("cannot fund, even from an account linked before (403 EMAIL_NOT_VERIFIED, nothing written)", async () => {
    const user = await signUp();
    await db.user.update({ where: { id: user.id }, data: { emailVerified: new Date() } });
    const link = await linkResult();
    const bank = await linkBankAccount({ ...bankingDeps(), db }, { ...user, emailVerified: new Date() }, link.input());
    await db.user.update({ where: { id: user.id }, data: { emailVerified: null } });
    const actor = await signedIn(db, user);
    const refused = await rejection(
      createFundingPayment(
        { ...bankingDeps(), db },
        actor,
        {
          requestId: randomUUID(),
          bankAccountId: bank.id,
          amountCents: 1_000,
          mandate: { accepted: true, textVersion: MANDATE_TEXT_VERSION },
        },
        { ip: null, userAgent: null },
      ),
    );
    expect(refused).toMatchObject({ status: 403, code: "EMAIL_NOT_VERIFIED" });
    expect(refused.message).toMatch(/before you add funds/);
    expect(await db.payment.count({ where: { userId: user.id } })).toBe(0);
  });
});

describe("resending the link", () => {
  it("sends a new link (the older one stops working), 3 times per window, then 429", async () => {
    const user = await signUp();
    const first = await linkToken(user.email);
    const ip = freshIp();
    for (let i = 0; i < RESEND_LIMITS.perUser; i++) {
      expect(await resendVerificationLink(db, user, { ip })).toEqual({
        message: `We sent a new link to ${user.email}. It works once, for 24 hours.`,
      });
    }
    expect((await outbox(user.email)).filter((m) => m.template === "verify-email")).toHaveLength(1 + RESEND_LIMITS.perUser);
    const over = await rejection(resendVerificationLink(db, user, { ip: freshIp() }));
    expect(over).toMatchObject({ status: 429, code: "TOO_MANY_REQUESTS" });
    expect(over.message).toMatch(/Try again in \d+ minutes?/);
    expect(await findToken(db, first, "EMAIL_VERIFICATION")).toBeNull();
    expect(await findToken(db, await linkToken(user.email), "EMAIL_VERIFICATION")).toMatchObject({ userId: user.id });
  });

  it("is limited per client IP too", async () => {
    const ip = freshIp();
    for (let i = 0; i < RESEND_LIMITS.perIp; i++) await resendVerificationLink(db, await signUp(), { ip });
    expect(await rejection(resendVerificationLink(db, await signUp(), { ip }))).toMatchObject({ status: 429 });
  });

  it("sends nothing to a verified address", async () => {
    const user = await signUp();
    await verifyEmail(db, { token: await linkToken(user.email) }, { ip: null, adminEmails: [] });
    const verified = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(await resendVerificationLink(db, verified, { ip: freshIp() })).toEqual({ message: "Your email address is already verified." });
    expect((await outbox(user.email)).filter((m) => m.template === "verify-email")).toHaveLength(1);
  });
});

describe("ADMIN_EMAILS", () => {
  it("does not promote a listed address while unverified; verifying it does (once, audited)", async () => {
    const listed = uniqueEmail("ops");
    const user = await signUp(listed);
    const beforeVerifying = await authenticateWithPassword(
      { email: listed, password: PASSWORD },
      { db, ip: freshIp(), adminEmails: [listed] },
    );
    expect(beforeVerifying.role).toBe("USER");

    await verifyEmail(db, { token: await linkToken(listed) }, { ip: null, adminEmails: [listed] });
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).role).toBe("ADMIN");
    expect(await db.auditLog.findMany({ where: { targetId: user.id, action: "user.role.granted" } })).toMatchObject([
      { metadata: { role: "ADMIN", via: "ADMIN_EMAILS" } },
    ]);
  });

  it("verifying an unlisted address grants nothing", async () => {
    const user = await signUp();
    await verifyEmail(db, { token: await linkToken(user.email) }, { ip: null, adminEmails: [uniqueEmail("someone-else")] });
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).role).toBe("USER");
  });
});
