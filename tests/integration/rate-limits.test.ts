/**
 * Per-user rate limits (lib/http/rate-limit.ts) on the routes that cost
 * upstream calls: over the limit the answer is 429 with Retry-After, before
 * any other work. The route handlers are called as Next calls them; only the
 * session is stubbed (a real user row in the run's database).
 */
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { User } from "@/lib/db";
import { testDb, signedIn, uniqueEmail } from "../helpers/db";

const session = vi.hoisted(() => ({ user: null as null | (User & { sessionId: string }) }));
vi.mock("@/lib/auth", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/auth")>()),
  getSessionState: async () => (session.user ? { kind: "signed-in", user: session.user, secondFactorAt: null } : { kind: "none" }),
  getSessionActor: async () =>
    session.user ? { id: session.user.id, sessionVersion: session.user.sessionVersion, sessionId: session.user.sessionId } : null,
}));

const { POST: fund } = await import("@/app/api/payments/route");
const { POST: linkToken } = await import("@/app/api/plaid/link-token/route");
const { POST: linkEvent } = await import("@/app/api/plaid/link-events/route");

const db = testDb();
afterAll(() => db.$disconnect());
const ORIGIN = "http://localhost:3000";

async function person() {
  session.user = await signedIn(
    db,
    await db.user.create({ data: { email: uniqueEmail("limited"), name: "Lim Ited", emailVerified: new Date() } }),
  );
  return session.user;
}

const post = (handler: (req: Request, ctx: { params: Promise<Record<string, never>> }) => Promise<Response>, path: string, body: unknown) =>
  handler(
    new Request(`${ORIGIN}${path}`, {
      method: "POST",
      headers: { origin: ORIGIN, host: "localhost:3000", "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve({}) },
  );

describe("per-user rate limits", () => {
  it("funding: the 21st request in a minute gets 429 with Retry-After, and other people are not affected", async () => {
    await person();
    // Refused by the account check (no such account): cheap, and still counted.
    const attempt = () => post(fund, "/api/payments", { requestId: randomUUID(), bankAccountId: "nope", amountCents: 1_000 });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await attempt()).status);
    expect(statuses).toEqual(Array(20).fill(404));
    const limited = await attempt();
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await limited.json()).toMatchObject({
      error: { code: "TOO_MANY_REQUESTS", message: /^Too many transfers at once\. Try again in \d+ seconds?\.$/ },
    });

    await person();
    expect((await attempt()).status).toBe(404);
  });

  it("link tokens: 10 a minute", async () => {
    await person();
    for (let i = 0; i < 10; i++) expect((await post(linkToken, "/api/plaid/link-token", {})).status).toBe(200);
    const limited = await post(linkToken, "/api/plaid/link-token", {});
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
  });

  it("Link events: 120 a minute", async () => {
    await person();
    const event = () => post(linkEvent, "/api/plaid/link-events", { type: "event", eventName: "TRANSITION_VIEW", metadata: {} });
    const statuses = await Promise.all(Array.from({ length: 125 }, event).map(async (r) => (await r).status));
    expect(statuses.filter((s) => s === 204)).toHaveLength(120);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
  });
});
