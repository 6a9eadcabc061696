import { encode } from "next-auth/jwt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readSessionClaims, sessionCookieName, sessionTokenOf } from "@/lib/auth/session-token";

const SECRET = "unit-test-secret-unit-test-secret-0123456789";

function jar(cookies: Record<string, string>) {
  return {
    get: (name: string) => (name in cookies ? { value: cookies[name]! } : undefined),
    getAll: () => Object.entries(cookies).map(([name, value]) => ({ name, value })),
  };
}

const token = (claims: Record<string, unknown>, maxAge = 3600, secret = SECRET) => encode({ token: claims, secret, maxAge });

describe("session cookie claims", () => {
  afterEach(() => vi.useRealTimers());

  it("reads the user and session version from a token next-auth issued", async () => {
    const t = await token({ uid: "user_1", sv: 3, sid: "session_1", email: "a@example.test" });
    expect(await readSessionClaims(jar({ "next-auth.session-token": t }), SECRET)).toEqual({
      userId: "user_1",
      sessionVersion: 3,
      sessionId: "session_1",
    });
  });

  it("refuses a token from another secret, a tampered one, an expired one, or one without our claims", async () => {
    const foreign = await token({ uid: "user_1", sv: 0, sid: "s" }, 3600, "another-secret-another-secret-0123456789");
    const good = await token({ uid: "user_2", sv: 0, sid: "s" });
    const tampered = good.slice(0, -4) + (good.endsWith("AAAA") ? "BBBB" : "AAAA");
    const expired = await token({ uid: "user_3", sv: 0, sid: "s" }, -60);
    const bare = await token({ email: "b@example.test" });
    const sessionless = await token({ uid: "user_5", sv: 0 }); // no server-side session to check against
    for (const t of [foreign, tampered, expired, bare, sessionless, "not-a-jwt"]) {
      expect(await readSessionClaims(jar({ "next-auth.session-token": t }), SECRET)).toBeNull();
    }
    expect(await readSessionClaims(jar({}), SECRET)).toBeNull();
  });

  it("stops accepting a remembered token once it expires", async () => {
    const t = await token({ uid: "user_4", sv: 1, sid: "session_4" }, 60);
    const cookies = jar({ "next-auth.session-token": t });
    expect(await readSessionClaims(cookies, SECRET)).toEqual({ userId: "user_4", sessionVersion: 1, sessionId: "session_4" });
    vi.useFakeTimers({ now: Date.now() + 30_000, toFake: ["Date"] });
    expect(await readSessionClaims(cookies, SECRET)).toEqual({ userId: "user_4", sessionVersion: 1, sessionId: "session_4" });
    // Past expiry (and next-auth's 15 s clock tolerance): decoded again, and refused.
    vi.setSystemTime(Date.now() + 50_000);
    expect(await readSessionClaims(cookies, SECRET)).toBeNull();
  });

  it("joins next-auth's chunked cookies in order and uses the secure name over https", () => {
    const name = sessionCookieName("https://fundwell.example");
    expect(name).toBe("__Secure-next-auth.session-token");
    expect(sessionCookieName("http://localhost:3000")).toBe("next-auth.session-token");
    expect(sessionTokenOf(jar({ [`${name}.1`]: "def", [`${name}.0`]: "abc", [`${name}.x`]: "zzz" }), name)).toBe("abcdef");
    expect(sessionTokenOf(jar({ "other.0": "abc" }), name)).toBeNull();
  });
});
