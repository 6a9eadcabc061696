import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { APIRequestContext, Browser, BrowserContext } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { LOCAL_SANDBOX_ONLY, LOCAL_SANDBOX_TAG, REAL_PROJECT } from "./support/targets";
import AxeBuilder from "@axe-core/playwright";
import { DEMO_ADMIN, newPerson, signIn, signUp } from "./support/users";
import { linkResultWithoutUi } from "./support/sandbox";
import { sql } from "./support/database";

/*
 * Every admin page and API route, found on disk, is checked for the ADMIN
 * role: anonymous → sign-in redirect (pages) or 401 (API), signed-in user →
 * 403, admin → 2xx. A new page or route is picked up automatically; a new
 * dynamic segment or a new admin API method fails here until it has sample
 * input below, so none can be forgotten.
 */

const ROOT = process.cwd();

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}

/** app/(admin)/admin/users/[id]/page.tsx → /admin/users/[id] */
function urlOf(file: string, leaf: string): string {
  const segments = path.relative(path.join(ROOT, "app"), file).split(path.sep).slice(0, -1);
  expect(path.basename(file)).toBe(leaf);
  return `/${segments.filter((s) => !/^\(.*\)$/.test(s)).join("/")}`;
}

const ADMIN_PAGES = walk(path.join(ROOT, "app/(admin)"))
  .filter((f) => path.basename(f) === "page.tsx")
  .map((f) => urlOf(f, "page.tsx"));
const ADMIN_ROUTES = walk(path.join(ROOT, "app/api/admin"))
  .filter((f) => path.basename(f) === "route.ts")
  .flatMap((f) => {
    const source = readFileSync(f, "utf8");
    const methods = [...source.matchAll(/export\s+(?:const|async\s+function|function)\s+(GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]!);
    return methods.map((method) => ({ method, template: urlOf(f, "route.ts") }));
  });

interface Ids {
  bankAccountId: string;
  disposableBankAccountId: string;
  userId: string;
  paymentId: string;
  processorTokenId: string;
}

/** Which id a dynamic segment takes, by the segment before it. */
const ID_FOR_SEGMENT: Record<string, keyof Ids> = {
  "bank-accounts": "bankAccountId",
  users: "userId",
  payments: "paymentId",
  "processor-tokens": "processorTokenId",
};

function fill(template: string, ids: Ids, override?: Partial<Record<string, keyof Ids>>): string {
  return template.replace(/\/([^/]+)\/\[(\w+)\]/g, (_m, segment: string) => {
    const key = override?.[segment] ?? ID_FOR_SEGMENT[segment];
    if (!key) throw new Error(`e2e/admin.spec.ts: add an id for the dynamic segment after /${segment}/ to ID_FOR_SEGMENT`);
    return `/${segment}/${ids[key]}`;
  });
}

/** What an admin sends to each route (routes not listed fail the test); expected 2xx status. */
const ADMIN_CALLS: Record<string, { body?: unknown; query?: string; status?: number; ids?: Partial<Record<string, keyof Ids>> }> = {
  "GET /api/admin/overview": {},
  "GET /api/admin/reviews": { query: "status=PENDING" },
  "GET /api/admin/bank-accounts/[id]": {},
  "DELETE /api/admin/bank-accounts/[id]": { ids: { "bank-accounts": "disposableBankAccountId" } },
  "POST /api/admin/bank-accounts/[id]/review": { body: { decision: "approve" } },
  "GET /api/admin/bank-accounts/[id]/processor-tokens": {},
  "POST /api/admin/bank-accounts/[id]/processor-tokens": { body: { processor: "modern_treasury" }, status: 201 },
  "GET /api/admin/processor-tokens/[id]/permissions": {},
  "PUT /api/admin/processor-tokens/[id]/permissions": { body: { products: ["auth"] } },
  "GET /api/admin/users": { query: "q=example.test&page=1" },
  "GET /api/admin/users/[id]": {},
  "PATCH /api/admin/users/[id]": { body: { disabled: false } },
  "GET /api/admin/payments": { query: "status=PROCESSING" },
  "GET /api/admin/payments/[id]": {},
  // The seeded payment is still processing, so the refund is refused as designed (e2e/refunds.spec.ts refunds a settled one).
  "POST /api/admin/payments/[id]/refund": { body: { reason: "Route check" }, status: 409 },
  "GET /api/admin/payments/export": { query: "status=PROCESSING" },
  "GET /api/admin/audit": { query: "action=admin." },
  "GET /api/admin/settings": {},
  "PUT /api/admin/settings": { body: { allowFundingBeforeReview: true } },
};

const ORDER = ["GET", "POST", "PUT", "PATCH", "DELETE"];

async function signedIn(
  browser: Browser,
  baseURL: string,
  who: { email: string; password: string; totpSecret?: string } | "new",
): Promise<{ context: BrowserContext; request: APIRequestContext; email: string }> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  let email: string;
  if (who === "new") {
    const person = newPerson("adminspec");
    await signUp(page, person);
    email = person.email;
  } else {
    await signIn(page, who);
    email = who.email;
  }
  return { context, request: page.request, email };
}

