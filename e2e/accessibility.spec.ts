import { expect, expectNoSeriousA11yViolations, test } from "./support/fixtures";
import { newPerson, signInAsAdmin, signUp } from "./support/users";
import { sql } from "./support/database";
import { authorizeBox, fund, history, linkBank } from "./support/dashboard";
import { LINK_IFRAME, linkFrame, submitCredentials, typeIntoLink } from "./support/link";
import { LOCAL_SANDBOX_TAG } from "./support/targets";

/*
 * Axe (WCAG 2.1 A/AA + best practices) on every main page: no serious or
 * critical violations. App pages are scanned without the (hidden) Link
 * iframe; the Link stand-in's panes are scanned while open.
 */
const withoutLink = { exclude: ['iframe[title="Plaid Link"]'] };
const linkOnly = { include: 'iframe[title="Plaid Link"]' };

test.describe("Accessibility", () => {
  test("public pages and the dashboard: empty, with a bank and the ACH authorization, with transfers", async ({ page }) => {
    test.slow();
    await page.goto("/");
    await expectNoSeriousA11yViolations(page, "home");
    await page.goto("/signin");
    await expectNoSeriousA11yViolations(page, "sign-in");
    await page.goto("/signup");
    await expectNoSeriousA11yViolations(page, "sign-up");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByText("Enter a valid email address")).toBeVisible();
    await expectNoSeriousA11yViolations(page, "sign-up with errors");

    await signUp(page, newPerson("a11y"));
    await expectNoSeriousA11yViolations(page, "dashboard: empty", withoutLink);
    await linkBank(page);
    await expect(authorizeBox(page)).toBeVisible();
    await expectNoSeriousA11yViolations(page, "dashboard: bank linked, ACH authorization shown", withoutLink);
    await fund(page, "30");
    await expect(page.getByText('Check "I authorize" to allow this debit.')).toBeVisible();
    await expectNoSeriousA11yViolations(page, "dashboard: authorization missing (error shown)", withoutLink);
    await authorizeBox(page).check();
    await page.getByRole("button", { name: "Add funds" }).click();
    await expect(history(page)).toHaveCount(1);
    await expectNoSeriousA11yViolations(page, "dashboard: with a bank and a transfer", withoutLink);
    await page.getByRole("button", { name: "Remove", exact: true }).click();
    await expect(page.getByRole("dialog", { name: "Remove this bank?" })).toBeVisible();
    await expectNoSeriousA11yViolations(page, "dashboard: remove dialog", withoutLink);

    await page.goto("/account");
    await expectNoSeriousA11yViolations(page, "account");
    await page.getByRole("button", { name: "Sign out everywhere" }).click();
    await expect(page.getByRole("dialog", { name: "Sign out everywhere?" })).toBeVisible();
    await expectNoSeriousA11yViolations(page, "account: sign out everywhere dialog");
  });

  test("every pane of the Link stand-in", { tag: LOCAL_SANDBOX_TAG }, async ({ page }) => {
    test.slow();
    await signUp(page, newPerson("a11ylink"));
    const link = linkFrame(page);
    await page.getByRole("button", { name: "Link a bank" }).click();
    await expect(link.getByRole("heading", { name: /uses Plaid to connect your account/ })).toBeVisible();
    await expectNoSeriousA11yViolations(page, "Link: consent", linkOnly);
    await link.getByRole("button", { name: "Continue" }).click();
    await expect(link.getByRole("heading", { name: "Select your bank" })).toBeVisible();
    await expectNoSeriousA11yViolations(page, "Link: select your bank", linkOnly);
    await typeIntoLink(page, link.getByLabel("Search for your bank"), "Platypus");
    await link.getByRole("button", { name: "First Platypus Bank", exact: true }).click();
    await expect(link.getByRole("heading", { name: "Log in at First Platypus Bank" })).toBeVisible();
    await expectNoSeriousA11yViolations(page, "Link: credentials", linkOnly);
    await link.getByRole("button", { name: "Close" }).click();
    await expect(link.getByRole("heading", { name: "Are you sure you want to exit?" })).toBeVisible();
    await expectNoSeriousA11yViolations(page, "Link: exit confirmation", linkOnly);
    await link.getByRole("button", { name: "Go back" }).click();
    await submitCredentials(page, "user_good", "wrong");
    await expect(link.getByRole("heading", { name: "The username or password is incorrect" })).toBeVisible();
    await expectNoSeriousA11yViolations(page, "Link: error", linkOnly);
    await link.getByRole("button", { name: "Try again" }).click();
    await submitCredentials(page, "user_good", "mfa_device");
    await expect(link.getByRole("heading", { name: "Verify your identity" })).toBeVisible();
    await expectNoSeriousA11yViolations(page, "Link: device MFA", linkOnly);
    await typeIntoLink(page, link.getByLabel("Verification code"), "1234");
    await link.getByRole("button", { name: "Submit" }).click();
    await expect(link.getByRole("heading", { name: "Select an account" })).toBeVisible();
    await expectNoSeriousA11yViolations(page, "Link: select an account", linkOnly);
    await link.getByRole("radio", { name: /Plaid Checking/ }).check();
    await link.getByRole("button", { name: "Continue" }).click();
    await expect(link.getByRole("heading", { name: "Success" })).toBeVisible();
    await expectNoSeriousA11yViolations(page, "Link: success", linkOnly);
    await link.getByRole("button", { name: "Continue" }).click();
    await expect(page.locator(LINK_IFRAME)).toHaveCount(0);
    await expect(page.getByTestId("bank-account")).toContainText("Plaid Checking ····0000");
  });

  test("admin pages: overview, review queue, users, user, payments, payment, bank account, audit log, settings", async ({
    page,
    browser,
    baseURL,
  }) => {
    test.slow();
    const person = newPerson("a11yadmin");
    await signUp(page, person);
    await linkBank(page);
    await fund(page, "11", { authorize: true });
    await expect(history(page)).toHaveCount(1);

    const context = await browser.newContext({ baseURL });
    const admin = await context.newPage();
    await signInAsAdmin(admin);
    const [ids] = await sql<{ user_id: string; bank_account_id: string; payment_id: string }>(
      `SELECT u."id" AS user_id, b."id" AS bank_account_id, p."id" AS payment_id
         FROM "users" u JOIN "bank_accounts" b ON b."user_id" = u."id" JOIN "payments" p ON p."user_id" = u."id" WHERE u."email" = $1`,
      [person.email],
    );
    const pages: [string, string][] = [
      ["/admin", "admin: overview"],
      ["/admin/reviews", "admin: review queue"],
      [`/admin/users?q=${encodeURIComponent(person.email)}`, "admin: users"],
      [`/admin/users/${ids!.user_id}`, "admin: user"],
      ["/admin/payments", "admin: payments"],
      [`/admin/payments/${ids!.payment_id}`, "admin: payment"],
      [`/admin/bank-accounts/${ids!.bank_account_id}`, "admin: bank account"],
      ["/admin/audit", "admin: audit log"],
      ["/admin/settings", "admin: settings"],
    ];
    for (const [url, label] of pages) {
      const response = await admin.goto(url);
      expect(response?.status(), url).toBe(200);
      await expect(admin.getByRole("heading", { level: 1 })).toBeVisible();
      await expectNoSeriousA11yViolations(admin, label);
    }
    await context.close();
  });
});
