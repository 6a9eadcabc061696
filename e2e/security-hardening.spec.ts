/**
 * Issue 7 on the running production server (docs/hardening.md):
 *
 * - access matrix: every API route (`app/**\/route.ts`, each exported
 *   method) and every page (`app/**\/page.tsx`), found on disk, × anonymous,
 *   user (owner of the ids), other user, admin, a signed-out cookie and a
 *   signed-in user whose email is not verified, with the expected status.
 *   A route or page missing from EXPECTED fails the test, so none can be forgotten;
 * - property-based bad input (fast-check) on every route handler: shaped
 *   after its zod schema plus arbitrary JSON, garbage, huge and unicode
 *   bodies, odd methods and headers; never a 5xx, never a stack trace,
 *   never a token;
 * - 200 funding submissions over HTTP from 4 people, 30% repeating a
 *   request id: one PaymentIntent per distinct id, no 5xx (the 1,000 case
 *   runs at lib level in tests/hardening/funding-concurrency.test.ts);
 * - security headers on pages and API responses; a foreign script is
 *   blocked by the CSP in the browser (the other specs run under it too);
 * - no token in any database text column after the whole suite (this spec
 *   runs after the funding, admin and link specs).
 * The server output, test-results/ and the report are scanned by
 * tests/hardening/run-e2e.ts after the run.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import type { Browser } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { LOCAL_SANDBOX_ONLY, LOCAL_SANDBOX_TAG, REAL_PROJECT } from "./support/targets";
import { newPerson, signUp, signUpUnverified, submitPassword } from "./support/users";
import { linkResultWithoutUi, SANDBOX_URL, sandboxControl } from "./support/sandbox";
import { sql } from "./support/database";
import { HttpSession, type HttpResponse } from "./support/http";
import { enableTwoFactorByApi } from "./support/two-factor";

const ROOT = process.cwd();
const MANDATE = { accepted: true, textVersion: "2026-11-v1" };
const STACK = /\n\s+at \S|\bat [\w.<>]+ \(|\.(?:ts|js|mjs):\d+:\d+/;
const SECRET =
  /access-(?:sandbox|development|production)-[0-9a-f-]{8,}|processor-(?:sandbox|development|production)-[0-9a-f-]{8,}|sk_(?:test|live)_[0-9A-Za-z_]{10,}/;

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}
function urlOf(file: string): string {
  const segments = path.relative(path.join(ROOT, "app"), file).split(path.sep).slice(0, -1);
  return `/${segments.filter((s) => !/^\(.*\)$/.test(s)).join("/")}`.replace(/\/$/, "") || "/";
}
const ROUTES = walk(path.join(ROOT, "app"))
  .filter((f) => path.basename(f) === "route.ts")
  .flatMap((f) => {
    const source = readFileSync(f, "utf8");
    const methods = new Set([
      ...[...source.matchAll(/export\s+(?:const|async\s+function|function)\s+(GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]!),
      ...[...source.matchAll(/export\s*\{([^}]*)\}/g)].flatMap((m) =>
        [...m[1]!.matchAll(/\bas\s+(GET|POST|PUT|PATCH|DELETE)\b/g)].map((x) => x[1]!),
      ),
    ]);
    return [...methods].map((method) => `${method} ${urlOf(f)}`);
  })
  .sort();
const PAGES = walk(path.join(ROOT, "app"))
  .filter((f) => path.basename(f) === "page.tsx")
  .map((f) => `PAGE ${urlOf(f)}`)
  .sort();

type Persona = "anonymous" | "user" | "other" | "admin";
const PERSONAS: Persona[] = ["anonymous", "other", "admin", "user"];
/**
 * The matrix also calls as:
 * - "signedOut": the cookie of a session that signed out; it must get what an anonymous visitor gets;
 * - "unverified": a signed-in user whose email address is not verified yet; what the other user gets,
 *   unless the expectation's `unverified` says otherwise;
 * - "adminNo2fa": an admin without two-factor; what the other user gets, except 403 on the admin API
 *   and the admin pages sending them to set two-factor up;
 * - "adminStale": an admin whose last code is older than the 10-minute step-up window; what the
 *   admin gets, except 403 on admin changes and the CSV export;
 * - "codeOwed": an admin with two-factor on who gave the password but not the code yet; what an
 *   anonymous visitor gets, except that pages send them to the code step (which they may see, as
 *   they may send a code to it);
 * - "disabled": the cookie of a user an admin then disabled (only the flag, the session version kept);
 *   "staleVersion": the cookie of a session from before "sign out everywhere" (the version moved on).
 *   Both get what an anonymous visitor gets.
 */