async function linkAndFund(
  request: APIRequestContext,
  baseURL: string,
  fund: boolean,
): Promise<{ bankAccountId: string; paymentId: string | null }> {
  const link = await linkResultWithoutUi();
  const linked = await request.post("/api/bank-accounts", {
    headers: { origin: baseURL },
    data: { ...link, institution: { id: "ins_109508", name: "First Platypus Bank" }, linkSessionId: null, accountCount: 1 },
  });
  expect(linked.status()).toBe(201);
  const { bankAccount } = (await linked.json()) as { bankAccount: { id: string } };
  if (!fund) return { bankAccountId: bankAccount.id, paymentId: null };
  const paid = await request.post("/api/payments", {
    headers: { origin: baseURL },
    data: {
      requestId: crypto.randomUUID(),
      bankAccountId: bankAccount.id,
      amountCents: 1_000,
      mandate: { accepted: true, textVersion: "2026-11-v1" },
    },
  });
  expect(paid.status()).toBe(201);
  const { payment } = (await paid.json()) as { payment: { id: string } };
  return { bankAccountId: bankAccount.id, paymentId: payment.id };
}

test.describe.configure({ mode: "serial", timeout: 120_000 });

let ids: Ids;
let user: Awaited<ReturnType<typeof signedIn>>;
let other: Awaited<ReturnType<typeof signedIn>>;
let admin: Awaited<ReturnType<typeof signedIn>>;

test.beforeAll(async ({ browser, baseURL }, testInfo) => {
  // Arranged through the sandbox control API (items without Link).
  test.skip(testInfo.project.name === REAL_PROJECT, LOCAL_SANDBOX_ONLY);
  user = await signedIn(browser, baseURL!, "new");
  other = await signedIn(browser, baseURL!, "new");
  admin = await signedIn(browser, baseURL!, DEMO_ADMIN);
  const funded = await linkAndFund(user.request, baseURL!, true);
  const disposable = await linkAndFund(other.request, baseURL!, false);
  const token = await admin.request.post(`/api/admin/bank-accounts/${funded.bankAccountId}/processor-tokens`, {
    headers: { origin: baseURL! },
    data: { processor: "dwolla" },
  });
  expect(token.status()).toBe(201);
  const [row] = await sql<{ id: string }>(`SELECT "id" FROM "users" WHERE "email" = $1`, [user.email]);
  ids = {
    bankAccountId: funded.bankAccountId,
    disposableBankAccountId: disposable.bankAccountId,
    userId: row!.id,
    paymentId: funded.paymentId!,
    processorTokenId: ((await token.json()) as { processorToken: { id: string } }).processorToken.id,
  };
});

test.afterAll(async () => {
  await Promise.all([user?.context.close(), other?.context.close(), admin?.context.close()]);
});

test("the admin pages and routes were found on disk", { tag: LOCAL_SANDBOX_TAG }, () => {
  expect(ADMIN_PAGES).toEqual(
    expect.arrayContaining([
      "/admin",
      "/admin/reviews",
      "/admin/users",
      "/admin/users/[id]",
      "/admin/payments",
      "/admin/payments/[id]",
      "/admin/audit",
      "/admin/settings",
      "/admin/bank-accounts/[id]",
    ]),
  );
  expect(ADMIN_ROUTES.length).toBeGreaterThanOrEqual(Object.keys(ADMIN_CALLS).length);
  for (const r of ADMIN_ROUTES)
    expect(ADMIN_CALLS[`${r.method} ${r.template}`], `add ${r.method} ${r.template} to ADMIN_CALLS`).toBeDefined();
});

