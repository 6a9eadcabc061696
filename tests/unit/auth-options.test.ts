import { describe, expect, it, vi } from "vitest";
import { AuthError } from "@/lib/auth/errors";

// next-auth's configuration with its collaborators stubbed: what authorize throws
// becomes the sign-in URL's ?error=, and redirect decides where the browser goes.
const auth = vi.hoisted(() => ({ fail: null as unknown }));
vi.mock("@/lib/config", () => ({
  getConfig: () => ({ appUrl: "http://localhost:3000", authSecret: "x".repeat(32), adminEmails: [], trustProxy: false, oauth: {} }),
}));
vi.mock("@/lib/db", () => ({ getDb: () => ({}) }));
vi.mock("@/lib/auth/credentials", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/auth/credentials")>()),
  authenticateWithPassword: async () => {
    throw auth.fail;
  },
}));

const { getAuthOptions } = await import("@/lib/auth/options");
const options = getAuthOptions();
const BASE = "http://localhost:3000";

type Authorize = (credentials: Record<string, string>, req: { headers: Record<string, string> }) => Promise<unknown>;
const authorize = (options.providers[0] as unknown as { options: { authorize: Authorize } }).options.authorize;
const ORM_TEXT = /prisma|invocation|invalid byte sequence|encoding|0x00|SELECT|INSERT|relation|column/i;

async function thrownBy(credentials: Record<string, string>): Promise<string> {
  const err = await authorize(credentials, { headers: {} }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return (err as Error).message;
}

describe("next-auth callbacks.redirect: the sign-in page's callback rule", () => {
  it.each([
    "/\t/evil.example",
    "http://localhost:3000/\t/evil.example",
    "//evil.example",
    "/\\evil.example",
    "https://evil.example/dashboard",
    "/\r\n/evil.example",
    "/%09/evil.example",
    "javascript:alert(1)",
  ])("sends %j to the dashboard", async (url) => {
    expect(await options.callbacks!.redirect!({ url, baseUrl: BASE })).toBe(`${BASE}/dashboard`);
  });

  it("keeps same-origin destinations", async () => {
    expect(await options.callbacks!.redirect!({ url: "/admin?x=1", baseUrl: BASE })).toBe(`${BASE}/admin?x=1`);
    expect(await options.callbacks!.redirect!({ url: `${BASE}/signin?error=oauth-disabled`, baseUrl: BASE })).toBe(
      `${BASE}/signin?error=oauth-disabled`,
    );
    expect(await options.callbacks!.redirect!({ url: "/", baseUrl: BASE })).toBe(`${BASE}/`);
  });
});

describe("credentials authorize: only codes, never internal text", () => {
  it.each([
    { email: "a\u0000@example.test", password: "whatever pass" },
    { email: "a@example.test", password: "pass\u0000word" },
    { email: "\ud800@example.test", password: "whatever pass" },
  ])("refuses NUL bytes and lone surrogates at the schema: %j", async (credentials) => {
    auth.fail = new Error("must not be reached");
    expect(await thrownBy(credentials)).toBe("CredentialsSignin");
  });

  it("answers an unknown error (the database's) with the generic code", async () => {
    auth.fail = Object.assign(new Error('Invalid `prisma.user.findUnique()` invocation: invalid byte sequence for encoding "UTF8": 0x00'), {
      code: "P2010",
    });
    const message = await thrownBy({ email: "a@example.test", password: "whatever pass" });
    expect(message).toBe("CredentialsSignin");
    expect(message).not.toMatch(ORM_TEXT);
  });

  it.each([
    ["invalid", "invalid"],
    ["throttled", "throttled"],
    ["disabled", "disabled"],
  ] as const)("passes on AuthError %s as its code", async (code, expected) => {
    auth.fail = new AuthError(code, "Too many failed sign-in attempts. Try again in 7 minutes.");
    expect(await thrownBy({ email: "a@example.test", password: "whatever pass" })).toBe(expected);
  });
});
