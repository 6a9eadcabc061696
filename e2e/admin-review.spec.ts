import { expect, test } from "./support/fixtures";
import { newPerson, signInAsAdmin, signUp } from "./support/users";
import { fund, history, linkBank } from "./support/dashboard";
import { sql } from "./support/database";

test.describe("Journey: admin review", () => {
  test("an admin reviews a newly linked account and blocks it; the person can no longer fund from it", async ({
    page,
    browser,
    baseURL,
  }) => {
    test.slow();
    const person = newPerson("reviewed");
    await test.step("a person signs up, links a bank and funds once", async () => {
      await signUp(page, person);
      await linkBank(page);
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
        .getByRole("link", { name: /First Platypus Bank ····0000/ })
        .click();
      await expect(admin).toHaveURL(/\/admin\/bank-accounts\//);
      await expect(admin.getByText("Identity", { exact: true })).toBeVisible();
    });
    await test.step("the admin blocks it (after confirming)", async () => {
      await admin.getByRole("button", { name: "Block" }).click();
      const confirm = admin.getByRole("dialog", { name: /^Block First Platypus Bank ····0000\?/ });
      await expect(confirm).toContainText("Funding from this account is refused from now on.");
      await confirm.getByRole("button", { name: "Block" }).click();
      await expect(admin.getByRole("button", { name: "Lift block" })).toBeVisible();
      await expect(admin.getByRole("button", { name: "Block" })).toHaveCount(0);
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
