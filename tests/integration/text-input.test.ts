/**
 * "Accounts people can trust": a NUL byte (or a lone UTF-16 surrogate, which
 * has no UTF-8 form) cannot be stored in PostgreSQL text. Every string a
 * route reads (JSON body, query string, path segment) is refused with 400 at
 * the schema, and no response ever carries ORM or SQL text. The route
 * handlers are called directly, as Next calls them; only the session is
 * stubbed (a real user row in the run's database).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { User } from "@/lib/db";
import { testDb, uniqueEmail } from "../helpers/db";

const session = vi.hoisted(() => ({ user: null as null | User }));
vi.mock("@/lib/auth", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/auth")>()),
  getCurrentUser: async () => session.user,
  // The session as the cookie would give it: signed in, second factor just given (admins need it).
  getSessionState: async () => (session.user ? { kind: "signed-in", user: session.user, secondFactorAt: new Date() } : { kind: "none" }),
  getSessionActor: async () => (session.user ? { id: session.user.id, sessionVersion: session.user.sessionVersion } : null),
}));

const db = testDb();
let user: User;
let admin: User;
beforeAll(async () => {
  user = await db.user.create({ data: { email: uniqueEmail("text-user"), name: "Text User" } });
  admin = await db.user.create({
    data: { email: uniqueEmail("text-admin"), name: "Text Admin", role: "ADMIN", totpEnabledAt: new Date() },
  });
});
afterAll(() => db.$disconnect());

const ORIGIN = "http://localhost:3000";
const ORM_TEXT =
  /prisma|invocation|invalid byte sequence|unsupported unicode|encoding|0x00|\\u0000|SELECT |INSERT |UPDATE |relation |column |P20\d\d/i;
const BAD = ["\u0000", "\ud800"];

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Who = "anonymous" | "user" | "admin";

async function call(
  handler: Handler,
  who: Who,
  method: string,
  path: string,
  options: { body?: unknown; params?: Record<string, string> } = {},
): Promise<{ status: number; text: string }> {
  session.user = who === "admin" ? admin : who === "user" ? user : null;
  const req = new Request(`${ORIGIN}${path}`, {
    method,
    headers: { origin: ORIGIN, host: "localhost:3000", "content-type": "application/json" },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  try {
    const res = await handler(req, { params: Promise.resolve(options.params ?? {}) });
    return { status: res.status, text: await res.text() };
  } catch (err) {
    // What Next would answer 500 to; the text is what a development build would show.
    return { status: 500, text: err instanceof Error ? err.message : String(err) };
  }
}

/** The body with one string (value or object key) replaced by a variant holding `bad`, for each string in it. */
function variants(value: unknown, bad: string, path: string[] = []): { path: string; body: unknown }[] {
  if (typeof value === "string") return [{ path: path.join(".") || "(body)", body: `${value}${bad}x` }];
  if (Array.isArray(value))
    return value.flatMap((item, i) =>
      variants(item, bad, [...path, String(i)]).map((v) => ({ path: v.path, body: value.map((x, j) => (j === i ? v.body : x)) })),
    );
  if (value && typeof value === "object") {
    const entries = Object.entries(value);
    return entries.flatMap(([key, item]) => [
      ...variants(item, bad, [...path, key]).map((v) => ({ path: v.path, body: { ...value, [key]: v.body } })),
      // Keys matter where the schema keeps them (Link's free-form metadata); elsewhere unknown keys are dropped.
      ...(path[0] === "metadata" ? [{ path: `${[...path, key].join(".")} (key)`, body: { ...value, [`${key}${bad}`]: item } }] : []),
    ]);
  }
  return [];
}

const route = async (file: string) => (await import(`@/app/api/${file}/route`)) as Record<string, Handler>;

interface BodyCase {
  file: string;
  method: string;
  who: Who;
  path: string;
  params?: Record<string, string>;
  body: () => Record<string, unknown>;
}