type MatrixPersona = Persona | "signedOut" | "unverified" | "adminNo2fa" | "adminStale" | "codeOwed" | "disabled" | "staleVersion";
const MATRIX_PERSONAS: MatrixPersona[] = [
  ...PERSONAS,
  "signedOut",
  "unverified",
  "adminNo2fa",
  "adminStale",
  "codeOwed",
  "disabled",
  "staleVersion",
];
type AnonymousLike = "anonymous" | "signedOut" | "disabled" | "staleVersion";
const isAnonymousLike = (p: MatrixPersona): p is AnonymousLike => ["anonymous", "signedOut", "disabled", "staleVersion"].includes(p);
/** A persona made of a fresh person (personaOf). */
type MadePersona = Exclude<MatrixPersona, AnonymousLike | "codeOwed">;
const isAdminApi = (key: string) => key.includes(" /api/admin/");
const isAdminPage = (key: string) => key.startsWith("PAGE /admin");
/** Admin routes that need a fresh code: every change, and the export. */
const needsStepUp = (key: string) => isAdminApi(key) && (!key.startsWith("GET ") || key.endsWith("/export"));
function expectedFor(e: Expectation, persona: MatrixPersona, key: string): Status {
  if (isAnonymousLike(persona)) return e.expect.anonymous;
  if (persona === "unverified") return e.unverified?.expect ?? e.expect.other;
  if (persona === "adminNo2fa") return isAdminApi(key) ? 403 : isAdminPage(key) ? 307 : e.expect.other;
  if (persona === "adminStale") return needsStepUp(key) ? 403 : e.expect.admin;
  if (persona === "codeOwed") {
    if (key === "POST /api/two-factor/verify") return 400;
    if (key === "PAGE /two-factor") return 200;
    if (key === "PAGE /signin") return 307;
    return e.expect.anonymous;
  }
  return e.expect[persona];
}
/** Where a page may send this persona: sign-in when signed out, the admin's two-factor set-up, or the dashboard. */
function expectedRedirect(persona: MatrixPersona, key: string): RegExp {
  if (isAnonymousLike(persona)) return /\/signin/;
  if (persona === "adminNo2fa" && isAdminPage(key)) return /\/account\/two-factor\?required=admin$/;
  if (persona === "codeOwed") return /\/two-factor\?callbackUrl=/;
  return /\/dashboard$/;
}
const bodyFor = (e: Expectation, persona: MatrixPersona) => (persona === "unverified" && e.unverified?.body) || e.body;
interface Ids {
  bankAccountId: string;
  disposableBankAccountId: string;
  adminDisposableBankAccountId: string;
  itemId: string;
  paymentId: string;
  userId: string;
  victimUserId: string;
  processorTokenId: string;
}
type Status = number | number[];
interface Expectation {
  /** Path with [param] filled from ids (default: by the segment before it). */
  path?: (ids: Ids) => string;
  body?: (ids: Ids) => unknown;
  query?: string;
  expect: Record<Persona, Status>;
  /** A user whose email is not verified, where they get other than the other user (with a body of its own, e.g. valid so the schema does not answer first). */
  unverified?: { expect: Status; body?: (ids: Ids) => unknown };
  /** Fuzz shape: a valid body to mutate (default: body). */
  shape?: (ids: Ids) => Record<string, unknown>;
  /** Who fuzzes it (default: user for user routes, admin for admin routes, anonymous for public ones). */
  fuzzAs?: Persona;
  fuzz?: false;
  /** It ends the caller's sessions: each signed-in persona calls it as a fresh person of its kind, so the others keep theirs. */
  endsSessions?: true;
}

const PUBLIC = (status: Status): Record<Persona, Status> => ({ anonymous: status, user: status, other: status, admin: status });
/** A signed-in user's own route (no id of someone else in it). */
const OWN = (status: Status): Record<Persona, Status> => ({ anonymous: 401, user: status, other: status, admin: status });
/** A route on the user's resource: others (admins included, on the user API) get 404. */
const OWNED = (status: Status): Record<Persona, Status> => ({ anonymous: 401, user: status, other: 404, admin: 404 });
const ADMIN = (status: Status): Record<Persona, Status> => ({ anonymous: 401, user: 403, other: 403, admin: status });
/** Pages: anonymous people are sent to sign in; non-admins get the 403 page. */
const ADMIN_PAGE = ADMIN_PAGE_STATUSES();
function ADMIN_PAGE_STATUSES(): Record<Persona, Status> {
  return { anonymous: [302, 303, 307], user: 403, other: 403, admin: 200 };
}
/** Public pages: signed-in people may be sent on to their dashboard. */
const PUBLIC_PAGE: Record<Persona, Status> = { anonymous: 200, user: [200, 307], other: [200, 307], admin: [200, 307] };
const APP_PAGE: Record<Persona, Status> = { anonymous: [302, 303, 307], user: 200, other: 200, admin: 200 };

/** A well-formed Link result (its token is made up): the schema accepts it. */
const LINK_SHAPE = {
  publicToken: "public-sandbox-x",
  accountId: "acc",
  institution: { id: "ins_109508", name: "First Platypus Bank" },
  linkSessionId: null,
  accountCount: 1,
};

