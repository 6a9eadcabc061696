import { afterAll, describe, expect, it } from "vitest";
import { githubVerifiedEmail, providerVerifiedEmail, signInWithOAuth } from "@/lib/auth/oauth";
import { testDb, uniqueEmail } from "../helpers/db";

const db = testDb();
afterAll(() => db.$disconnect());

const identity = (email: string | null, providerAccountId = `gh-${Math.random().toString(36).slice(2)}`) => ({
  provider: "github",
  providerAccountId,
  type: "oauth",
  email,
  emailVerified: true,
  name: "Octo Cat",
  adminEmails: [] as string[],
});

describe("OAuth sign-in", () => {
  it("creates a user for a new identity and signs the same identity in again", async () => {
    const input = identity(uniqueEmail("octo"));
    const first = await signInWithOAuth(db, input);
    expect(first.ok).toBe(true);
    const again = await signInWithOAuth(db, input);
    expect(again).toEqual(first);
    const user = await db.user.findUniqueOrThrow({ where: { email: input.email! }, include: { accounts: true } });
    expect(user.passwordHash).toBeNull();
    expect(user.accounts.map((a) => [a.provider, a.providerAccountId])).toEqual([["github", input.providerAccountId]]);
  });

  it("never links a new identity to an existing account by email", async () => {
    const email = uniqueEmail("taken");
    await db.user.create({ data: { email, name: "Existing", passwordHash: "x" } });
    const result = await signInWithOAuth(db, identity(email.toUpperCase()));
    expect(result).toEqual({ ok: false, error: "oauth-not-linked" });
    expect(await db.account.count({ where: { user: { email } } })).toBe(0);
  });

  it("refuses a disabled user and an identity without an email", async () => {
    const input = identity(uniqueEmail("off"));
    const created = await signInWithOAuth(db, input);
    if (!created.ok) throw new Error("setup failed");
    await db.user.update({ where: { id: created.userId }, data: { disabled: true } });
    expect((await signInWithOAuth(db, input)).ok).toBe(false);
    expect((await signInWithOAuth(db, identity(null))).ok).toBe(false);
  });

  it("needs an email the provider verified; ADMIN_EMAILS then applies, and the account starts verified", async () => {
    const listed = uniqueEmail("ops-oauth");
    const unverified = { ...identity(listed), emailVerified: false, adminEmails: [listed] };
    expect(await signInWithOAuth(db, unverified)).toEqual({ ok: false, error: "oauth-unverified-email" });
    expect(await db.user.count({ where: { email: listed } })).toBe(0);

    const verified = await signInWithOAuth(db, { ...unverified, emailVerified: true });
    if (!verified.ok) throw new Error("a verified identity is refused");
    const user = await db.user.findUniqueOrThrow({ where: { id: verified.userId } });
    expect(user.role).toBe("ADMIN");
    expect(user.emailVerified).not.toBeNull();
  });

  it("reads the verified email: OpenID's email_verified claim, GitHub's primary verified address", () => {
    expect(providerVerifiedEmail({ email_verified: true })).toBe(true);
    expect(providerVerifiedEmail({ email_verified: "true" })).toBe(false);
    expect(providerVerifiedEmail({})).toBe(false);
    expect(providerVerifiedEmail(undefined)).toBe(false);
    expect(
      githubVerifiedEmail([
        { email: "old@example.test", primary: false, verified: true },
        { email: "me@example.test", primary: true, verified: true },
      ]),
    ).toBe("me@example.test");
    expect(githubVerifiedEmail([{ email: "me@example.test", primary: true, verified: false }])).toBeNull();
    expect(githubVerifiedEmail({ message: "Bad credentials" })).toBeNull();
  });
});
