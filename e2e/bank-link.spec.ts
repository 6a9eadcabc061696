import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { newPerson, signUp } from "./support/users";
import { sql } from "./support/database";
import { sandboxControl } from "./support/sandbox";
import {
  answerDeviceMfa,
  chooseBank,
  closeLink,
  completeLink,
  completeReconnect,
  exitFromError,
  finishLink,
  LINK_IFRAME,
  linkFrame,
  submitCredentials,
  typeIntoLink,
  ui,
} from "./support/link";
import { authorizeBox, fund, history, linkBank, notifications } from "./support/dashboard";
import { LOCAL_SANDBOX_TAG } from "./support/targets";

const linkButton = (page: Page) => page.getByRole("button", { name: "Link a bank" });

/** Consent → search → the OAuth bank; ends on Link's OAuth pane (no credentials inside Link). */
async function chooseBankForOAuth(page: Page): Promise<void> {
  const link = linkFrame(page);
  await ui().consentContinue(link).click();
  await typeIntoLink(page, ui().search(link), "OAuth");
  await ui().institution(link, "Platypus OAuth Bank").click();
  await expect(link.getByRole("heading", { name: "Log in at Platypus OAuth Bank" })).toBeVisible();
}

test.describe("Journey: linking a bank", () => {
  test("Link closed by the person: nothing is linked and no error is shown", async ({ page }) => {
    await signUp(page, newPerson("closed"));
    await test.step("open Link, reach the login, close it", async () => {
      await linkButton(page).click();
      await chooseBank(page);
      await closeLink(page);
    });
    await test.step("back on the dashboard, as before", async () => {
      await expect(linkButton(page)).toBeEnabled();
      await expect(page.getByTestId("bank-account")).toHaveCount(0);
      await expect(notifications(page)).not.toContainText(/couldn't|error|locked/i);
    });
    await test.step("Link can be opened again and finished", async () => {
      await linkBank(page);
    });
  });

  test("Link error (error_ITEM_LOCKED): Link shows it, the app repeats Plaid's display_message", async ({ page }) => {
    await signUp(page, newPerson("locked"));
    await linkButton(page).click();
    await chooseBank(page);
    await submitCredentials(page, "user_good", "error_ITEM_LOCKED");
    await exitFromError(page, "Your account is locked");
    await expect(notifications(page)).toContainText("The given account has been locked by the financial institution.");
    await expect(linkButton(page)).not.toHaveAttribute("aria-busy", "true");
    await expect(page.getByTestId("bank-account")).toHaveCount(0);
  });

  test("an invalid link token is replaced and Link opens again", async ({ page }) => {
    await signUp(page, newPerson("badtoken"));
    // The first token handed out is not valid: Link reports INVALID_LINK_TOKEN, the app gets a new one.
    let tokens = 0;
    await page.route("**/api/plaid/link-token", async (route) => {
      if (tokens++ === 0) {
        await route.fulfill({
          status: 200,
          contentType: "application/json",
          body: JSON.stringify({ linkToken: "link-sandbox-00000000-0000-0000-0000-000000000000" }),
        });
        return;
      }
      await route.continue();
    });
    await linkButton(page).click();
    await completeLink(page);
    expect(tokens).toBe(2);
    await expect(page.getByTestId("bank-account")).toContainText("Plaid Checking ····0000");
  });

  test("device MFA (user_good / mfa_device): the bank asks for a code, the link completes", async ({ page }) => {
    await signUp(page, newPerson("mfa"));
    await linkButton(page).click();
    await chooseBank(page);
    await test.step("log in with the password mfa_device", async () => {
      await submitCredentials(page, "user_good", "mfa_device");
    });
    await test.step("the bank asks for the code sent to the device: 1234", async () => {
      if (ui().mfaDeviceChoice === null) {
        const link = linkFrame(page);
        await expect(link.getByRole("heading", { name: "Verify your identity" })).toBeVisible();
      }
      await answerDeviceMfa(page, "1234");
    });
    await ui()
      .account(linkFrame(page), /Plaid Checking/)
      .check();
    await ui().accountContinue(linkFrame(page)).click();
    await expect(ui().success(linkFrame(page))).toBeVisible();
    await ui().successContinue(linkFrame(page)).click();
    await expect(page.locator(LINK_IFRAME)).toHaveCount(0);
    await expect(page.getByTestId("bank-account")).toContainText("Plaid Checking ····0000");
  });

  test("duplicate link refused: the same account linked again from a second tab", async ({ page, context }) => {
    const person = newPerson("dup");
    await signUp(page, person);
    const second = await context.newPage();
    await second.goto("/dashboard");
    await expect(linkButton(second)).toBeVisible();

    await test.step("link the account in the first tab", async () => {
      await linkBank(page);
    });
    await test.step("the second tab (still showing no bank) links the same account: refused", async () => {
      await linkButton(second).click();
      await completeLink(second);
      await expect(notifications(second)).toContainText(
        "You have already linked First Platypus Bank ····0000. Remove it first to link it again.",
      );
    });
    await test.step("one bank account, still usable", async () => {
      await second.reload();
      await expect(second.getByTestId("bank-account")).toHaveCount(1);
      const rows = await sql<{ status: string }>(
        `SELECT b."status" FROM "bank_accounts" b JOIN "users" u ON u."id" = b."user_id" WHERE u."email" = $1 AND b."status" <> 'REMOVED'`,
        [person.email],
      );
      expect(rows).toEqual([{ status: "ACTIVE" }]);
    });
    await second.close();
  });

  test("ITEM_LOGIN_REQUIRED → reconnect in Link update mode → fund again", { tag: LOCAL_SANDBOX_TAG }, async ({ page }) => {
    test.slow();
    const person = newPerson("reconnect");
    await signUp(page, person);
    await linkBank(page);
    await fund(page, "8", { authorize: true });
    await expect(history(page)).toHaveCount(1);

    await test.step("the bank asks for a new login (sandbox reset_login → ITEM ERROR webhook)", async () => {
      const [item] = await sql<{ plaid_item_id: string }>(
        `SELECT i."plaid_item_id" FROM "plaid_items" i JOIN "users" u ON u."id" = i."user_id" WHERE u."email" = $1 AND i."status" = 'ACTIVE'`,
        [person.email],
      );
      await sandboxControl("plaid/reset_login", { item_id: item!.plaid_item_id });
      await sandboxControl("webhooks/idle");
      await page.reload();
      await expect(page.getByTestId("bank-account")).toContainText("Needs reconnection");
    });
    await test.step("Reconnect: Link in update mode, log in again", async () => {
      await page.getByRole("button", { name: "Reconnect" }).click();
      await completeReconnect(page);
      await expect(notifications(page)).toContainText("Reconnected First Platypus Bank.");
      await expect(page.getByTestId("bank-account")).not.toContainText("Needs reconnection");
      await expect(page.getByRole("button", { name: "Reconnect" })).toHaveCount(0);
    });
    await test.step("fund again, no new authorization needed", async () => {
      await expect(authorizeBox(page)).toHaveCount(0);
      await fund(page, "9");
      await expect(history(page)).toHaveCount(2);
      await expect(history(page).first()).toContainText("$9.00");
    });
  });

  test("remove the bank: asks first, Cancel keeps it, Remove takes it off", async ({ page }) => {
    await signUp(page, newPerson("remove"));
    await linkBank(page);
    const dialog = page.getByRole("dialog", { name: "Remove this bank?" });
    await test.step("Cancel keeps the bank", async () => {
      await page.getByRole("button", { name: "Remove", exact: true }).click();
      await expect(dialog).toBeVisible();
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await expect(dialog).toBeHidden();
      await expect(page.getByTestId("bank-account")).toBeVisible();
    });
    await test.step("Remove bank", async () => {
      await page.getByRole("button", { name: "Remove", exact: true }).click();
      await dialog.getByRole("button", { name: "Remove bank" }).click();
      await expect(notifications(page)).toContainText("Removed First Platypus Bank Plaid Checking ····0000.");
      await expect(linkButton(page)).toBeVisible();
      await expect(page.getByTestId("bank-account")).toHaveCount(0);
      await expect(page.getByRole("form", { name: "Add funds" })).toHaveCount(0);
    });
  });

  test("Replace bank removes the current bank, then links the new one, which asks for its own authorization", async ({ page }) => {
    const person = newPerson("replace");
    await signUp(page, person);
    await linkBank(page);

    await page.getByRole("button", { name: "Replace bank" }).click();
    const dialog = page.getByRole("dialog", { name: "Replace this bank?" });
    await expect(dialog).toContainText("We'll remove First Platypus Bank Plaid Checking ····0000, then open Plaid");
    await dialog.getByRole("button", { name: "Remove and link a new bank" }).click();
    await expect(notifications(page)).toContainText("Removed First Platypus Bank Plaid Checking ····0000. Now choose your new bank.");
    await completeLink(page, { account: /Plaid Saving/ });
    await expect(notifications(page)).toContainText("Linked First Platypus Bank Plaid Saving ····1111.");
    await expect(page.getByTestId("bank-account")).toHaveCount(1);
    await expect(page.getByTestId("bank-account")).toContainText("Plaid Saving ····1111");
    await expect(authorizeBox(page)).toBeVisible();
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

  // Local only: Account Select is a Dashboard setting of the Plaid client, which the local sandbox sets on command.
  test(
    "Link set up for several accounts: two accounts chosen, the app refuses and links nothing",
    { tag: LOCAL_SANDBOX_TAG },
    async ({ page }) => {
      await signUp(page, newPerson("twoaccounts"));
      await sandboxControl("plaid/link_settings", { account_select: "multiple" });
      try {
        await linkButton(page).click();
        await chooseBank(page);
        await submitCredentials(page, "user_good", "pass_good");
        const link = linkFrame(page);
        await link.getByRole("checkbox", { name: /Plaid Checking/ }).check();
        await link.getByRole("checkbox", { name: /Plaid Saving/ }).check();
        await link.getByRole("button", { name: "Continue" }).click();
        await expect(ui().success(link)).toBeVisible();
        await ui().successContinue(link).click();
        await expect(notifications(page)).toContainText("Please choose exactly one account to fund from.");
        await expect(linkButton(page)).toBeEnabled();
        await expect(page.getByTestId("bank-account")).toHaveCount(0);
      } finally {
        await sandboxControl("plaid/link_settings", { account_select: "one" });
      }
    },
  );

  // Local only: the sandbox's OAuth bank page stands in for the bank's own site.
  test(
    "an OAuth bank: Link sends the person to the bank, the bank back to /oauth-return, Link finishes there",
    { tag: LOCAL_SANDBOX_TAG },
    async ({ page }) => {
      await signUp(page, newPerson("oauth"));
      await linkButton(page).click();
      await chooseBankForOAuth(page);
      await linkFrame(page).getByRole("button", { name: "Continue to login" }).click();
      // The bank's own page, outside the app and outside Link.
      await expect(page).toHaveURL(/\/link\/oauth\/authorize\?state=/);
      await page.getByLabel("Username").fill("user_good");
      await page.getByLabel("Password").fill("pass_good");
      await page.getByRole("button", { name: "Authorize" }).click();
      await expect(page).toHaveURL(/\/oauth-return\?oauth_state_id=[0-9a-f-]{36}$/);
      await expect(page.getByRole("heading", { name: "Connecting your bank" })).toBeVisible();
      // Link re-opens with receivedRedirectUri and goes on at account selection: no consent, no login again.
      const link = linkFrame(page);
      await ui()
        .account(link, /Plaid Checking/)
        .check();
      await ui().accountContinue(link).click();
      await finishLink(page);
      await expect(page).toHaveURL(/\/dashboard$/);
      await expect(page.getByTestId("bank-account")).toContainText("Plaid Checking ····0000");

      // Without a saved session there is nothing to resume.
      await page.goto("/oauth-return?oauth_state_id=e2e-state");
      await expect(page.getByText("This bank connection session has ended")).toBeVisible();
      await expect(page.getByRole("link", { name: "Back to dashboard" })).toBeVisible();
    },
  );
});