const EXPECTED: Record<string, Expectation> = {
  // Public.
  "GET /api/health": { expect: PUBLIC(200) },
  "GET /api/health/live": { expect: PUBLIC(200) },
  "GET /api/health/ready": { expect: PUBLIC(200) },
  "POST /api/signup": {
    body: () => ({}),
    shape: () => ({ name: "Fuzz", email: "fuzz@example.test", password: "a long enough password" }),
    expect: PUBLIC(400),
  },
  "GET /api/auth/[...nextauth]": { path: () => "/api/auth/session", expect: PUBLIC(200) },
  "POST /api/auth/[...nextauth]": {
    path: () => "/api/auth/callback/credentials",
    body: () => ({ email: "nobody@example.test", password: "wrong password!" }),
    expect: PUBLIC([302, 400, 401, 403]),
  },
  // Always the same answer, for any address; a new address per call (3 requests per address per 15 min; the fuzzer meets 429s).
  "POST /api/password/forgot": {
    body: () => ({ email: `matrix-${crypto.randomUUID()}@example.test` }),
    shape: () => ({ email: "fuzz@example.test" }),
    // The same for everyone; the 11 personas call from one IP, past its 10 requests a window (the limit: tests/integration/password-reset).
    expect: PUBLIC([202, 429]),
  },
  "POST /api/password/reset": {
    body: () => ({ token: "x".repeat(43), password: "a new long password" }),
    expect: PUBLIC(400),
  },
  "POST /api/email/verify": { body: () => ({ token: "x".repeat(43) }), expect: PUBLIC(400) },
  "POST /api/webhooks/stripe": { body: () => ({ id: "evt_x", type: "payment_intent.succeeded" }), expect: PUBLIC(400) },
  "POST /api/webhooks/plaid": { body: () => ({ webhook_type: "ITEM", webhook_code: "ERROR", item_id: "x" }), expect: PUBLIC([400, 401]) },
  // Signed-in users. An unverified one sees the dashboard and may ask for a new link, but may not link a bank or fund (403).
  "GET /api/dashboard": { expect: OWN(200) },
  "POST /api/email/verification": { body: () => ({}), expect: OWN(200) },
  "DELETE /api/account/sessions": { expect: OWN(204), fuzz: false, endsSessions: true },
  // Two-factor: the matrix's admins have it on, the others not. A malformed code is 400 (not counted: it
  // cannot be a guess), 409 where the account's state answers first; the fuzzers call where the state answers.
  "GET /api/account/two-factor": { expect: OWN(200) },
  "POST /api/account/two-factor": { expect: { anonymous: 401, user: 200, other: 200, admin: 409 }, fuzz: false },
  "POST /api/account/two-factor/enable": {
    body: () => ({ code: "not-a-code" }),
    expect: { anonymous: 401, user: 400, other: 400, admin: 409 },
    fuzzAs: "admin",
  },
  "POST /api/account/two-factor/disable": {
    body: () => ({ code: "not-a-code" }),
    expect: { anonymous: 401, user: 409, other: 409, admin: 400 },
  },
  "POST /api/two-factor/verify": { body: () => ({ code: "not-a-code" }), expect: { anonymous: 401, user: 409, other: 409, admin: 400 } },
  "POST /api/account/password": {
    body: () => ({ currentPassword: "not the password", newPassword: "a new long password" }),
    shape: () => ({ currentPassword: "not the password", newPassword: "a new long password" }),
    expect: OWN(400),
  },
  "POST /api/plaid/link-token": { body: () => ({}), expect: OWN(200), unverified: { expect: 403 } },
  "POST /api/plaid/link-events": { body: () => ({ type: "event", eventName: "OPEN", metadata: {} }), expect: OWN(204) },
  "POST /api/bank-accounts": {
    body: () => ({}),
    shape: () => LINK_SHAPE,
    expect: OWN(400),
    unverified: { expect: 403, body: () => LINK_SHAPE },
  },
  "DELETE /api/bank-accounts/[id]": { path: (ids) => `/api/bank-accounts/${ids.disposableBankAccountId}`, expect: OWNED(200), fuzz: false },
  "POST /api/payments": {
    body: (ids) => ({ requestId: crypto.randomUUID(), bankAccountId: ids.bankAccountId, amountCents: 100, mandate: MANDATE }),
    expect: OWNED(201),
    unverified: { expect: 403 },
  },
  "POST /api/plaid/items/[id]/reconnected": {
    path: (ids) => `/api/plaid/items/${ids.itemId}/reconnected`,
    body: () => ({}),
    expect: OWNED([200, 409]),
  },
  // Admin console API.
  "GET /api/admin/overview": { expect: ADMIN(200) },
  "GET /api/admin/reviews": { query: "status=PENDING", expect: ADMIN(200) },
  "GET /api/admin/audit": { query: "action=admin.", expect: ADMIN(200) },
  "GET /api/admin/settings": { expect: ADMIN(200) },
  "PUT /api/admin/settings": { body: () => ({ allowFundingBeforeReview: true }), expect: ADMIN(200) },
  "GET /api/admin/users": { query: "q=example.test&page=1", expect: ADMIN(200) },
  "GET /api/admin/users/[id]": { path: (ids) => `/api/admin/users/${ids.userId}`, expect: ADMIN(200) },
  "PATCH /api/admin/users/[id]": {
    path: (ids) => `/api/admin/users/${ids.victimUserId}`,
    body: () => ({ disabled: false }),
    expect: ADMIN(200),
  },
  "GET /api/admin/payments": { query: "status=PROCESSING", expect: ADMIN(200) },
  "GET /api/admin/payments/export": { query: "status=PROCESSING", expect: ADMIN(200) },
  "GET /api/admin/payments/[id]": { path: (ids) => `/api/admin/payments/${ids.paymentId}`, expect: ADMIN(200) },
  // The matrix's payment has not succeeded: a refund is refused (409) without calling Stripe.
  "POST /api/admin/payments/[id]/refund": {
    path: (ids) => `/api/admin/payments/${ids.paymentId}/refund`,
    body: () => ({ reason: "route matrix" }),
    expect: ADMIN([200, 409]),
  },
  "GET /api/admin/bank-accounts/[id]": { path: (ids) => `/api/admin/bank-accounts/${ids.bankAccountId}`, expect: ADMIN(200) },
  "DELETE /api/admin/bank-accounts/[id]": {
    path: (ids) => `/api/admin/bank-accounts/${ids.adminDisposableBankAccountId}`,
    expect: ADMIN(200),
    fuzz: false,
  },
  "POST /api/admin/bank-accounts/[id]/review": {
    path: (ids) => `/api/admin/bank-accounts/${ids.bankAccountId}/review`,
    body: () => ({ decision: "approve" }),
    expect: ADMIN(200),
  },
  "GET /api/admin/bank-accounts/[id]/processor-tokens": {
    path: (ids) => `/api/admin/bank-accounts/${ids.bankAccountId}/processor-tokens`,
    expect: ADMIN(200),
  },
  "POST /api/admin/bank-accounts/[id]/processor-tokens": {
    path: (ids) => `/api/admin/bank-accounts/${ids.bankAccountId}/processor-tokens`,
    body: () => ({ processor: "modern_treasury" }),
    expect: ADMIN(201),
  },
  "GET /api/admin/processor-tokens/[id]/permissions": {
    path: (ids) => `/api/admin/processor-tokens/${ids.processorTokenId}/permissions`,
    expect: ADMIN(200),
  },
  "PUT /api/admin/processor-tokens/[id]/permissions": {
    path: (ids) => `/api/admin/processor-tokens/${ids.processorTokenId}/permissions`,
    body: () => ({ products: ["auth"] }),
    expect: ADMIN(200),
  },
  // Pages.
  "PAGE /": { expect: PUBLIC_PAGE },
  "PAGE /signin": { expect: PUBLIC_PAGE },
  "PAGE /signup": { expect: PUBLIC_PAGE },
  "PAGE /forgot-password": { expect: PUBLIC_PAGE },
  "PAGE /reset-password": { query: "token=not-a-token", expect: PUBLIC_PAGE },
  "PAGE /verify-email": { query: "token=not-a-token", expect: PUBLIC_PAGE },
  "PAGE /dashboard": { expect: APP_PAGE },
  "PAGE /account": { expect: APP_PAGE },
  "PAGE /account/two-factor": { expect: APP_PAGE },
  // The sign-in's code step: only for a session that owes a code; others are sent on (anonymous people to sign in).
  "PAGE /two-factor": { expect: { anonymous: 307, user: 307, other: 307, admin: 307 } },
  "PAGE /oauth-return": { expect: APP_PAGE },
  "PAGE /admin": { expect: ADMIN_PAGE },
  "PAGE /admin/reviews": { expect: ADMIN_PAGE },
  "PAGE /admin/users": { expect: ADMIN_PAGE },
  "PAGE /admin/users/[id]": { path: (ids) => `/admin/users/${ids.userId}`, expect: ADMIN_PAGE },
  "PAGE /admin/payments": { expect: ADMIN_PAGE },
  "PAGE /admin/payments/[id]": { path: (ids) => `/admin/payments/${ids.paymentId}`, expect: ADMIN_PAGE },
  "PAGE /admin/bank-accounts/[id]": { path: (ids) => `/admin/bank-accounts/${ids.bankAccountId}`, expect: ADMIN_PAGE },
  "PAGE /admin/audit": { expect: ADMIN_PAGE },
  "PAGE /admin/settings": { expect: ADMIN_PAGE },
};

