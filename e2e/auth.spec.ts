import { expect, test } from "./support/fixtures";
import { newPerson, signIn, signInAsAdmin, signUp } from "./support/users";
import { sql } from "./support/database";
import { fund, history, linkBank } from "./support/dashboard";
import { HttpSession } from "./support/http";

test("home page explains the app and offers sign-up and sign-in", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Fund your balance straight from your bank.");
  await expect(page.getByRole("main").getByRole("link", { name: "Create an account" })).toBeVisible();
  await expect(page.getByRole("main").getByRole("link", { name: "Sign in" })).toBeVisible();
});

test("protected pages send anonymous visitors to sign-in and back afterwards", async ({ page }) => {
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fdashboard/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
});

test("sign up, sign out, then sign in again", async ({ page }) => {
  const person = newPerson("journey");
  await signUp(page, person);
  await expect(page.getByRole("heading", { name: `Welcome, ${person.name}` })).toBeVisible();
  await expect(page.getByTestId("signed-in-as")).toHaveText(person.email);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("navigation").getByRole("link", { name: "Sign in" })).toBeVisible();
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/signin/);

  await signIn(page, person);
  await expect(page.getByRole("heading", { name: `Welcome, ${person.name}` })).toBeVisible();
});

test("sign-out ends the session on the server: a cookie saved before it is refused", async ({ page, context, baseURL }) => {
  const person = newPerson("signout");
  await signUp(page, person);
  const saved = await HttpSession.of(context, baseURL!);
  expect((await saved.fetch("/api/dashboard")).status()).toBe(200);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  // The same cookie, replayed as someone who copied it before sign-out would.
  expect((await saved.fetch("/api/dashboard")).status()).toBe(401);
  expect((await saved.fetch("/dashboard")).status()).toBe(307);

  // Signing in again starts a new session that works.
  await signIn(page, person);
  await expect(page.getByRole("heading", { name: `Welcome, ${person.name}` })).toBeVisible();
  expect((await (await HttpSession.of(context, baseURL!)).fetch("/api/dashboard")).status()).toBe(200);
});

test("the account page lists recent sign-ins; sign out everywhere ends every session", async ({ page, browser, baseURL }) => {
  const person = newPerson("everywhere");
  await signUp(page, person);
  const elsewhere = await browser.newContext({ baseURL });
  const otherPage = await elsewhere.newPage();
  await signIn(otherPage, person);
  await expect(otherPage.getByRole("heading", { name: `Welcome, ${person.name}` })).toBeVisible();

  await page.getByRole("navigation").getByRole("link", { name: "Account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your account" })).toBeVisible();
  const rows = page.getByTestId("sign-in-row");
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: "This device" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "Signed in" })).toHaveCount(1);

  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await page.getByRole("dialog", { name: "Sign out everywhere?" }).getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/signin/);
  expect((await otherPage.request.get("/api/dashboard")).status()).toBe(401);
  await otherPage.reload();
  await expect(otherPage).toHaveURL(/\/signin/);
  await elsewhere.close();

  await signIn(page, person);
  await page.goto("/account");
  await expect(page.getByTestId("sign-in-row").filter({ hasText: "Signed out" })).toHaveCount(2);
  await expect(page.getByTestId("sign-in-row").filter({ hasText: "This device" })).toHaveCount(1);
});

test("changing the password needs the current one and signs out every other browser", async ({ page, browser, baseURL }) => {
  const person = newPerson("newpass");
  await signUp(page, person);
  const elsewhere = await browser.newContext({ baseURL });
  const otherPage = await elsewhere.newPage();
  await signIn(otherPage, person);

  await page.goto("/account");
  const form = page.getByRole("form", { name: "Change password" });
  await form.getByLabel("Current password").fill("not my password");
  await form.getByLabel(/^New password/).fill("a brand new password");
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(form.getByText("Your current password is not correct.")).toBeVisible();

  await form.getByLabel("Current password").fill(person.password);
  await form.getByLabel(/^New password/).fill("a brand new password");
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status")).toHaveText(/Your password was changed/);
  // This browser stays signed in; the other one is not.
  expect((await page.request.get("/api/dashboard")).status()).toBe(200);
  expect((await otherPage.request.get("/api/dashboard")).status()).toBe(401);
  await elsewhere.close();

  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/$/);
  await signIn(page, { email: person.email, password: "a brand new password" });
  await expect(page.getByRole("heading", { name: `Welcome, ${person.name}` })).toBeVisible();
});

