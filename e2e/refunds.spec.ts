import { expect, test } from "./support/fixtures";
import { DEMO_ADMIN, newPerson, signInAsAdmin, signUp } from "./support/users";
import { fund, history, linkBank } from "./support/dashboard";
import { settleAllDebits, settlementTimeout } from "./support/link";
import { sql } from "./support/database";
import { sandboxControl } from "./support/sandbox";
import { nextTotpCode } from "./support/two-factor";
import { LOCAL_SANDBOX_TAG } from "./support/targets";

test.describe("Journey: an admin refunds a payment", () => {
  test(
    "the admin refunds a settled transfer with a reason and a fresh code; the person sees it pending, then refunded",
    { tag: LOCAL_SANDBOX_TAG },
    async ({ page, browser, baseURL }) => {
      test.slow();
      const person = newPerson("refunded");
      await test.step("a person funds $40 and it settles", async () => {
        await signUp(page, person);
        await linkBank(page);
        await fund(page, "40", { authorize: true });
        await expect(page.getByTestId("pending-balance")).toHaveText("$40.00");
        await settleAllDebits(page);
        await expect(page.getByTestId("available-balance")).toHaveText("$40.00", { timeout: settlementTimeout() });
      });
      const [payment] = await sql<{ id: string }>(
        `SELECT p."id" FROM "payments" p JOIN "users" u ON u."id" = p."user_id" WHERE u."email" = $1`,
        [person.email],
      );

      const adminContext = await browser.newContext({ baseURL });
      const admin = await adminContext.newPage();
      await test.step("the admin refunds it: a reason, then a fresh code (step-up)", async () => {
        await signInAsAdmin(admin);
        // This session's last code is 11 minutes old: the refund asks for a new one.
        await sql(
          `UPDATE "user_sessions" SET "second_factor_at" = now() - interval '11 minutes'
           WHERE "user_id" = (SELECT "id" FROM "users" WHERE "email" = $1)`,
          [DEMO_ADMIN.email],
        );
        await admin.goto(`/admin/payments/${payment!.id}`);
        await admin.getByRole("button", { name: "Refund" }).click();
        const dialog = admin.getByRole("dialog", { name: "Refund $40.00?" });
        await dialog.getByRole("button", { name: "Refund" }).click();
        await expect(dialog.getByText("Say why the payment is refunded.")).toBeVisible();
        await dialog.getByLabel("Reason (kept in the audit log)").fill("Customer asked for the money back");
        await dialog.getByRole("button", { name: "Refund" }).click();
        const stepUp = admin.getByRole("dialog", { name: "Confirm it's you" });
        await stepUp
          .getByLabel("6-digit code from your authenticator app")
          .fill(await nextTotpCode(DEMO_ADMIN.email, DEMO_ADMIN.totpSecret));
        await stepUp.getByRole("button", { name: "Confirm" }).click();
        await expect(stepUp).toBeHidden();
        const refunds = admin.getByRole("table", { name: "Refunds of this payment, oldest first" });
        await expect(refunds.getByText("Customer asked for the money back")).toBeVisible();
        await expect(refunds.locator("tbody tr").first()).toHaveAttribute("data-refund-status", "PENDING");
        await expect(admin.getByRole("button", { name: "Refund" })).toHaveCount(0);
      });

      await test.step("the person sees the refund pending, its amount out of the balance", async () => {
        await page.reload();
        await expect(history(page).first()).toContainText("Refund pending");
        await expect(page.getByTestId("available-balance")).toHaveText("$0.00");
      });

      await test.step("Stripe's refund succeeds: the person sees it refunded; the admin sees it taken back once", async () => {
        await sandboxControl("stripe/settle_all");
        await sandboxControl("webhooks/idle");
        await page.reload();
        await expect(history(page).first()).toContainText("Refunded");
        await expect(history(page).first()).toContainText("Refunded to your bank account");
        await expect(page.getByTestId("available-balance")).toHaveText("$0.00");
        await admin.reload();
        await expect(
          admin.getByRole("table", { name: "Refunds of this payment, oldest first" }).locator("tbody tr").first(),
        ).toHaveAttribute("data-refund-status", "SUCCEEDED");
        await expect(admin.getByText("yes: taken back from the balance")).toBeVisible();
      });
      await adminContext.close();
    },
  );
});