function pathOf(key: string, e: Expectation, ids: Ids): string {
  const template = key.slice(key.indexOf(" ") + 1);
  const p = e.path ? e.path(ids) : template;
  if (p.includes("[")) throw new Error(`${key}: give it a path with real ids in EXPECTED`);
  return e.query ? `${p}?${e.query}` : p;
}

function statuses(s: Status): number[] {
  return Array.isArray(s) ? s : [s];
}

test.describe.configure({ mode: "serial", timeout: 240_000 });

let ids: Ids;
const who: Partial<Record<MatrixPersona, HttpSession>> = {};
let baseURL: string;

async function signedIn(browser: Browser, label: string, verified = true): Promise<{ request: HttpSession; email: string }> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  const person = newPerson(label);
  await (verified ? signUp : signUpUnverified)(page, person);
  const request = await HttpSession.of(context, baseURL);
  await context.close();
  return { request, email: person.email };
}

/** The cookies of a browser that signed in and then signed out (next-auth's sign-out, as the header button does). */
async function signedOutCookie(browser: Browser): Promise<HttpSession> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await signUp(page, newPerson("matrix-signed-out"));
  const saved = await HttpSession.of(context, baseURL);
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/$/);
  await context.close();
  return saved;
}

/** A new person signed in as `persona` is: an admin (with two-factor on, or off, or with a stale code), or unverified. */
async function personaOf(browser: Browser, persona: MadePersona, label: string) {
  const fresh = await signedIn(browser, label, persona !== "unverified");
  if (persona === "admin" || persona === "adminNo2fa" || persona === "adminStale")
    await sql(`UPDATE "users" SET "role" = 'ADMIN' WHERE "email" = $1`, [fresh.email]);
  if (persona === "admin" || persona === "adminStale") await enableTwoFactorByApi(fresh.request, fresh.email);
  // Past the step-up window: this session's last code is 11 minutes old.
  if (persona === "adminStale")
    await sql(
      `UPDATE "user_sessions" SET "second_factor_at" = now() - interval '11 minutes'
       WHERE "user_id" = (SELECT "id" FROM "users" WHERE "email" = $1)`,
      [fresh.email],
    );
  return fresh;
}

/** An admin with two-factor on, signed in with the password only: the session waits for its code. */
async function codeOwedSession(browser: Browser): Promise<HttpSession> {
  const admin = await personaOf(browser, "admin", "matrix-code-owed");
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await submitPassword(page, { email: admin.email, password: newPerson().password });
  await expect(page).toHaveURL(/\/two-factor\?callbackUrl=/);
  const session = await HttpSession.of(context, baseURL);
  await context.close();
  return session;
}

/** For a route that ends the caller's sessions: a new person of the persona's kind, so the others keep theirs. */
async function disposablePersona(browser: Browser, persona: MadePersona): Promise<HttpSession> {
  return (await personaOf(browser, persona, `matrix-${persona}-disposable`)).request;
}

