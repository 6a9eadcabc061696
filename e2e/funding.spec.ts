import { expect, test, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { newPerson, signUp } from "./support/users";
import { sql } from "./support/database";
import { completeLink, settleAllDebits } from "./support/link";

const history = (page: Page) => page.getByRole("region", { name: "Transfer history" }).locator("tbody tr");
const notifications = (page: Page) => page.getByRole("status", { name: "Notifications" });

// Hydration mismatches and uncaught errors fail the test (console errors from the app's own origin).
let problems: string[] = [];
test.beforeEach(async ({ page }) => {
  problems = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !/Failed to load resource/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
});
test.afterEach(() => {
  expect(problems).toEqual([]);
});

async function paymentCount(email: string): Promise<number> {
  const rows = await sql<{ count: number }>(`SELECT count(*)::int AS count FROM "payments" p JOIN "users" u ON u."id" = p."user_id" WHERE u."email" = $1`, [email]);
  return rows[0]?.count ?? -1;
}

async function linkFirstPlatypus(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Link a bank" }).click();
  await completeLink(page, { bank: "First Platypus Bank", username: "user_good", password: "pass_good", account: /Plaid Checking/ });
  await expect(page.getByTestId("bank-account")).toContainText("Plaid Checking ····0000");
}

test("link a bank, fund with the ACH authorization, settle, fund again; a double click starts one debit", async ({ page }) => {
  test.setTimeout(120_000);
  const person = newPerson("funding");
  await signUp(page, person);
  await expect(page.getByTestId("available-balance")).toHaveText("$0.00");
  await expect(page.getByText("No transfers yet.", { exact: false })).toBeVisible();

  await linkFirstPlatypus(page);
  await expect(page.getByTestId("bank-account")).toContainText("First Platypus Bank");
  await expect(notifications(page)).toContainText("Linked First Platypus Bank Plaid Checking ····0000.");

  // First debit: the authorization is shown and must be accepted.
  const authorize = page.getByRole("checkbox", { name: /^I authorize/ });
  await expect(authorize).toBeVisible();
  await expect(page.getByText(/you authorize Fundwell to debit your First Platypus Bank account ending in 0000 by ACH/)).toBeVisible();
  await page.getByLabel("Amount").fill("25");
  await page.getByRole("button", { name: "Add funds" }).click();
  await expect(page.getByText('Check "I authorize" to allow this debit.')).toBeVisible();
  await expect(authorize).toBeFocused();
  expect(await paymentCount(person.email)).toBe(0);
  await page.screenshot({ path: "test-results/screenshots/funding-mandate.png" });
  await authorize.check();
  await page.getByRole("button", { name: "Add funds" }).click();

  await expect(history(page)).toHaveCount(1);
  await expect(history(page).first()).toContainText("$25.00");
  await expect(history(page).first()).toContainText("First Platypus Bank ····0000");
  await expect(history(page).first()).toContainText(/Pending|Processing/);
  await expect(page.getByTestId("pending-balance")).toHaveText("$25.00");
  await expect(page.getByTestId("available-balance")).toHaveText("$0.00");
  await expect(notifications(page)).toContainText("Transfer of $25.00 started.");

  // The bank settles it; the dashboard polls and shows the money as available.
  await settleAllDebits(page);
  await expect(page.getByTestId("available-balance")).toHaveText("$25.00", { timeout: 20_000 });
  await expect(page.getByTestId("pending-balance")).toHaveText("$0.00");
  await expect(history(page).first()).toContainText("Completed");

  // Second debit: same bank, no relinking and no authorization prompt.
  await page.reload();
  await expect(page.getByTestId("bank-account")).toContainText("Plaid Checking ····0000");
  await expect(page.getByRole("checkbox", { name: /^I authorize/ })).toHaveCount(0);
  await page.getByLabel("Amount").fill("10.50");
  await page.getByRole("button", { name: "Add funds" }).click();
  await expect(history(page)).toHaveCount(2);
  await expect(history(page).first()).toContainText("$10.50");
  await expect(page.getByLabel("Amount")).toHaveValue("");

  // A double click is one transfer.
  await page.getByLabel("Amount").fill("5");
  await page.getByRole("button", { name: "Add funds" }).dblclick();
  await expect(history(page)).toHaveCount(3);
  await expect(history(page).first()).toContainText("$5.00");
  await page.waitForTimeout(1_000);
  await expect(history(page)).toHaveCount(3);
  expect(await paymentCount(person.email)).toBe(3);

  const mandates = await sql<{ count: number }>(
    `SELECT count(*)::int AS count FROM "mandate_acceptances" m JOIN "users" u ON u."id" = m."user_id" WHERE u."email" = $1`,
    [person.email],
  );
  expect(mandates[0]?.count).toBe(1);

  const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).exclude('iframe[title="Plaid Link"]').analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);

  await page.screenshot({ path: "test-results/screenshots/funding-dashboard.png", fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: "test-results/screenshots/funding-dashboard-mobile.png", fullPage: true });
});

