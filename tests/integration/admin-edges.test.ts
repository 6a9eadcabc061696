/**
 * Hostile input at the admin API's edges, with the route handlers called as
 * Next calls them and only the session stubbed (real rows in the run's
 * database): filters that are not valid are a 400 naming the field (never a
 * 500, never ORM text), search text is matched literally (% and _ are not
 * wildcards), the admin pages answer the same filters without failing, and
 * every response of a signed-in route, errors included, says no-store.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { User } from "@/lib/db";
import type { Actor } from "@/lib/auth";
import { encodeCursor } from "@/lib/admin/schemas";
import { testDb, uniqueEmail, signedIn } from "../helpers/db";

type SessionState = { kind: "none" } | { kind: "signed-in"; user: User; secondFactorAt: Date | null };
const session = vi.hoisted(() => ({ state: { kind: "none" } as SessionState, actor: null as Actor | null }));
vi.mock("@/lib/auth", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/auth")>()),
  getSessionState: async () => session.state,
  getSessionActor: async () => session.actor,
  requireAdmin: async () => (session.state.kind === "signed-in" ? session.state.user : null),
}));

const db = testDb();
let admin: User;
let member: User;
const tag = randomUUID().slice(0, 8);
beforeAll(async () => {
  admin = await db.user.create({ data: { email: uniqueEmail("edges-admin"), role: "ADMIN", totpEnabledAt: new Date() } });
  member = await db.user.create({ data: { email: uniqueEmail("edges-member"), emailVerified: new Date() } });
});
afterAll(() => db.$disconnect());

const ORIGIN = "http://localhost:3000";
const ORM_TEXT = /prisma|invocation|invalid byte sequence|Invalid time value|SELECT |INSERT |relation |column |P20\d\d/i;
type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
const route = async (file: string) => (await import(`@/app/api/${file}/route`)) as Record<string, Handler>;

function as(who: "anonymous" | "member" | "admin") {
  const user = who === "admin" ? admin : who === "member" ? member : null;
  session.state = user ? { kind: "signed-in", user, secondFactorAt: new Date() } : { kind: "none" };
  session.actor = null;
}

async function call(
  file: string,
  method: string,
  path: string,
  options: { body?: unknown; params?: Record<string, string>; origin?: string } = {},
) {
  const handler = (await route(file))[method]!;
  const req = new Request(`${ORIGIN}${path}`, {
    method,
    headers: { origin: options.origin ?? ORIGIN, host: "localhost:3000", "content-type": "application/json" },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const res = await handler(req, { params: Promise.resolve(options.params ?? {}) });
  return { status: res.status, cacheControl: res.headers.get("cache-control"), text: await res.text() };
}

const LISTS = [
  { file: "admin/audit", path: "/api/admin/audit" },
  { file: "admin/payments", path: "/api/admin/payments" },
  { file: "admin/payments/export", path: "/api/admin/payments/export" },
];
const NUL_CURSOR = Buffer.from("2026-03-04T05:06:07.089Z|a\u0000b").toString("base64url");

describe("admin filters that are not valid: 400 naming the field, never a 500", () => {
  const cases: [string, Record<string, string>, string][] = [
    ["a month 99", { from: "2026-99-99" }, "from"],
    ["February 30", { from: "2026-02-30" }, "from"],
    ["February 30 as the end", { to: "2026-02-30" }, "to"],
    ["a range backwards", { from: "2026-05-02", to: "2026-05-01" }, "to"],
    ["a cursor this app did not write", { cursor: "garbage" }, "cursor"],
    ["a cursor hiding a NUL byte", { cursor: NUL_CURSOR }, "cursor"],
    ["a cursor with a date that is not one", { cursor: Buffer.from("2026-99-99T00:00:00.000Z|cm0").toString("base64url") }, "cursor"],
  ];
  for (const list of LISTS)
    it.each(cases)(`GET ${list.path}: %s`, async (_label, query, field) => {
      as("admin");
      const res = await call(list.file, "GET", `${list.path}?${new URLSearchParams(query)}`);
      expect(res.status, res.text).toBe(400);
      expect(JSON.parse(res.text).error.fields).toHaveProperty(field);
      expect(res.text).not.toMatch(ORM_TEXT);
    });

  it.each<[string, string, Record<string, string>, string]>([
    ["admin/payments", "/api/admin/payments", { status: "BOGUS" }, "status"],
    ["admin/payments", "/api/admin/payments", { minAmount: "50", maxAmount: "5" }, "maxAmount"],
    ["admin/payments/export", "/api/admin/payments/export", { status: "bogus" }, "status"],
    ["admin/audit", "/api/admin/audit", { action: "a".repeat(101) }, "action"],
    ["admin/users", "/api/admin/users", { page: "0" }, "page"],
    ["admin/users", "/api/admin/users", { page: "1e9" }, "page"],
    ["admin/users", "/api/admin/users", { q: "q".repeat(201) }, "q"],
    ["admin/reviews", "/api/admin/reviews", { status: "WHATEVER" }, "status"],
    ["admin/reviews", "/api/admin/reviews", { page: "-3" }, "page"],
  ])("GET %s?%j", async (file, path, query, field) => {
    as("admin");
    const res = await call(file, "GET", `${path}?${new URLSearchParams(query)}`);
    expect(res.status, res.text).toBe(400);
    expect(JSON.parse(res.text).error.fields).toHaveProperty(field);
  });

  it("a cursor from the list itself still pages (audit and payments)", async () => {
    as("admin");
    const cursor = encodeCursor({ createdAt: new Date(), id: "czzzzzzzzzzzzzzzzzzzzzzzz" });
    for (const list of LISTS.slice(0, 2)) expect((await call(list.file, "GET", `${list.path}?cursor=${cursor}`)).status).toBe(200);
  });
});

describe("search text is matched literally: % _ and \\ are not wildcards", () => {
  it("users: a search for % finds only names or emails holding a %", async () => {
    const literal = await db.user.create({ data: { email: uniqueEmail(`${tag}-pct`), name: `Half 50%_off\\ ${tag}` } });
    await db.user.create({ data: { email: uniqueEmail(`${tag}-plain`), name: `Half 50xyoff ${tag}` } });
    as("admin");
    for (const q of ["%", "_", "50%_off\\", "%%%%"]) {
      const res = await call("admin/users", "GET", `/api/admin/users?${new URLSearchParams({ q })}`);
      expect(res.status).toBe(200);
      const { users } = JSON.parse(res.text) as { users: { email: string; name: string | null }[] };
      for (const u of users) expect(`${u.email} ${u.name}`, q).toContain(q);
    }
    const exact = JSON.parse((await call("admin/users", "GET", `/api/admin/users?${new URLSearchParams({ q: `50%_off\\ ${tag}` })}`)).text);
    expect(exact.users.map((u: { id: string }) => u.id)).toEqual([literal.id]);
  });

  it("payments: an email prefix of _ matches no one; audit: an action prefix of % matches nothing", async () => {
    as("admin");
    const payments = JSON.parse((await call("admin/payments", "GET", "/api/admin/payments?email=_")).text);
    expect(payments.payments).toEqual([]);
    await db.auditLog.create({ data: { actorId: admin.id, action: `${tag}.edge.checked` } });
    const audit = JSON.parse((await call("admin/audit", "GET", "/api/admin/audit?action=%25")).text);
    expect(audit.entries).toEqual([]);
    const underscore = JSON.parse((await call("admin/audit", "GET", `/api/admin/audit?action=${tag.replace(/./g, "_")}`)).text);
    expect(underscore.entries).toEqual([]);
    const real = JSON.parse((await call("admin/audit", "GET", `/api/admin/audit?action=${tag}.edge`)).text);
    expect(real.entries.map((e: { action: string }) => e.action)).toEqual([`${tag}.edge.checked`]);
  });
});

describe("signed-in routes answer Cache-Control: no-store, errors included", () => {
  it.each<
    [string, "anonymous" | "member" | "admin", string, string, { body?: unknown; params?: Record<string, string>; origin?: string }, number]
  >([
    ["admin list", "admin", "admin/users", "GET", {}, 200],
    ["admin, bad filter", "admin", "admin/audit", "GET", {}, 400],
    ["admin, anonymous", "anonymous", "admin/users", "GET", {}, 401],
    ["admin, not an admin", "member", "admin/users", "GET", {}, 403],
    ["admin, unknown id", "admin", "admin/users/[id]", "GET", { params: { id: "missing" } }, 404],
    ["admin, a path segment with NUL", "admin", "admin/users/[id]", "GET", { params: { id: "a\u0000" } }, 400],
    [
      "admin change, cross-site",
      "admin",
      "admin/settings",
      "PUT",
      { body: { allowFundingBeforeReview: true }, origin: "http://evil.example" },
      403,
    ],
    ["admin change, bad body", "admin", "admin/settings", "PUT", { body: { allowFundingBeforeReview: "yes" } }, 400],
    ["user route, anonymous", "anonymous", "plaid/link-token", "POST", { body: {} }, 401],
    ["actor route, anonymous", "anonymous", "dashboard", "GET", {}, 401],
  ])("%s → %s", async (_label, who, file, method, options, status) => {
    as(who);
    const path = `/api/${file.replace("[id]", "x")}${_label === "admin, bad filter" ? "?from=2026-02-30" : ""}`;
    const res = await call(file, method, path, options);
    expect(res.status, res.text).toBe(status);
    expect(res.cacheControl).toBe("no-store");
  });

  it("actor route, signed in: the dashboard", async () => {
    as("anonymous");
    const actor = await signedIn(db, member);
    session.actor = { id: actor.id, sessionVersion: actor.sessionVersion, sessionId: actor.sessionId };
    const res = await call("dashboard", "GET", "/api/dashboard");
    expect(res.status, res.text).toBe(200);
    expect(res.cacheControl).toBe("no-store");
  });

  it("the CSV export keeps its own headers and no-store", async () => {
    as("admin");
    const res = await call("admin/payments/export", "GET", "/api/admin/payments/export?status=FAILED");
    expect(res.status).toBe(200);
    expect(res.cacheControl).toBe("no-store");
    expect(res.text.split("\r\n")[0]).toMatch(/^payment_id,/);
  });

  it("public routes are left to their own caching (nothing about a session in them)", async () => {
    as("anonymous");
    const res = await call("email/verify", "POST", "/api/email/verify", { body: { token: 1 } });
    expect(res.status).toBe(400);
    expect(res.cacheControl).toBeNull();
  });
});

/** The text a page's element tree spells out directly (its own JSX, not the components it renders). */
function textOf(node: unknown, seen = new WeakSet<object>()): string {
  if (typeof node === "string" || typeof node === "number") return String(node);
  if (!node || typeof node !== "object" || seen.has(node)) return "";
  seen.add(node);
  if (Array.isArray(node)) return node.map((n) => textOf(n, seen)).join("");
  const props = (node as { props?: Record<string, unknown> }).props;
  return props
    ? Object.values(props)
        .map((v) => textOf(v, seen))
        .join(" ")
    : "";
}

describe("admin pages with the same filters in the URL: the error is shown, never a 500", () => {
  const PAGES: [string, () => Promise<{ default: unknown }>, Record<string, string>, RegExp][] = [
    ["/admin/audit", () => import("@/app/(admin)/admin/audit/page"), { from: "2026-99-99", cursor: NUL_CURSOR }, /not valid/],
    ["/admin/payments", () => import("@/app/(admin)/admin/payments/page"), { to: "2026-02-30", status: "BOGUS" }, /not valid/],
    ["/admin/users", () => import("@/app/(admin)/admin/users/page"), { page: "0", q: "%" }, /first page of all users/],
    ["/admin/reviews", () => import("@/app/(admin)/admin/reviews/page"), { status: "NOPE", page: "x" }, /first page of pending/],
  ];
  it.each(PAGES)("%s", async (_path, load, query, message) => {
    as("admin");
    const Page = (await load()).default as (p: { searchParams: Promise<Record<string, string>> }) => Promise<unknown>;
    const tree = await Page({ searchParams: Promise.resolve(query) });
    expect(textOf(tree)).toMatch(message);
  });
});