/** A Link result for a checking account with its own account number (a person cannot link the same account twice). */
async function uniqueLinkResult(): Promise<{ publicToken: string; accountId: string }> {
  const accountNumber = `0001${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
  const password = JSON.stringify({
    override_accounts: [
      {
        type: "depository",
        subtype: "checking",
        starting_balance: 5_000,
        meta: { name: "Custom Checking", mask: accountNumber.slice(-4) },
        numbers: { account: accountNumber, ach_routing: "110000000" },
      },
    ],
  });
  const { public_token, item_id } = await sandboxControl<{ public_token: string; item_id: string }>("plaid/public_token", {
    institution_id: "ins_109508",
    username: "user_custom",
    password,
  });
  const state = (await (await fetch(`${SANDBOX_URL}/__sandbox/state`)).json()) as {
    plaid: { items: { item_id: string; accounts: { account_id: string }[] }[] };
  };
  return { publicToken: public_token, accountId: state.plaid.items.find((i) => i.item_id === item_id)!.accounts[0]!.account_id };
}

async function linkBank(request: HttpSession, unique = false): Promise<{ bankAccountId: string }> {
  const link = unique ? await uniqueLinkResult() : await linkResultWithoutUi();
  const res = await send(request, "POST", "/api/bank-accounts", {
    data: { ...link, institution: { id: "ins_109508", name: "First Platypus Bank" }, linkSessionId: null, accountCount: 1 },
  });
  expect(res.status()).toBe(201);
  return { bankAccountId: ((await res.json()) as { bankAccount: { id: string } }).bankAccount.id };
}

function send(
  request: HttpSession,
  method: string,
  url: string,
  options: { data?: unknown; headers?: Record<string, string> } = {},
): Promise<HttpResponse> {
  return request.fetch(url, { method, ...options, headers: { ...(method === "GET" ? {} : { origin: baseURL }), ...options.headers } });
}

async function noLeak(res: HttpResponse, label: string): Promise<string> {
  const text = await res.text().catch(() => "");
  expect(text, `${label}: stack trace in the response`).not.toMatch(STACK);
  expect(text, `${label}: secret in the response`).not.toMatch(SECRET);
  for (const [name, value] of Object.entries(res.headers()))
    expect(`${name}: ${value}`, `${label}: secret in a header`).not.toMatch(SECRET);
  return text;
}

test.beforeAll(async ({ browser }, testInfo) => {
  test.skip(testInfo.project.name === REAL_PROJECT, LOCAL_SANDBOX_ONLY);
  baseURL = testInfo.project.use.baseURL!;
  who.anonymous = HttpSession.anonymous(baseURL);
  const user = await signedIn(browser, "matrix-user");
  const other = await signedIn(browser, "matrix-other");
  const admin = await personaOf(browser, "admin", "matrix-admin");
  const victim = await signedIn(browser, "matrix-victim");
  who.user = user.request;
  who.other = other.request;
  who.admin = admin.request;
  who.signedOut = await signedOutCookie(browser);
  who.unverified = (await personaOf(browser, "unverified", "matrix-unverified")).request;
  who.adminNo2fa = (await personaOf(browser, "adminNo2fa", "matrix-admin-no-2fa")).request;
  who.adminStale = (await personaOf(browser, "adminStale", "matrix-admin-stale")).request;
  who.codeOwed = await codeOwedSession(browser);
  const disabled = await signedIn(browser, "matrix-disabled");
  await sql(`UPDATE "users" SET "disabled" = true WHERE "email" = $1`, [disabled.email]);
  who.disabled = disabled.request;
  const stale = await signedIn(browser, "matrix-stale-version");
  await sql(`UPDATE "users" SET "session_version" = "session_version" + 1 WHERE "email" = $1`, [stale.email]);
  who.staleVersion = stale.request;

  const main = await linkBank(user.request);
  const disposable = await linkBank(user.request, true);
  const adminDisposable = await linkBank(victim.request);
  const paid = await send(user.request, "POST", "/api/payments", {
    data: { requestId: crypto.randomUUID(), bankAccountId: main.bankAccountId, amountCents: 1_000, mandate: MANDATE },
  });
  expect(paid.status()).toBe(201);
  const token = await send(admin.request, "POST", `/api/admin/bank-accounts/${main.bankAccountId}/processor-tokens`, {
    data: { processor: "dwolla" },
  });
  expect(token.status()).toBe(201);
  const [userRow] = await sql<{ id: string }>(`SELECT "id" FROM "users" WHERE "email" = $1`, [user.email]);
  const [victimRow] = await sql<{ id: string }>(`SELECT "id" FROM "users" WHERE "email" = $1`, [victim.email]);
  const [item] = await sql<{ item_id: string }>(`SELECT "item_id" FROM "bank_accounts" WHERE "id" = $1`, [main.bankAccountId]);
  const [tokenRow] = await sql<{ id: string }>(`SELECT "id" FROM "processor_tokens" WHERE "bank_account_id" = $1`, [main.bankAccountId]);
  ids = {
    bankAccountId: main.bankAccountId,
    disposableBankAccountId: disposable.bankAccountId,
    adminDisposableBankAccountId: adminDisposable.bankAccountId,
    itemId: item!.item_id,
    paymentId: ((await paid.json()) as { payment: { id: string } }).payment.id,
    userId: userRow!.id,
    victimUserId: victimRow!.id,
    processorTokenId: tokenRow!.id,
  };
});

test(`every route and page on disk has an expectation, and gets it for each of the 11 personas ${LOCAL_SANDBOX_TAG}`, async ({
  browser,
}) => {
  const onDisk = [...ROUTES, ...PAGES];
  expect(
    onDisk.filter((k) => !EXPECTED[k]),
    "routes/pages on disk without an entry in EXPECTED (e2e/security-hardening.spec.ts)",
  ).toEqual([]);
  expect(
    Object.keys(EXPECTED).filter((k) => !onDisk.includes(k)),
    "entries in EXPECTED without a route/page on disk",
  ).toEqual([]);

  const mismatches: string[] = [];
  let checks = 0;
  for (const key of onDisk) {
    const e = EXPECTED[key]!;
    const method = key.startsWith("PAGE ") ? "GET" : key.split(" ")[0]!;
    for (const persona of MATRIX_PERSONAS) {
      const url = pathOf(key, e, ids);
      const caller =
        e.endsSessions && !isAnonymousLike(persona) && persona !== "codeOwed" ? await disposablePersona(browser, persona) : who[persona]!;
      const body = bodyFor(e, persona);
      const res = await send(caller, method, url, { ...(body ? { data: body(ids) } : {}) });
      checks++;
      await noLeak(res, `${persona} ${key}`);
      const expected = expectedFor(e, persona, key);
      if (!statuses(expected).includes(res.status()))
        mismatches.push(`${persona} ${method} ${url}: ${res.status()}, expected ${JSON.stringify(expected)}`);
      // Pages redirect anonymous people to sign in, and signed-in people away from the public pages to their dashboard.
      const location = res.headers().location ?? "";
      if (key.startsWith("PAGE ") && [302, 303, 307].includes(res.status()) && !expectedRedirect(persona, key).test(location)) {
        mismatches.push(`${persona} ${url}: redirected to ${location}`);
      }
      // HEAD answers what GET answers, without a body; OPTIONS never fails or leaks.
      if (method === "GET") {
        const head = await send(caller, "HEAD", url);
        checks++;
        if (head.status() !== res.status()) mismatches.push(`${persona} HEAD ${url}: ${head.status()}, GET answered ${res.status()}`);
        if ((await head.text()) !== "") mismatches.push(`${persona} HEAD ${url}: answered with a body`);
      }
      if (method !== "DELETE") {
        const options = await send(caller, "OPTIONS", url);
        checks++;
        await noLeak(options, `${persona} OPTIONS ${key}`);
        if (options.status() >= 500) mismatches.push(`${persona} OPTIONS ${url}: ${options.status()}`);
      }
    }
  }
  // next-auth's own endpoints besides the session and credentials callback (one route file serves them all).
  for (const [method, url, expected] of [
    ["GET", "/api/auth/csrf", [200]],
    ["GET", "/api/auth/providers", [200]],
    ["GET", "/api/auth/signout", [200, 302]],
    ["POST", "/api/auth/signout", [200, 302, 400, 403]],
  ] as const) {
    for (const persona of MATRIX_PERSONAS) {
      // A sign-out without next-auth's CSRF token does nothing; it must still never fail or leak.
      const res = await send(who[persona]!, method, url, method === "POST" ? { data: {} } : {});
      checks++;
      await noLeak(res, `${persona} ${method} ${url}`);
      if (!(expected as readonly number[]).includes(res.status()))
        mismatches.push(`${persona} ${method} ${url}: ${res.status()}, expected ${JSON.stringify(expected)}`);
    }
  }
  expect(mismatches).toEqual([]);
  test.info().annotations.push({
    type: "matrix",
    description: `${onDisk.length} routes/pages × ${MATRIX_PERSONAS.length} personas = ${checks} checks`,
  });
  console.log(
    `[hardening] access matrix: ${ROUTES.length} route methods + ${PAGES.length} pages × ${MATRIX_PERSONAS.length} personas (with HEAD, OPTIONS and next-auth's endpoints) = ${checks} checks`,
  );
});

