import { generateSync } from "otplib";
import { expect, test } from "./support/fixtures";
import { DEMO_ADMIN, newPerson, signUp, submitPassword } from "./support/users";
import { linkBank } from "./support/dashboard";
import { sql } from "./support/database";
import { enrolTwoFactor, enterSecondFactor, nextTotpCode } from "./support/two-factor";
import { LOCAL_SANDBOX_TAG } from "./support/targets";

const codeField = "6-digit code from your authenticator app";

test.describe("Journey: two-factor authentication", () => {
  test("an admin turns two-factor on, uses the console, and a block after 10 minutes asks for a fresh code", async ({
    page,
    browser,
    baseURL,
  }) => {
    test.slow();
    const person = newPerson("reviewed2fa");
    await test.step("a person signs up and links a bank", async () => {
      await signUp(page, person);
      await linkBank(page);
    });

    const adminPerson = newPerson("admin2fa");
    const adminContext = await browser.newContext({ baseURL });
    const admin = await adminContext.newPage();
    await test.step("a new admin without two-factor is sent to set it up, and the admin API refuses them", async () => {
      await signUp(admin, adminPerson);
      await sql(`UPDATE "users" SET "role" = 'ADMIN' WHERE "email" = $1`, [adminPerson.email]);
      await admin.goto("/admin");
      await expect(admin).toHaveURL(/\/account\/two-factor\?required=admin$/);
      await expect(admin.getByText("The admin console needs two-factor authentication.")).toBeVisible();
      const refused = await admin.request.get("/api/admin/overview");
      expect(refused.status()).toBe(403);
      expect(await refused.json()).toMatchObject({ error: { code: "TWO_FACTOR_REQUIRED" } });
    });

    let secret = "";
    await test.step("the admin scans the QR code (types the key), confirms a code and keeps the recovery codes", async () => {
      ({ secret } = await enrolTwoFactor(admin, adminPerson.email));
      await admin.goto("/admin");
      await expect(admin.getByRole("heading", { level: 1, name: "Admin overview" })).toBeVisible();
    });

    await test.step("ten minutes later, blocking an account asks for a fresh code first", async () => {
      // Time passes: this session's last code is 11 minutes old.
      await sql(
        `UPDATE "user_sessions" SET "second_factor_at" = now() - interval '11 minutes'
         WHERE "user_id" = (SELECT "id" FROM "users" WHERE "email" = $1)`,
        [adminPerson.email],
      );
      await admin.goto(`/admin/users?q=${encodeURIComponent(person.email)}`);
      await admin.getByRole("link", { name: person.email }).click();
      await admin
        .getByRole("table", { name: "Bank accounts (mask only)" })
        .getByRole("link", { name: /First Platypus Bank ····0000/ })
        .click();
      await admin.getByRole("button", { name: "Block" }).click();
      await admin
        .getByRole("dialog", { name: /^Block First Platypus Bank/ })
        .getByRole("button", { name: "Block" })
        .click();
      const stepUp = admin.getByRole("dialog", { name: "Confirm it's you" });
      await expect(stepUp).toBeVisible();
      await stepUp.getByLabel(codeField).fill("000000");
      await stepUp.getByRole("button", { name: "Confirm" }).click();
      await expect(stepUp.getByText("That code is not valid.")).toBeVisible();
      await stepUp.getByLabel(codeField).fill(await nextTotpCode(adminPerson.email, secret));
      await stepUp.getByRole("button", { name: "Confirm" }).click();
      await expect(stepUp).toBeHidden();
      await expect(admin.getByRole("button", { name: "Lift block" })).toBeVisible();
      const [row] = await sql<{ review_status: string }>(
        `SELECT b."review_status" FROM "bank_accounts" b JOIN "users" u ON u."id" = b."user_id" WHERE u."email" = $1`,
        [person.email],
      );
      expect(row!.review_status).toBe("BLOCKED");
    });

    await test.step("the CSV export asks too once the window has passed", async () => {
      await sql(
        `UPDATE "user_sessions" SET "second_factor_at" = now() - interval '11 minutes'
         WHERE "user_id" = (SELECT "id" FROM "users" WHERE "email" = $1)`,
        [adminPerson.email],
      );
      await admin.goto("/admin/payments");
      await admin.getByRole("button", { name: "Export CSV" }).click();
      const stepUp = admin.getByRole("dialog", { name: "Confirm it's you" });
      await stepUp.getByLabel(codeField).fill(await nextTotpCode(adminPerson.email, secret));
      const download = admin.waitForEvent("download");
      await stepUp.getByRole("button", { name: "Confirm" }).click();
      expect((await download).suggestedFilename()).toMatch(/^payments-\d{4}-\d{2}-\d{2}\.csv$/);
    });
    await adminContext.close();
  });

  test("with two-factor on, sign-in asks for the code; before it the session can do nothing; a recovery code works once", async ({
    page,
    browser,
    baseURL,
  }) => {
    const person = newPerson("user2fa");
    await signUp(page, person);
    const { secret, recoveryCodes } = await enrolTwoFactor(page, person.email);
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(page).toHaveURL(/\/$/);

    await test.step("the password alone leads to the code step, and the API refuses the half-signed-in session", async () => {
      await submitPassword(page, person);
      await expect(page).toHaveURL(/\/two-factor\?callbackUrl=%2Fdashboard$/);
      const refused = await page.request.get("/api/dashboard");
      expect(refused.status()).toBe(401);
      await page.goto("/account");
      await expect(page).toHaveURL(/\/two-factor\?callbackUrl=%2Faccount$/);
    });

    await test.step("a wrong code is refused; the right one opens the page asked for", async () => {
      await page.getByLabel(codeField).fill("123456");
      await page.getByRole("button", { name: "Continue" }).click();
      await expect(page.getByText("That code is not valid.")).toBeVisible();
      await enterSecondFactor(page, person.email, secret, /\/account$/);
    });

    await test.step("on another device, a recovery code signs in once", async () => {
      const other = await browser.newContext({ baseURL });
      const phone = await other.newPage();
      await submitPassword(phone, person);
      await expect(phone).toHaveURL(/\/two-factor/);
      await phone.getByRole("button", { name: "Use a recovery code instead" }).click();
      await phone.getByLabel("Recovery code").fill(recoveryCodes[0]!);
      await phone.getByRole("button", { name: "Continue" }).click();
      await expect(phone).toHaveURL(/\/dashboard$/);
      await phone.getByRole("button", { name: "Sign out", exact: true }).click();
      await expect(phone).toHaveURL(/\/$/);
      await submitPassword(phone, person);
      await phone.getByRole("button", { name: "Use a recovery code instead" }).click();
      await phone.getByLabel("Recovery code").fill(recoveryCodes[0]!);
      await phone.getByRole("button", { name: "Continue" }).click();
      await expect(phone.getByText("That code is not valid.")).toBeVisible();
      await other.close();
    });
  });

  test(`local mode: the demo admin's code step shows the current code, so /admin is a minute away ${LOCAL_SANDBOX_TAG}`, async ({
    page,
  }) => {
    await submitPassword(page, DEMO_ADMIN, "/signin?callbackUrl=%2Fadmin");
    await expect(page).toHaveURL(/\/two-factor\?callbackUrl=%2Fadmin$/);
    const shown = (await page.getByTestId("demo-code").textContent())!;
    const step = Math.floor(Date.now() / 30_000);
    const valid = [step - 1, step, step + 1].map((s) => generateSync({ secret: DEMO_ADMIN.totpSecret, epoch: s * 30 }));
    expect(valid).toContain(shown);
    await enterSecondFactor(page, DEMO_ADMIN.email, DEMO_ADMIN.totpSecret, /\/admin$/);
    await expect(page.getByRole("heading", { level: 1, name: "Admin overview" })).toBeVisible();
  });
});
