import { afterAll, describe, expect, it } from "vitest";
import { authenticateWithPassword } from "@/lib/auth/credentials";
import { requestSignUp } from "@/lib/auth/sign-up";
import { AuthError } from "@/lib/auth/errors";
import { THROTTLE_POLICY, pairKey } from "@/lib/auth/throttle";
import { verifyPassword } from "@/lib/auth/password";
import { seedDemoAccounts, DEMO_ACCOUNTS } from "@/lib/auth/demo-accounts";
import { testDb, uniqueEmail } from "../helpers/db";

const db = testDb();
afterAll(() => db.$disconnect());

let ipCounter = 0;
/** A fresh client IP per test so IP throttles from other tests never interfere. */
const freshIp = () => `203.0.113.${++ipCounter}-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;

function ctx(ip: string | null = freshIp(), extra: { adminEmails?: string[]; now?: Date } = {}) {
  return { db, ip, adminEmails: extra.adminEmails ?? [], now: extra.now };
}

/** A password sign-up, run to the end (its account part inline), and the account it made. */
async function register(input: { name: string; email: string; password: string }, ip: string | null = freshIp()) {
  await requestSignUp(db, input, { ip });
  return db.user.findUniqueOrThrow({ where: { email: input.email.trim().toLowerCase() } });
}

async function signUp(email = uniqueEmail(), password = "correct horse battery") {
  const user = await register({ name: "Test Person", email, password });
  return { user, email, password };
}

async function failure(p: Promise<unknown>): Promise<AuthError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AuthError);
  return err as AuthError;
}

describe("password sign-up and sign-in", () => {
  it("stores an argon2id hash, normalises the email and signs in", async () => {
    const email = uniqueEmail("Mixed.Case");
    const { user } = await signUp(`  ${email.toUpperCase()} `);
    expect(user.email).toBe(email.toLowerCase());
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(user.role).toBe("USER");
    const signedIn = await authenticateWithPassword({ email: email.toUpperCase(), password: "correct horse battery" }, ctx());
    expect(signedIn.id).toBe(user.id);
    const audit = await db.auditLog.findMany({ where: { actorId: user.id }, orderBy: { createdAt: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["auth.sign_up", "auth.sign_in"]);
  });

  it("answers a wrong password and an unknown email with the same message", async () => {
    const { email } = await signUp();
    const wrong = await failure(authenticateWithPassword({ email, password: "not the password" }, ctx()));
    const unknown = await failure(authenticateWithPassword({ email: uniqueEmail("nobody"), password: "whatever pass" }, ctx()));
    expect(wrong.message).toBe("Invalid email or password.");
    expect(unknown.message).toBe(wrong.message);
    expect(unknown.code).toBe(wrong.code);
  });

  it("answers a duplicate sign-up as a new one, without a second account or any change to the first", async () => {
    const { email, user, password } = await signUp();
    const fresh = uniqueEmail();
    const answers = await Promise.all([
      requestSignUp(db, { name: "Other", email: email.toUpperCase(), password: "another password" }, { ip: freshIp() }),
      requestSignUp(db, { name: "New", email: fresh, password: "another password" }, { ip: freshIp() }),
    ]);
    expect(answers[0]).toEqual(answers[1]);
    expect(await db.user.count({ where: { email } })).toBe(1);
    expect(await db.user.findUniqueOrThrow({ where: { email } })).toMatchObject({ name: user.name, passwordHash: user.passwordHash });
    expect((await authenticateWithPassword({ email, password }, ctx())).id).toBe(user.id);
    expect(
      await db.auditLog.findFirst({ where: { action: "auth.sign_up.rejected", metadata: { path: ["email"], equals: email } } }),
    ).not.toBeNull();
  });

  it("refuses a disabled account only after a correct password", async () => {
    const { user, email, password } = await signUp();
    await db.user.update({ where: { id: user.id }, data: { disabled: true } });
    expect((await failure(authenticateWithPassword({ email, password: "wrong password" }, ctx()))).code).toBe("invalid");
    expect((await failure(authenticateWithPassword({ email, password }, ctx()))).code).toBe("disabled");
  });

  it("ADMIN_EMAILS promotes an address only once it is verified: claiming it at sign-up is not enough", async () => {
    const listed = uniqueEmail("ops");
    // Whoever registers a listed address first (any case) gets an ordinary, unverified account.
    const claimed = await register({ name: "Claimer", email: listed.toUpperCase(), password: "long enough pw" });
    expect(claimed).toMatchObject({ role: "USER", emailVerified: null });
    const signedIn = await authenticateWithPassword(
      { email: listed, password: "long enough pw" },
      ctx(freshIp(), { adminEmails: [listed] }),
    );
    expect(signedIn.role).toBe("USER");
    expect(await db.auditLog.count({ where: { targetId: claimed.id, action: "user.role.granted" } })).toBe(0);

    // Once the address is verified, the next sign-in promotes it (once, audited).
    const { email, password, user } = await signUp();
    await db.user.update({ where: { id: user.id }, data: { emailVerified: new Date() } });
    const promoted = await authenticateWithPassword({ email, password }, ctx(freshIp(), { adminEmails: [email] }));
    expect(promoted.role).toBe("ADMIN");
    expect(await db.auditLog.count({ where: { targetId: user.id, action: "user.role.granted" } })).toBe(1);
  });

  it("seeds the demo accounts once, with the README's passwords", async () => {
    await seedDemoAccounts(db);
    expect(await seedDemoAccounts(db)).toEqual([]);
    for (const account of DEMO_ACCOUNTS) {
      const user = await db.user.findUniqueOrThrow({ where: { email: account.email } });
      expect(user.role).toBe(account.role);
      expect(user.emailVerified).not.toBeNull();
      expect(await verifyPassword(user.passwordHash!, account.password)).toBe(true);
    }
  });
});

describe("failed sign-in throttle (stored in the database)", () => {
  it("locks an (email, IP) pair after 5 failures, even for the right password, and says when to retry", async () => {
    const { email, password } = await signUp();
    const ip = freshIp();
    for (let i = 0; i < THROTTLE_POLICY.maxFailuresPerPair; i++) {
      expect((await failure(authenticateWithPassword({ email, password: `wrong ${i}` }, ctx(ip)))).code).toBe("invalid");
    }
    const locked = await failure(authenticateWithPassword({ email, password }, ctx(ip)));
    expect(locked.code).toBe("throttled");
    expect(locked.message).toBe("Too many failed sign-in attempts. Try again in 15 minutes.");
  });

  it("locks an unknown email the same way, so the lock reveals nothing", async () => {
    const email = uniqueEmail("ghost");
    const ip = freshIp();
    for (let i = 0; i < THROTTLE_POLICY.maxFailuresPerPair; i++) await failure(authenticateWithPassword({ email, password: "x" }, ctx(ip)));
    expect((await failure(authenticateWithPassword({ email, password: "x" }, ctx(ip)))).code).toBe("throttled");
  });

  it("lifts the lock after the lock period", async () => {
    const { email, password } = await signUp();
    const ip = freshIp();
    const start = new Date();
    for (let i = 0; i < THROTTLE_POLICY.maxFailuresPerPair; i++)
      await failure(authenticateWithPassword({ email, password: "bad" }, ctx(ip, { now: start })));
    expect((await failure(authenticateWithPassword({ email, password }, ctx(ip, { now: new Date(start.getTime() + 60_000) })))).code).toBe(
      "throttled",
    );
    const later = new Date(start.getTime() + THROTTLE_POLICY.lockMs + 1_000);
    expect((await authenticateWithPassword({ email, password }, ctx(ip, { now: later }))).email).toBe(email);
  });

  it("forgets old failures outside the window and clears them on success", async () => {
    const { email, password } = await signUp();
    const ip = freshIp();
    const start = new Date();
    for (let i = 0; i < THROTTLE_POLICY.maxFailuresPerPair - 1; i++)
      await failure(authenticateWithPassword({ email, password: "bad" }, ctx(ip, { now: start })));
    const afterWindow = new Date(start.getTime() + THROTTLE_POLICY.windowMs + 1_000);
    await failure(authenticateWithPassword({ email, password: "bad" }, ctx(ip, { now: afterWindow })));
    expect((await db.loginThrottle.findUniqueOrThrow({ where: { key: pairKey(email, ip) } })).failures).toBe(1);
    await authenticateWithPassword({ email, password }, ctx(ip, { now: afterWindow }));
    expect(await db.loginThrottle.findUnique({ where: { key: pairKey(email, ip) } })).toBeNull();
  });

  it("locks an IP that fails across many emails", async () => {
    const ip = freshIp();
    for (let i = 0; i < THROTTLE_POLICY.maxFailuresPerIp; i++)
      await failure(authenticateWithPassword({ email: uniqueEmail(`spray${i}`), password: "x" }, ctx(ip)));
    const { email, password } = await signUp();
    expect((await failure(authenticateWithPassword({ email, password }, ctx(ip)))).code).toBe("throttled");
    expect((await authenticateWithPassword({ email, password }, ctx(freshIp()))).email).toBe(email);
  });

  it("counts concurrent failures from several app instances exactly", async () => {
    const email = uniqueEmail("burst");
    const ip = freshIp();
    const other = testDb(); // a second "instance" with its own pool
    try {
      await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          failure(authenticateWithPassword({ email, password: "x" }, { db: i % 2 ? other : db, ip, adminEmails: [] })),
        ),
      );
    } finally {
      await other.$disconnect();
    }
    expect((await db.loginThrottle.findUniqueOrThrow({ where: { key: pairKey(email, ip) } })).failures).toBe(4);
  });
});