test(
  "anonymous visitors: every admin page redirects to sign-in, every admin API route answers 401",
  { tag: LOCAL_SANDBOX_TAG },
  async ({ playwright, baseURL }) => {
    const anonymous = await playwright.request.newContext({ baseURL });
    for (const page of ADMIN_PAGES) {
      const url = fill(page, ids);
      const res = await anonymous.get(url, { maxRedirects: 0 });
      expect([302, 303, 307, 308], `GET ${url}`).toContain(res.status());
      expect(res.headers().location, `GET ${url}`).toContain(`/signin?callbackUrl=${encodeURIComponent(url)}`);
    }
    for (const route of ADMIN_ROUTES) {
      const url = fill(route.template, ids);
      const res = await anonymous.fetch(url, {
        method: route.method,
        headers: { origin: baseURL! },
        data: route.method === "GET" ? undefined : {},
      });
      expect(res.status(), `${route.method} ${url}`).toBe(401);
    }
    await anonymous.dispose();
  },
);

test("signed-in users: every admin page and API route answers 403", { tag: LOCAL_SANDBOX_TAG }, async ({ baseURL }) => {
  for (const page of ADMIN_PAGES) {
    const url = fill(page, ids);
    const res = await user.request.get(url);
    expect(res.status(), `GET ${url}`).toBe(403);
  }
  for (const route of ADMIN_ROUTES) {
    const url = fill(route.template, ids);
    const res = await user.request.fetch(url, {
      method: route.method,
      headers: { origin: baseURL! },
      data: route.method === "GET" ? undefined : {},
    });
    expect(res.status(), `${route.method} ${url}`).toBe(403);
    expect(await res.json()).toEqual({ error: { message: "This area is for administrators." } });
  }
});

test("state-changing admin routes refuse cross-site requests, even from an admin", { tag: LOCAL_SANDBOX_TAG }, async () => {
  for (const route of ADMIN_ROUTES.filter((r) => r.method !== "GET")) {
    const url = fill(route.template, ids, ADMIN_CALLS[`${route.method} ${route.template}`]?.ids);
    const res = await admin.request.fetch(url, {
      method: route.method,
      headers: { origin: "https://evil.example" },
      data: ADMIN_CALLS[`${route.method} ${route.template}`]?.body ?? {},
    });
    expect(res.status(), `${route.method} ${url}`).toBe(403);
  }
});

test("admins: every admin page renders (200) and every admin API route succeeds", { tag: LOCAL_SANDBOX_TAG }, async ({ baseURL }) => {
  for (const page of ADMIN_PAGES) {
    const url = fill(page, ids);
    const res = await admin.request.get(url);
    expect(res.status(), `GET ${url}`).toBe(200);
  }
  const routes = [...ADMIN_ROUTES].sort((a, b) => ORDER.indexOf(a.method) - ORDER.indexOf(b.method));
  for (const route of routes) {
    const call = ADMIN_CALLS[`${route.method} ${route.template}`]!;
    const url = `${fill(route.template, ids, call.ids)}${call.query ? `?${call.query}` : ""}`;
    const res = await admin.request.fetch(url, { method: route.method, headers: { origin: baseURL! }, data: call.body });
    expect(res.status(), `${route.method} ${url}: ${await res.text().catch(() => "")}`).toBe(call.status ?? 200);
  }
});