test("a wrong password gets a message that does not reveal whether the email exists", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("Email").fill("nobody-here@example.test");
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toHaveText("Invalid email or password.");
  await expect(page).toHaveURL(/\/signin/);
});

test("sign-up shows what is wrong with the form", async ({ page }) => {
  await page.goto("/signup");
  await page.getByLabel("Full name").fill("Short Pw");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel(/^Password/).fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Enter a valid email address")).toBeVisible();
  await expect(page.getByText("Use at least 10 characters")).toBeVisible();
});

test("a user cannot open admin pages (403 page); an admin can", async ({ page }) => {
  await signUp(page, newPerson("plain"));
  await expect(page.getByRole("navigation").getByRole("link", { name: "Admin" })).toHaveCount(0);
  const response = await page.goto("/admin");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "You don't have access to this page" })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await signInAsAdmin(page);
  await page.getByRole("navigation").getByRole("link", { name: "Admin" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Admin overview" })).toBeVisible();
});

test("a disabled user is signed out at their next request", async ({ page, baseURL }) => {
  const person = newPerson("disabled");
  await signUp(page, person);
  await sql(`UPDATE "users" SET "disabled" = true WHERE "email" = $1`, [person.email]);
  // The funding route and the dashboard poll confirm the session in their own first statement (actorRoute): 401 too.
  expect((await page.request.get("/api/dashboard")).status()).toBe(401);
  const funding = await page.request.post("/api/payments", {
    headers: { Origin: new URL(baseURL!).origin },
    data: { requestId: crypto.randomUUID(), bankAccountId: "any", amountCents: 1_000 },
  });
  expect(funding.status()).toBe(401);
  expect(await funding.json()).toEqual({ error: { message: "Please sign in.", code: "SIGNED_OUT" } });
  await page.reload();
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fdashboard/);
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toHaveText(/This account has been disabled/);
});

test("a user cannot open another user's data: admin pages about them are 403, their bank and payments are 404", async ({
  page,
  browser,
  baseURL,
}) => {
  test.slow();
  const owner = newPerson("owner");
  await signUp(page, owner);
  await linkBank(page);
  await fund(page, "7", { authorize: true });
  await expect(history(page)).toHaveCount(1);
  const [ids] = await sql<{ user_id: string; bank_account_id: string; payment_id: string }>(
    `SELECT u."id" AS user_id, b."id" AS bank_account_id, p."id" AS payment_id
       FROM "users" u JOIN "bank_accounts" b ON b."user_id" = u."id" JOIN "payments" p ON p."user_id" = u."id" WHERE u."email" = $1`,
    [owner.email],
  );

  const context = await browser.newContext({ baseURL });
  const intruder = await context.newPage();
  await signUp(intruder, newPerson("intruder"));
  await test.step("the owner's pages in the admin area: 403", async () => {
    for (const url of [
      `/admin/users/${ids!.user_id}`,
      `/admin/payments/${ids!.payment_id}`,
      `/admin/bank-accounts/${ids!.bank_account_id}`,
    ]) {
      const response = await intruder.goto(url);
      expect(response?.status(), url).toBe(403);
      await expect(intruder.getByRole("heading", { name: "You don't have access to this page" })).toBeVisible();
      await expect(intruder.getByRole("main")).not.toContainText(owner.email);
    }
  });
  await test.step("the intruder's own dashboard shows nothing of the owner's", async () => {
    await intruder.goto("/dashboard");
    await expect(intruder.getByText("No transfers yet.", { exact: false })).toBeVisible();
    await expect(intruder.getByTestId("bank-account")).toHaveCount(0);
  });
  await test.step("the owner's bank and payment through the API: 404", async () => {
    const pay = await intruder.request.post("/api/payments", {
      headers: { origin: baseURL! },
      data: {
        requestId: crypto.randomUUID(),
        bankAccountId: ids!.bank_account_id,
        amountCents: 1_000,
        mandate: { accepted: true, textVersion: "2026-11-v1" },
      },
    });
    expect(pay.status()).toBe(404);
    expect((await intruder.request.delete(`/api/bank-accounts/${ids!.bank_account_id}`, { headers: { origin: baseURL! } })).status()).toBe(
      404,
    );
  });
  await context.close();
});