test(`states and ids in bodies: blocked, unusable and removed accounts, another person's item, cross-site requests ${LOCAL_SANDBOX_TAG}`, async () => {
  const user = who.user!;
  const blocked = await linkBank(user, true);
  await sql(`UPDATE "bank_accounts" SET "review_status" = 'BLOCKED' WHERE "id" = $1`, [blocked.bankAccountId]);
  const removed = await linkBank(user, true);
  expect((await send(user, "DELETE", `/api/bank-accounts/${removed.bankAccountId}`)).status()).toBe(200);
  const fund = (bankAccountId: string) =>
    send(user, "POST", "/api/payments", { data: { requestId: crypto.randomUUID(), bankAccountId, amountCents: 1_000, mandate: MANDATE } });
  const codeOf = async (res: HttpResponse) => ((await res.json()) as { error?: { code?: string } }).error?.code;

  // A blocked account: no debit, and its user cannot remove it (the block would go with it).
  const onBlocked = await fund(blocked.bankAccountId);
  expect([onBlocked.status(), await codeOf(onBlocked)]).toEqual([422, "ACCOUNT_BLOCKED"]);
  const removeBlocked = await send(user, "DELETE", `/api/bank-accounts/${blocked.bankAccountId}`);
  expect([removeBlocked.status(), await codeOf(removeBlocked)]).toEqual([409, "ACCOUNT_BLOCKED"]);
  // An account a return made unusable: no debit, whatever the request says.
  const unusable = await linkBank(user, true);
  await sql(`UPDATE "bank_accounts" SET "status" = 'UNUSABLE' WHERE "id" = $1`, [unusable.bankAccountId]);
  const onUnusable = await fund(unusable.bankAccountId);
  expect([onUnusable.status(), await codeOf(onUnusable)]).toEqual([422, "ACCOUNT_UNUSABLE"]);
  // A removed account: gone for funding and for a second removal.
  expect((await fund(removed.bankAccountId)).status()).toBe(404);
  expect((await send(user, "DELETE", `/api/bank-accounts/${removed.bankAccountId}`)).status()).toBe(404);
  // Ids in bodies are checked against the caller: another person's item in update mode, another person's account.
  const [victimItem] = await sql<{ item_id: string }>(`SELECT "item_id" FROM "bank_accounts" WHERE "id" = $1`, [
    ids.adminDisposableBankAccountId,
  ]);
  expect((await send(user, "POST", "/api/plaid/link-token", { data: { itemId: victimItem!.item_id } })).status()).toBe(404);
  expect(
    (
      await send(who.other!, "POST", "/api/payments", {
        data: { requestId: crypto.randomUUID(), bankAccountId: ids.bankAccountId, amountCents: 100, mandate: MANDATE },
      })
    ).status(),
  ).toBe(404);

  // Every state-changing route refuses a cross-site request before doing anything (webhooks are server-to-server).
  const mismatches: string[] = [];
  for (const key of ROUTES.filter((k) => !k.startsWith("GET ") && !k.includes("/api/webhooks/") && !k.includes("[...nextauth]"))) {
    const e = EXPECTED[key]!;
    const method = key.split(" ")[0]!;
    const caller = key.includes(" /api/admin/") ? who.admin! : user;
    const res = await send(caller, method, pathOf(key, e, ids), {
      ...(e.body ? { data: e.body(ids) } : {}),
      headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    });
    await noLeak(res, `cross-site ${key}`);
    if (res.status() !== 403) mismatches.push(`cross-site ${key}: ${res.status()}`);
  }
  expect(mismatches).toEqual([]);
});

/** Values that break naive parsers and validators. */
const nasty = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    1e308,
    -0,
    Number.MAX_SAFE_INTEGER + 2,
    "",
    " ",
    "null",
    "undefined",
    "NaN",
    "__proto__",
    "constructor",
    "../../etc/passwd",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "\u0000",
    "\ud800",
    "🏦💸",
    "ä".repeat(10_000),
    "x".repeat(300_000),
  ),
  fc.string({ unit: "grapheme", maxLength: 50 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 3 }),
);

function mutate(shape: Record<string, unknown>) {
  const keys = Object.keys(shape);
  return fc.oneof(
    // The shape with one field replaced, dropped or nested oddly.
    fc
      .record({ key: keys.length ? fc.constantFrom(...keys) : fc.constant("x"), value: nasty, drop: fc.boolean() })
      .map(({ key, value, drop }) => {
        const copy: Record<string, unknown> = { ...shape };
        if (drop) delete copy[key];
        else copy[key] = value;
        return { json: copy };
      }),
    // Extra keys, prototype games.
    fc.dictionary(fc.string({ maxLength: 20 }), nasty, { maxKeys: 5 }).map((extra) => ({ json: { ...shape, ...extra } })),
    // Any JSON at all.
    fc.jsonValue({ maxDepth: 4 }).map((json) => ({ json })),
    // Not JSON.
    fc
      .oneof(
        fc.string({ unit: "binary", maxLength: 200 }),
        fc.constantFrom(
          "{",
          "[1,",
          '{"a":',
          "\u0000\u0001",
          "%",
          "a=1&b=2",
          "{}".repeat(50_000),
          '{"__proto__":{"role":"ADMIN"},"constructor":{"prototype":{"isAdmin":true}}}',
        ),
      )
      .map((raw) => ({ raw })),
  );
}