const BODY_CASES: BodyCase[] = [
  {
    file: "signup",
    method: "POST",
    who: "anonymous",
    path: "/api/signup",
    body: () => ({ name: "Nul Person", email: uniqueEmail("nul"), password: "a long enough password" }),
  },
  { file: "email/verify", method: "POST", who: "anonymous", path: "/api/email/verify", body: () => ({ token: "x".repeat(43) }) },
  { file: "plaid/link-token", method: "POST", who: "user", path: "/api/plaid/link-token", body: () => ({ itemId: "item-1" }) },
  {
    file: "plaid/link-events",
    method: "POST",
    who: "user",
    path: "/api/plaid/link-events",
    body: () => ({
      type: "exit",
      eventName: "EXIT",
      error: { error_type: "ITEM_ERROR", error_code: "ITEM_LOGIN_REQUIRED", error_message: "login", display_message: "shown" },
      metadata: {
        link_session_id: "ls-1",
        request_id: "req-1",
        status: "requires_credentials",
        institution: { institution_id: "ins_1", name: "Bank" },
      },
    }),
  },
  {
    file: "bank-accounts",
    method: "POST",
    who: "user",
    path: "/api/bank-accounts",
    body: () => ({
      publicToken: "public-sandbox-x",
      accountId: "acc",
      linkSessionId: "ls",
      accountCount: 1,
    }),
  },
  {
    file: "payments",
    method: "POST",
    who: "user",
    path: "/api/payments",
    body: () => ({
      requestId: randomUUID(),
      bankAccountId: "ba-1",
      amountCents: 100,
      mandate: { accepted: true, textVersion: "2026-11-v1" },
    }),
  },
  {
    file: "admin/bank-accounts/[id]/processor-tokens",
    method: "POST",
    who: "admin",
    path: "/api/admin/bank-accounts/x/processor-tokens",
    params: { id: "x" },
    body: () => ({ processor: "dwolla" }),
  },
  {
    file: "admin/bank-accounts/[id]/review",
    method: "POST",
    who: "admin",
    path: "/api/admin/bank-accounts/x/review",
    params: { id: "x" },
    body: () => ({ decision: "approve" }),
  },
  {
    file: "admin/payments/[id]/refund",
    method: "POST",
    who: "admin",
    path: "/api/admin/payments/x/refund",
    params: { id: "x" },
    body: () => ({ reason: "why" }),
  },
  {
    file: "admin/processor-tokens/[id]/permissions",
    method: "PUT",
    who: "admin",
    path: "/api/admin/processor-tokens/x/permissions",
    params: { id: "x" },
    body: () => ({ products: ["auth"] }),
  },
];

describe("NUL bytes and lone surrogates in JSON bodies: 400 at the schema", () => {
  for (const c of BODY_CASES) {
    for (const bad of BAD) {
      it(`${c.method} ${c.path} with ${JSON.stringify(bad)} in each string`, async () => {
        const handler = (await route(c.file))[c.method]!;
        const failures: string[] = [];
        for (const v of variants(c.body(), bad)) {
          const res = await call(handler, c.who, c.method, c.path, { body: v.body, params: c.params });
          if (res.status !== 400 || ORM_TEXT.test(res.text)) failures.push(`${v.path}: ${res.status} ${res.text.slice(0, 160)}`);
        }
        expect(failures).toEqual([]);
      });
    }
  }
});

const QUERY_CASES: { file: string; path: string; query: Record<string, string> }[] = [
  {
    file: "admin/audit",
    path: "/api/admin/audit",
    query: {
      actor: "a@example.test",
      action: "auth.",
      targetType: "user",
      targetId: "x",
      from: "2026-01-01",
      to: "2026-12-01",
      cursor: "c",
    },
  },
  {
    file: "admin/payments",
    path: "/api/admin/payments",
    query: {
      status: "PROCESSING",
      from: "2026-01-01",
      to: "2026-12-01",
      email: "a@example.test",
      minAmount: "1",
      maxAmount: "2",
      cursor: "c",
    },
  },
  {
    file: "admin/payments/export",
    path: "/api/admin/payments/export",
    query: {
      status: "PROCESSING",
      from: "2026-01-01",
      to: "2026-12-01",
      email: "a@example.test",
      minAmount: "1",
      maxAmount: "2",
      cursor: "c",
    },
  },
  { file: "admin/reviews", path: "/api/admin/reviews", query: { status: "PENDING", page: "1" } },
  { file: "admin/users", path: "/api/admin/users", query: { q: "example.test", page: "1" } },
];

