import { expect, expectNoSeriousA11yViolations, test } from "./support/fixtures";
import { newPerson, signInAsAdmin, signUp } from "./support/users";
import { fund, history, linkBank } from "./support/dashboard";
import { sql } from "./support/database";
import { customUser } from "./support/link";
import { currentTarget, LOCAL_SANDBOX_TAG } from "./support/targets";

/**
 * An account with numbers of its own (locally), so a block placed on it, which
 * sticks to its numbers, touches no other test's account; the bank's owner
 * is not the person. Plaid Sandbox maps every account to one Stripe test
 * account, so the real target links user_good.
 */
function ownAccount(name: string): { choice: Parameters<typeof linkBank>[1]; shows: string; mask: string } {
  if (currentTarget() === "real") return { choice: {}, shows: "Plaid Checking ····0000", mask: "0000" };
  const accountNumber = `9${String(Math.floor(Math.random() * 1e11)).padStart(11, "0")}`;
  const mask = accountNumber.slice(-4);
  return {
    choice: { ...customUser({ name, mask, balance: 1_000, accountNumber }), account: new RegExp(name) },
    shows: `${name} ····${mask}`,
    mask,
  };
}

test.describe("Journey: admin review", () => {
  test("an admin reviews a newly linked account and blocks it; the person can no longer fund from it", async ({
    page,
    browser,
    baseURL,
  }) => {
    test.slow();
    const person = newPerson("reviewed");
    const bank = ownAccount("Reviewed Checking");
    await test.step("a person signs up, links a bank and funds once", async () => {
      await signUp(page, person);
      await linkBank(page, bank.choice, bank.shows);
      await fund(page, "20", { authorize: true });
      await expect(history(page)).toHaveCount(1);
    });

    const adminContext = await browser.newContext({ baseURL });
    const admin = await adminContext.newPage();
    await test.step("the admin finds the person and opens the account's review", async () => {
      await signInAsAdmin(admin);
      await admin.goto("/admin/reviews");
      await expect(admin.getByRole("heading", { level: 1, name: "Linked-account review" })).toBeVisible();
      await admin.goto(`/admin/users?q=${encodeURIComponent(person.email)}`);
      await admin.getByRole("link", { name: person.email }).click();
      await expect(admin.getByRole("heading", { level: 1, name: person.email })).toBeVisible();
      await admin
        .getByRole("table", { name: "Bank accounts (mask only)" })
        .getByRole("link", { name: `First Platypus Bank ····${bank.mask}` })
        .click();
      await expect(admin).toHaveURL(/\/admin\/bank-accounts\//);
      await expect(admin.getByText("Identity", { exact: true })).toBeVisible();
      // The bank's owner is not this person: the rules held it for review, and say so.
      await expect(admin.getByText("Held for review by the rules marked “held”.")).toBeVisible();
      await expect(admin.getByRole("list", { name: "Review rules" })).toContainText(
        "heldThe bank's account owner does not clearly match the user",
      );
    });
    await test.step("the admin blocks it (after confirming)", async () => {
      await admin.getByRole("button", { name: "Block", exact: true }).click();
      const confirm = admin.getByRole("dialog", { name: `Block First Platypus Bank ····${bank.mask}?` });
      await expect(confirm).toContainText("Funding from this account is refused from now on.");
      await confirm.getByRole("button", { name: "Block" }).click();
      await expect(admin.getByRole("button", { name: "Lift block" })).toBeVisible();
      await expect(admin.getByRole("button", { name: "Block", exact: true })).toHaveCount(0);
    });
    await adminContext.close();

    await test.step("the person can no longer fund: the dashboard says why, the server refuses", async () => {
      await page.reload();
      await expect(page.getByTestId("bank-account")).toContainText("Blocked");
      await expect(page.getByTestId("bank-account")).toContainText("This account can't be used for funding.");
      await expect(page.getByText("Your bank needs attention before you can add funds.")).toBeVisible();
      await expect(page.getByRole("form", { name: "Add funds" })).toHaveCount(0);
      // A request sent anyway (stale tab, script) is refused.
      const [row] = await sql<{ id: string }>(
        `SELECT b."id" FROM "bank_accounts" b JOIN "users" u ON u."id" = b."user_id" WHERE u."email" = $1`,
        [person.email],
      );
      const refused = await page.request.post("/api/payments", {
        headers: { origin: baseURL! },
        data: { requestId: crypto.randomUUID(), bankAccountId: row!.id, amountCents: 1_000 },
      });
      expect(refused.status()).toBe(422);
      expect(await refused.json()).toMatchObject({
        error: { code: "ACCOUNT_BLOCKED", message: "Funding from this bank account has been blocked. Please contact support." },
      });
      await expect(history(page)).toHaveCount(1);
    });
  });
});

test.describe("Journey: an account held for review", () => {
  test(
    "with funding before review off, a held account shows Awaiting review and no fund form until an admin approves it",
    { tag: LOCAL_SANDBOX_TAG },
    async ({ page, browser, baseURL }) => {
      test.slow();
      const person = newPerson("held");
      const bank = ownAccount("Held Checking");
      const before = await sql<{ value: unknown }>(`SELECT "value" FROM "app_settings" WHERE "key" = 'funding.allowBeforeReview'`);
      await sql(
        `INSERT INTO "app_settings" ("key", "value") VALUES ('funding.allowBeforeReview', 'false')
         ON CONFLICT ("key") DO UPDATE SET "value" = 'false'`,
      );
      try {
        await test.step("the person links a bank whose owner does not match them: it awaits review", async () => {
          await signUp(page, person);
          await linkBank(page, bank.choice, bank.shows);
          const account = page.getByTestId("bank-account");
          await expect(account).toContainText("Awaiting review");
          await expect(account).toContainText(
            "We're checking this account; this usually takes less than a business day. You'll be able to add funds once it's approved.",
          );
          await expect(account).not.toContainText("Active");
          await expect(page.getByText("Your bank is awaiting review. You'll be able to add funds once it's approved.")).toBeVisible();
          await expect(page.getByRole("form", { name: "Add funds" })).toHaveCount(0);
          await expectNoSeriousA11yViolations(page, "dashboard: awaiting review");
        });

        const adminContext = await browser.newContext({ baseURL });
        const admin = await adminContext.newPage();
        await test.step("the admin sees why the rules held it, and approves it", async () => {
          const [row] = await sql<{ id: string }>(
            `SELECT b."id" FROM "bank_accounts" b JOIN "users" u ON u."id" = b."user_id" WHERE u."email" = $1`,
            [person.email],
          );
          await signInAsAdmin(admin);
          await admin.goto(`/admin/bank-accounts/${row!.id}`);
          const rules = admin.getByRole("list", { name: "Review rules" });
          await expect(rules).toContainText("heldThe bank's account owner does not clearly match the user");
          await expect(rules).toContainText("passedThis account was never blocked");
          await expectNoSeriousA11yViolations(admin, "admin: held account");
          await admin.getByRole("button", { name: "Approve" }).click();
          await expect(admin.getByRole("button", { name: "Approve" })).toHaveCount(0);
          // The audit log shows the rules' decision with its reasons.
          await admin.goto(`/admin/audit?action=bank_account.held_for_review&targetId=${row!.id}`);
          await expect(admin.getByRole("table")).toContainText('"reasons":["identity"');
        });
        await adminContext.close();

        await test.step("once approved, the person can add funds", async () => {
          await page.reload();
          await expect(page.getByTestId("bank-account")).toContainText("Active");
          await expect(page.getByTestId("bank-account")).not.toContainText("Awaiting review");
          await fund(page, "20", { authorize: true });
          await expect(history(page)).toHaveCount(1);
        });
      } finally {
        if (before[0]) {
          await sql(`UPDATE "app_settings" SET "value" = $1::jsonb WHERE "key" = 'funding.allowBeforeReview'`, [
            JSON.stringify(before[0].value),
          ]);
        } else {
          await sql(`DELETE FROM "app_settings" WHERE "key" = 'funding.allowBeforeReview'`);
        }
      }
    },
  );
});