const ODD_HEADERS = fc.constantFrom<Record<string, string>>(
  {},
  { "content-type": "text/plain" },
  { "content-type": "application/x-www-form-urlencoded" },
  { "content-type": "application/json; charset=utf-16" },
  { "content-type": "multipart/form-data; boundary=x" },
  { "x-forwarded-host": "evil.example" },
  { "x-forwarded-for": "not-an-ip, 999.1.1.1" },
  { accept: "text/html" },
  { "content-encoding": "gzip" },
);

test(`bad input to every route handler: never a 5xx, a stack trace or a token ${LOCAL_SANDBOX_TAG}`, async () => {
  const before = await send(who.admin!, "GET", "/api/admin/settings");
  const settings = (await before.json()) as { settings?: unknown };
  const RUNS = Number(process.env.E2E_FUZZ_RUNS ?? 30);
  const failures: string[] = [];
  let requests = 0;
  const statusCounts: Record<string, number> = {};
  const routeSeconds: [string, number][] = [];
  const started = Date.now();
  for (const key of ROUTES) {
    const routeStarted = Date.now();
    const e = EXPECTED[key]!;
    if (e.fuzz === false) continue;
    const [method] = key.split(" ");
    const persona: Persona =
      e.fuzzAs ?? (key.includes("/api/admin/") ? "admin" : e.expect.user === 401 || e.expect.anonymous !== 401 ? "anonymous" : "user");
    const request = who[persona]!;
    const url = pathOf(key, e, ids);
    const shape = (e.shape ?? e.body ?? (() => ({})))(ids) as Record<string, unknown>;
    await fc
      .assert(
        fc.asyncProperty(
          mutate(shape),
          ODD_HEADERS,
          fc.constantFrom(method!, method!, method!, "PUT", "PATCH", "OPTIONS", "DELETE"),
          fc.string({ maxLength: 30 }),
          async (body, headers, verb, junkQuery) => {
            // Never DELETE for real through fuzzing (covered by the matrix), and no GET/HEAD body.
            const m = verb === "DELETE" && method !== "DELETE" ? "PATCH" : verb;
            const target = `${url}${url.includes("?") ? "&" : "?"}q=${encodeURIComponent(junkQuery)}`;
            const data = m === "GET" ? undefined : "json" in body ? JSON.stringify(body.json) : body.raw;
            let res: HttpResponse;
            try {
              res = await send(request, m, target, { data, headers: { "content-type": "application/json", ...headers } });
            } catch (err) {
              failures.push(
                `${persona} ${m} ${target.slice(0, 120)} ${JSON.stringify(headers)}: no answer (${err instanceof Error ? err.message : String(err)})`,
              );
              return false;
            }
            requests++;
            let text: string;
            try {
              text = await noLeak(res, `${persona} ${m} ${key}`);
            } catch (err) {
              failures.push(`${persona} ${m} ${target.slice(0, 120)}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
              return false;
            }
            if (res.status() >= 500) {
              failures.push(
                `${persona} ${m} ${target.slice(0, 120)} ${JSON.stringify(headers)} body=${String(data).slice(0, 120)} → ${res.status()} ${text.slice(0, 200)}`,
              );
              return false;
            }
            return true;
          },
        ),
        { numRuns: RUNS, seed: 20261121, endOnFailure: true },
      )
      .catch(() => undefined); // the failing case is in `failures`; go on with the other routes
    statusCounts[key] = requests;
    routeSeconds.push([key, (Date.now() - routeStarted) / 1000]);
  }
  // Put back what an admin's fuzzed PUT may have changed.
  await send(who.admin!, "PUT", "/api/admin/settings", { data: settings.settings ?? settings });
  expect(failures).toEqual([]);
  const summary = `${requests} requests over ${Object.keys(statusCounts).length} route handlers in ${((Date.now() - started) / 1000).toFixed(1)} s, 0 × 5xx`;
  expect(requests).toBeGreaterThanOrEqual(Object.keys(statusCounts).length * RUNS);
  test.info().annotations.push({ type: "fuzz", description: summary });
  const slowest = routeSeconds
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([k, sec]) => `${k} ${sec.toFixed(1)} s`);
  console.log(`[hardening] fuzz: ${summary}; slowest: ${slowest.join(", ")}`);
});

// The 1,000-submission run is tests/hardening/funding-concurrency.test.ts (lib level); over HTTP a
// smaller one keeps the browser suite in its time budget while still crossing sessions, CSRF and routes.
test(`200 funding submissions over HTTP from 4 people, 30% repeating a request id: one PaymentIntent each, no 5xx ${LOCAL_SANDBOX_TAG}`, async ({
  browser,
}) => {
  test.slow();
  const PEOPLE = 4;
  const DISTINCT_EACH = 35;
  const TOTAL = (PEOPLE * DISTINCT_EACH * 10) / 7;
  const funders = await Promise.all(Array.from({ length: PEOPLE }, (_, i) => signedIn(browser, `http-funder-${i}`)));
  const banks = await Promise.all(funders.map((f) => linkBank(f.request, true)));
  const distinct = funders.flatMap((funder, u) =>
    Array.from({ length: DISTINCT_EACH }, (_, i) => ({
      funder,
      body: { requestId: crypto.randomUUID(), bankAccountId: banks[u]!.bankAccountId, amountCents: 100 + i, mandate: MANDATE },
    })),
  );
  const shuffle = <T>(items: T[]): T[] =>
    items
      .map((item) => ({ item, key: Math.random() }))
      .sort((a, b) => a.key - b.key)
      .map(({ item }) => item);
  const submissions = shuffle([...distinct, ...shuffle(distinct).slice(0, (distinct.length * 3) / 7)]);
  expect(submissions).toHaveLength(TOTAL);
  const countIntents = async () =>
    ((await (await fetch(`${SANDBOX_URL}/__sandbox/state`)).json()) as { counts: { stripe_payment_intents: number } }).counts
      .stripe_payment_intents;
  const intentsBefore = await countIntents();
  const statusesSeen: number[] = [];
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 40 }, async () => {
      while (next < submissions.length) {
        const { funder, body } = submissions[next++]!;
        const res = await send(funder.request, "POST", "/api/payments", { data: body });
        await noLeak(res, "POST /api/payments");
        statusesSeen.push(res.status());
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  test.info().annotations.push({ type: "http-funding", description: `${TOTAL} submissions, 40 in flight, in ${seconds.toFixed(1)} s` });
  expect(statusesSeen.filter((s) => s >= 500)).toEqual([]);
  expect(statusesSeen.filter((s) => s === 201)).toHaveLength(distinct.length);
  expect(statusesSeen.filter((s) => s === 200)).toHaveLength(TOTAL - distinct.length);
  const rows = await sql<{ n: number; intents: number }>(
    `SELECT count(*)::int AS n, count(DISTINCT p."stripe_payment_intent_id")::int AS intents FROM "payments" p JOIN "users" u ON u."id" = p."user_id" WHERE u."email" = ANY($1)`,
    [funders.map((f) => f.email)],
  );
  expect(rows[0]).toEqual({ n: distinct.length, intents: distinct.length });
  expect((await countIntents()) - intentsBefore).toBe(distinct.length);
});

test.describe("security headers", () => {
  // The script the CSP blocks below is reported on the console: expected here.
  test.use({ failOnPageErrors: false });

  test(`security headers on pages and API responses; the CSP blocks a foreign script in the browser ${LOCAL_SANDBOX_TAG}`, async ({
    page,
  }) => {
    for (const url of ["/", "/signin", "/api/health", "/api/dashboard", "/dashboard"]) {
      const res = await send(who.anonymous!, "GET", url);
      const h = res.headers();
      const csp = h["content-security-policy"] ?? "";
      if (url.startsWith("/api/")) {
        // JSON: nothing may load, run or frame it (next.config.mjs).
        expect(csp, url).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
      } else {
        // Scripts run only with this response's nonce (and what they load: 'strict-dynamic'); forms post only here.
        const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
        expect(nonce, url).toBeTruthy();
        expect(csp, url).toContain(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic' ${SANDBOX_URL}`);
        expect(csp, url).not.toMatch(/script-src[^;]*'unsafe-inline'/);
        expect(csp, url).toContain("form-action 'self'");
        expect(csp, url).toContain(`frame-src ${SANDBOX_URL}`);
        expect(csp, url).toContain("frame-ancestors 'none'");
        expect(csp, url).toContain("object-src 'none'");
        expect(csp, url).toContain("base-uri 'self'");
        expect(csp, url).not.toContain("unsafe-eval");
        if (res.status() === 200) {
          // Every script tag of the page (Next's, the Link stand-in's) carries this response's nonce.
          const tags = [...(await res.text()).matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
          expect(tags.length, url).toBeGreaterThan(1);
          for (const tag of tags) expect(tag, url).toContain(`nonce="${nonce}"`);
          const again = (await send(who.anonymous!, "GET", url)).headers()["content-security-policy"] ?? "";
          expect(again, `${url}: a fresh nonce per response`).not.toContain(`'nonce-${nonce}'`);
        }
      }
      expect(h["x-content-type-options"], url).toBe("nosniff");
      expect(h["referrer-policy"], url).toBe("strict-origin-when-cross-origin");
      expect(h["x-frame-options"], url).toBe("DENY");
      expect(h["strict-transport-security"], url).toMatch(/^max-age=\d+/);
      expect(h["x-powered-by"], url).toBeUndefined();
    }
    // Markup injected into the page (what an XSS would add): a foreign script and an inline one, without the nonce.
    await page.route("/", async (route) => {
      const original = await route.fetch();
      const html = (await original.text()).replace(
        "<head>",
        '<head><script src="https://evil.example/steal.js"></script><script>window.__injected = true;</script>',
      );
      await route.fulfill({ response: original, body: html });
    });
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __violations: string[] }).__violations = seen;
      document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.effectiveDirective} ${e.blockedURI}`));
    });
    // The blocked script is observed, not waited out: Chrome reports the refusal on the console
    // and fires securitypolicyviolation; a script that loaded (or failed on the network) would do neither.
    const refused = page.waitForEvent(
      "console",
      (m) => m.type() === "error" && m.text().includes("https://evil.example/steal.js") && /Content Security Policy/i.test(m.text()),
    );
    await page.goto("/");
    await refused;
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations))
      .toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^script-src(-elem)? https:\/\/evil\.example/),
          expect.stringMatching(/^script-src(-elem)? inline/),
        ]),
      );
    expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
    // The page's own inline scripts (nonced) still ran under the policy: Next's flight data is there.
    expect(await page.evaluate(() => Array.isArray((window as unknown as { __next_f?: unknown }).__next_f))).toBe(true);
  });
});

test(`no token or secret key in any text column of the database after the suite ${LOCAL_SANDBOX_TAG}`, async () => {
  const columns = await sql<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY')`,
  );
  expect(columns.length).toBeGreaterThan(20);
  const hits: string[] = [];
  for (const { table_name, column_name } of columns) {
    const [row] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM "${table_name}" WHERE "${column_name}"::text ~ $1`, [
      SECRET.source,
    ]);
    if (row!.n > 0) hits.push(`${table_name}.${column_name}: ${row!.n}`);
  }
  expect(hits).toEqual([]);
  const [sealed] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM "plaid_items" WHERE "access_token_ciphertext" <> ''`);
  expect(sealed!.n).toBeGreaterThan(0);
});