test(
  "the pages show seeded data: overview chart, queue, users, payments with CSV, timeline, processor tokens, audit",
  { tag: LOCAL_SANDBOX_TAG },
  async ({ browser, baseURL }) => {
    test.slow();
    const context = await browser.newContext({ baseURL, storageState: await admin.context.storageState() });
    const page = await context.newPage();
    // Hydration mismatches and uncaught errors fail the test.
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(`${page.url()} pageerror: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error" && !/Failed to load resource/.test(message.text()))
        problems.push(`${page.url()} console: ${message.text()}`);
    });
    const axe = async () => {
      const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
      expect(result.violations.map((v) => `${page.url()} ${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
    };

    await page.goto("/admin");
    await expect(page.getByRole("heading", { level: 1, name: "Admin overview" })).toBeVisible();
    await expect(page.getByRole("img", { name: /Funding volume per day/ })).toBeVisible();
    await expect(page.getByRole("table", { name: "Payments by status" })).toContainText(/processing|succeeded/);
    await axe();
    if (process.env.E2E_ADMIN_SCREENSHOTS)
      await page.screenshot({ path: path.join(process.env.E2E_ADMIN_SCREENSHOTS, "overview.png"), fullPage: true });

    const [{ review_status: reviewStatus }] = (await sql<{ review_status: string }>(
      `SELECT "review_status" FROM "bank_accounts" WHERE "id" = $1`,
      [ids.bankAccountId],
    )) as [{ review_status: string }];
    await page.goto(`/admin/reviews?status=${reviewStatus}`);
    await expect(page.getByRole("cell", { name: new RegExp(user.email) })).toBeVisible();
    await axe();

    await page.goto(`/admin/users?q=${encodeURIComponent(user.email)}`);
    await expect(page.getByRole("link", { name: user.email })).toBeVisible();
    await page.getByRole("link", { name: user.email }).click();
    await expect(page.getByRole("heading", { level: 1, name: user.email })).toBeVisible();
    await expect(page.getByRole("table", { name: "Bank accounts (mask only)" })).toContainText("First Platypus Bank ····0000");
    expect(await page.content()).not.toMatch(/access-sandbox|processor-sandbox-[0-9a-f]{8}-|\bba_[A-Za-z0-9]{8}|\bcus_[A-Za-z0-9]{8}/);
    await axe();

    await page.goto(`/admin/payments?email=${encodeURIComponent(user.email)}`);
    await expect(page.getByRole("cell", { name: "$10.00" })).toBeVisible();
    // The export is a download behind step-up (fresh: this admin just gave a code).
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export CSV" }).click();
    const csv = readFileSync((await (await download).path())!, "utf8");
    expect(csv.split("\r\n")[0]).toBe(
      "payment_id,created_at,user_email,amount,currency,status,bank,stripe_payment_intent_id,stripe_charge_id,failure_code,return_code,failure_message,settled_at",
    );
    expect(csv).toContain(`${ids.paymentId},`);
    expect(csv).toContain(`,${user.email},10.00,usd,`);
    await axe();

    await page.goto(`/admin/payments/${ids.paymentId}`);
    await expect(page.getByText(/^pi_/)).toBeVisible();
    await expect(page.getByRole("table", { name: /Webhook events and audit entries/ })).toContainText("payment.created");
    await axe();

    await page.goto(`/admin/bank-accounts/${ids.bankAccountId}`);
    await expect(page.getByText(/processor-sandbox-…[0-9a-f]{4}/).first()).toBeVisible();
    await expect(page.getByText("Identity", { exact: true })).toBeVisible();
    await axe();
    if (process.env.E2E_ADMIN_SCREENSHOTS)
      await page.screenshot({ path: path.join(process.env.E2E_ADMIN_SCREENSHOTS, "bank-account.png"), fullPage: true });

    await page.goto(`/admin/audit?actor=${encodeURIComponent(DEMO_ADMIN.email)}&action=admin.processor_token`);
    await expect(page.getByRole("cell", { name: "admin.processor_token.created" }).first()).toBeVisible();
    await axe();
    expect(problems).toEqual([]);
    await context.close();
  },
);

test(
  "block from the account page stops the user's funding at once; disabling a user ends their session",
  { tag: LOCAL_SANDBOX_TAG },
  async ({ browser, baseURL }) => {
    const context = await browser.newContext({ baseURL, storageState: await admin.context.storageState() });
    const page = await context.newPage();
    await page.goto(`/admin/bank-accounts/${ids.bankAccountId}`);
    await page.getByRole("button", { name: "Block" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Block" }).click();
    await expect(page.getByRole("button", { name: "Lift block" })).toBeVisible();
    const refused = await user.request.post("/api/payments", {
      headers: { origin: baseURL! },
      data: { requestId: crypto.randomUUID(), bankAccountId: ids.bankAccountId, amountCents: 1_000 },
    });
    expect(refused.status()).toBe(422);
    expect((await refused.json()).error.code).toBe("ACCOUNT_BLOCKED");

    expect((await user.request.get("/api/dashboard")).status()).toBe(200);
    await page.goto(`/admin/users/${ids.userId}`);
    await page.getByRole("button", { name: "Disable user" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Disable user" }).click();
    await expect(page.getByRole("button", { name: "Re-enable user" })).toBeVisible();
    expect((await user.request.get("/api/dashboard")).status()).toBe(401);
    await page.getByRole("button", { name: "Re-enable user" }).click();
    await expect(page.getByRole("button", { name: "Disable user" })).toBeVisible();
    // The old session stays ended (its session version is gone); signing in again works.
    expect((await user.request.get("/api/dashboard")).status()).toBe(401);
    await context.close();
  },
);
