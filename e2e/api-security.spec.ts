import type { APIRequestContext } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { LOCAL_SANDBOX_TAG } from "./support/targets";
import { newPerson, signUp } from "./support/users";
import { linkResultWithoutUi } from "./support/sandbox";

const ROUTES: { method: "GET" | "POST" | "DELETE"; path: string; body?: unknown }[] = [
  { method: "GET", path: "/api/dashboard" },
  { method: "POST", path: "/api/plaid/link-token", body: {} },
  { method: "POST", path: "/api/plaid/link-events", body: { type: "event", metadata: {} } },
  { method: "POST", path: "/api/plaid/items/some-item/reconnected", body: {} },
  { method: "POST", path: "/api/bank-accounts", body: {} },
  { method: "DELETE", path: "/api/bank-accounts/some-account" },
  { method: "POST", path: "/api/payments", body: {} },
];

function call(request: APIRequestContext, baseURL: string, route: (typeof ROUTES)[number], origin: string | null = baseURL) {
  return request.fetch(route.path, { method: route.method, data: route.body, headers: origin ? { origin } : {} });
}

test("every funding route refuses anonymous callers with 401", async ({ playwright, baseURL }) => {
  const anonymous = await playwright.request.newContext({ baseURL });
  for (const route of ROUTES) {
    const res = await call(anonymous, baseURL!, route);
    expect(res.status(), `${route.method} ${route.path}`).toBe(401);
    expect(await res.json()).toEqual({ error: { message: "Please sign in." } });
  }
  await anonymous.dispose();
});

test("state-changing routes refuse cross-site requests", async ({ page, baseURL }) => {
  await signUp(page, newPerson("csrf"));
  for (const route of ROUTES.filter((r) => r.method !== "GET")) {
    const res = await call(page.request, baseURL!, route, "https://evil.example");
    expect(res.status(), `${route.method} ${route.path}`).toBe(403);
  }
});

test(
  "bad input gets a readable 4xx, never a stack trace; other people's ids are 404",
  { tag: LOCAL_SANDBOX_TAG },
  async ({ page, browser, baseURL }) => {
    await signUp(page, newPerson("owner"));
    const link = await linkResultWithoutUi();
    const linked = await page.request.post("/api/bank-accounts", {
      headers: { origin: baseURL! },
      data: { ...link, institution: { id: "ins_109508", name: "First Platypus Bank" }, linkSessionId: null, accountCount: 1 },
    });
    expect(linked.status()).toBe(201);
    const { bankAccount } = (await linked.json()) as { bankAccount: { id: string } };
    expect(JSON.stringify(bankAccount)).not.toMatch(/access-sandbox|public-sandbox/);

    const notJson = await page.request.post("/api/payments", {
      headers: { origin: baseURL!, "content-type": "application/json" },
      data: "{nope",
    });
    expect(notJson.status()).toBe(400);
    expect(await notJson.text()).not.toMatch(/\n\s+at /);
    const badAmount = await page.request.post("/api/payments", {
      headers: { origin: baseURL! },
      data: { requestId: "not-a-uuid", bankAccountId: bankAccount.id, amountCents: -5 },
    });
    expect(badAmount.status()).toBe(400);
    expect((await badAmount.json()).error.fields).toMatchObject({ requestId: expect.any(String), amountCents: expect.any(String) });

    const otherContext = await browser.newContext({ baseURL });
    const other = await otherContext.newPage();
    await signUp(other, newPerson("intruder"));
    const theirs = await other.request.post("/api/payments", {
      headers: { origin: baseURL! },
      data: {
        requestId: crypto.randomUUID(),
        bankAccountId: bankAccount.id,
        amountCents: 1_000,
        mandate: { accepted: true, textVersion: "2026-11-v1" },
      },
    });
    expect(theirs.status()).toBe(404);
    expect((await other.request.delete(`/api/bank-accounts/${bankAccount.id}`, { headers: { origin: baseURL! } })).status()).toBe(404);
    const dashboard = await (await other.request.get("/api/dashboard")).json();
    expect(dashboard.bankAccounts).toEqual([]);
    await otherContext.close();
  },
);