test("a transfer whose answer was lost is retried with the same request id: still one debit", async ({ page }) => {
  test.setTimeout(90_000);
  const person = newPerson("retry");
  await signUp(page, person);
  await linkFirstPlatypus(page);

  // The server gets the request and starts the debit, but the browser never sees the answer.
  const bodies: { requestId: string }[] = [];
  let dropped = false;
  await page.route("**/api/payments", async (route) => {
    bodies.push(route.request().postDataJSON() as { requestId: string });
    if (!dropped) {
      dropped = true;
      await route.fetch();
      await route.abort("connectionreset");
      return;
    }
    await route.continue();
  });

  await page.getByLabel("Amount").fill("12");
  await page.getByRole("checkbox", { name: /^I authorize/ }).check();
  await page.getByRole("button", { name: "Add funds" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toContainText("Trying again is safe");
  await page.getByRole("button", { name: "Try again" }).click();
  await expect(history(page)).toHaveCount(1);
  await expect(history(page).first()).toContainText("$12.00");

  expect(bodies).toHaveLength(2);
  expect(bodies[0]!.requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(bodies[1]!.requestId).toBe(bodies[0]!.requestId);
  expect(await paymentCount(person.email)).toBe(1);

  // A new transfer after that gets a new request id.
  await page.getByLabel("Amount").fill("3");
  await page.getByRole("button", { name: "Add funds" }).click();
  await expect(history(page)).toHaveCount(2);
  expect(bodies[2]!.requestId).not.toBe(bodies[0]!.requestId);
});

test("amounts outside the limits are caught before anything is sent", async ({ page }) => {
  const person = newPerson("limits");
  await signUp(page, person);
  await linkFirstPlatypus(page);
  let sent = 0;
  await page.route("**/api/payments", async (route) => {
    sent++;
    await route.continue();
  });
  await page.getByRole("checkbox", { name: /^I authorize/ }).check();
  await page.getByLabel("Amount").fill("0.50");
  await page.getByRole("button", { name: "Add funds" }).click();
  await expect(page.getByText("The minimum is $1.00.")).toBeVisible();
  await page.getByLabel("Amount").fill("abc");
  await page.getByRole("button", { name: "Add funds" }).click();
  await expect(page.getByText("Enter an amount in dollars")).toBeVisible();
  await page.getByLabel("Amount").fill("5000.01");
  await page.getByRole("button", { name: "Add funds" }).click();
  await expect(page.getByText("The maximum per transfer is $5,000.00.")).toBeVisible();
  await expect(page.getByLabel("Amount")).toHaveAttribute("aria-invalid", "true");
  expect(sent).toBe(0);
});

test("a bank that needs reconnection is reconnected through Link update mode, and a bank can be removed", async ({ page }) => {
  test.setTimeout(90_000);
  const person = newPerson("reconnect");
  await signUp(page, person);
  await linkFirstPlatypus(page);

  await sql(
    `UPDATE "plaid_items" SET "status" = 'LOGIN_REQUIRED' WHERE "user_id" = (SELECT "id" FROM "users" WHERE "email" = $1)`,
    [person.email],
  );
  await page.reload();
  await expect(page.getByTestId("bank-account")).toContainText("Needs reconnection");
  await page.getByRole("button", { name: "Reconnect" }).click();
  const link = page.frameLocator('iframe[title="Plaid Link"]:visible');
  await expect(link.getByRole("heading", { name: /Log in again to First Platypus Bank/ })).toBeVisible();
  await link.getByLabel("Username").fill("user_good");
  await link.getByLabel("Password").fill("pass_good");
  await link.getByRole("button", { name: "Submit" }).click();
  await expect(link.getByRole("heading", { name: "Success" })).toBeVisible();
  await link.getByRole("button", { name: "Continue" }).click();
  await expect(notifications(page)).toContainText("Reconnected First Platypus Bank.");
  await expect(page.getByTestId("bank-account")).not.toContainText("Needs reconnection");
  await expect(page.getByRole("button", { name: "Reconnect" })).toHaveCount(0);

  // Remove: asks first; Cancel keeps the bank.
  await page.getByRole("button", { name: "Remove", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Remove this bank?" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("bank-account")).toBeVisible();
  await page.getByRole("button", { name: "Remove", exact: true }).click();
  await dialog.getByRole("button", { name: "Remove bank" }).click();
  await expect(notifications(page)).toContainText("Removed First Platypus Bank Plaid Checking ····0000.");
  await expect(page.getByRole("button", { name: "Link a bank" })).toBeVisible();
  await expect(page.getByTestId("bank-account")).toHaveCount(0);
});

test("Replace bank removes the current bank, then links the new one, which asks for its own authorization", async ({ page }) => {
  test.setTimeout(90_000);
  const person = newPerson("replace");
  await signUp(page, person);
  await linkFirstPlatypus(page);

  await page.getByRole("button", { name: "Replace bank" }).click();
  const dialog = page.getByRole("dialog", { name: "Replace this bank?" });
  await expect(dialog).toContainText("We'll remove First Platypus Bank Plaid Checking ····0000, then open Plaid");
  await dialog.getByRole("button", { name: "Remove and link a new bank" }).click();
  await expect(notifications(page)).toContainText("Removed First Platypus Bank Plaid Checking ····0000. Now choose your new bank.");
  await completeLink(page, { account: /Plaid Saving/ });
  await expect(notifications(page)).toContainText("Linked First Platypus Bank Plaid Saving ····1111.");
  await expect(page.getByTestId("bank-account")).toHaveCount(1);
  await expect(page.getByTestId("bank-account")).toContainText("Plaid Saving ····1111");
  await expect(page.getByRole("checkbox", { name: /^I authorize/ })).toBeVisible();
  await expect(page.getByText(/debit your First Platypus Bank account ending in 1111/)).toBeVisible();

  const accounts = await sql<{ mask: string; status: string }>(
    `SELECT b."mask", b."status" FROM "bank_accounts" b JOIN "users" u ON u."id" = b."user_id" WHERE u."email" = $1 ORDER BY b."created_at"`,
    [person.email],
  );
  expect(accounts).toEqual([
    { mask: "0000", status: "REMOVED" },
    { mask: "1111", status: "ACTIVE" },
  ]);
});

test("the OAuth return page re-opens Link with the saved token and finishes the link", async ({ page }) => {
  test.setTimeout(90_000);
  const person = newPerson("oauth");
  await signUp(page, person);

  // What the Link button leaves behind before an OAuth bank takes the person away.
  await page.evaluate(async () => {
    const res = await fetch("/api/plaid/link-token", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    const { linkToken } = (await res.json()) as { linkToken: string };
    sessionStorage.setItem("fundwell.plaid.link", JSON.stringify({ token: linkToken }));
  });
  await page.goto("/oauth-return?oauth_state_id=e2e-state");
  await expect(page.getByRole("heading", { name: "Connecting your bank" })).toBeVisible();
  await completeLink(page);
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("bank-account")).toContainText("Plaid Checking ····0000");

  // Without a saved session there is nothing to resume.
  await page.goto("/oauth-return?oauth_state_id=e2e-state");
  await expect(page.getByText("This bank connection session has ended")).toBeVisible();
  await expect(page.getByRole("link", { name: "Back to dashboard" })).toBeVisible();
});

test("Link errors show Plaid's display_message; an invalid link token is replaced and Link opens again", async ({ page }) => {
  test.setTimeout(90_000);
  const person = newPerson("linkerr");
  await signUp(page, person);

  // A locked bank login: Link shows its error, the person exits, the app repeats Plaid's message.
  await page.getByRole("button", { name: "Link a bank" }).click();
  const link = page.frameLocator('iframe[title="Plaid Link"]:visible');
  await link.getByRole("button", { name: "Continue" }).click();
  await link.getByLabel("Search for your bank").fill("Platypus");
  await link.getByRole("button", { name: "First Platypus Bank", exact: true }).click();
  await link.getByLabel("Username").fill("user_good");
  await link.getByLabel("Password").fill("error_ITEM_LOCKED");
  await link.getByRole("button", { name: "Submit" }).click();
  await expect(link.getByRole("heading", { name: "Your account is locked" })).toBeVisible();
  await link.getByRole("button", { name: "Exit" }).click();
  await expect(notifications(page)).toContainText("The given account has been locked by the financial institution.");
  await expect(page.getByRole("button", { name: "Link a bank" })).not.toHaveAttribute("aria-busy", "true");
  await expect(page.getByTestId("bank-account")).toHaveCount(0);

  // The first token handed out is not valid: Link reports INVALID_LINK_TOKEN, the app gets a new one.
  let tokens = 0;
  await page.route("**/api/plaid/link-token", async (route) => {
    if (tokens++ === 0) {
      await route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ linkToken: "link-sandbox-00000000-0000-0000-0000-000000000000" }) });
      return;
    }
    await route.continue();
  });
  await page.getByRole("button", { name: "Link a bank" }).click();
  await completeLink(page);
  expect(tokens).toBe(2);
  await expect(page.getByTestId("bank-account")).toContainText("Plaid Checking ····0000");
});