// A lone surrogate cannot travel in a URL (it is encoded, and so decoded, as U+FFFD): NUL only.
describe("NUL bytes in query strings: 400 at the schema", () => {
  for (const c of QUERY_CASES) {
    for (const bad of ["\u0000"]) {
      it(`GET ${c.path} with ${JSON.stringify(bad)} in each field`, async () => {
        const handler = (await route(c.file)).GET!;
        const failures: string[] = [];
        for (const key of Object.keys(c.query)) {
          const query = new URLSearchParams({ ...c.query, [key]: `${c.query[key]}${bad}x` });
          const res = await call(handler, "admin", "GET", `${c.path}?${query}`);
          if (res.status !== 400 || ORM_TEXT.test(res.text)) failures.push(`${key}: ${res.status} ${res.text.slice(0, 160)}`);
        }
        expect(failures).toEqual([]);
      });
    }
  }
});

const ID_ROUTES: { file: string; method: string; who: Who; body?: unknown }[] = [
  { file: "bank-accounts/[id]", method: "DELETE", who: "user" },
  { file: "plaid/items/[id]/reconnected", method: "POST", who: "user", body: {} },
  { file: "admin/users/[id]", method: "GET", who: "admin" },
  { file: "admin/users/[id]", method: "PATCH", who: "admin", body: { disabled: false } },
  { file: "admin/payments/[id]", method: "GET", who: "admin" },
  { file: "admin/payments/[id]/refund", method: "POST", who: "admin", body: { reason: "why" } },
  { file: "admin/bank-accounts/[id]", method: "GET", who: "admin" },
  { file: "admin/bank-accounts/[id]", method: "DELETE", who: "admin" },
  { file: "admin/bank-accounts/[id]/review", method: "POST", who: "admin", body: { decision: "approve" } },
  { file: "admin/bank-accounts/[id]/processor-tokens", method: "GET", who: "admin" },
  { file: "admin/bank-accounts/[id]/processor-tokens", method: "POST", who: "admin", body: { processor: "dwolla" } },
  { file: "admin/processor-tokens/[id]/permissions", method: "GET", who: "admin" },
  { file: "admin/processor-tokens/[id]/permissions", method: "PUT", who: "admin", body: { products: ["auth"] } },
];

describe("NUL bytes and lone surrogates in path segments: 400", () => {
  for (const c of ID_ROUTES) {
    it(`${c.method} /api/${c.file}`, async () => {
      const handler = (await route(c.file))[c.method]!;
      const failures: string[] = [];
      for (const bad of BAD) {
        const id = `id${bad}x`;
        const res = await call(handler, c.who, c.method, `/api/${c.file.replace("[id]", encodeURIComponent("idx"))}`, {
          body: c.body,
          params: { id },
        });
        if (res.status !== 400 || ORM_TEXT.test(res.text)) failures.push(`${JSON.stringify(bad)}: ${res.status} ${res.text.slice(0, 160)}`);
      }
      expect(failures).toEqual([]);
    });
  }
});

describe("webhooks with NUL bytes: refused before anything is stored, no internal text", () => {
  it.each(["webhooks/stripe", "webhooks/plaid"])("POST /api/%s", async (file) => {
    const handler = (await route(file)).POST!;
    const res = await call(handler, "anonymous", "POST", `/api/${file}`, {
      body: { id: "evt_\u0000", type: "x\u0000", item_id: "\u0000" },
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.text).not.toMatch(ORM_TEXT);
  });
});
