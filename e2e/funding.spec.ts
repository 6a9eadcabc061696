import { expect, test } from "./support/fixtures";
import { newPerson, signUp } from "./support/users";
import { sql } from "./support/database";
import { customUser, settleAllDebits, settlementTimeout } from "./support/link";
import { authorizeBox, fund, fundError, history, linkBank, notifications, paymentCount, watchPaymentRequests } from "./support/dashboard";
import { LOCAL_SANDBOX_TAG } from "./support/targets";
import { sandboxControl } from "./support/sandbox";

test.describe("Journey: funding", () => {
  test("sign up → link a bank → fund → pending → settled → balance credited; fund again without relinking; a double click is one debit", async ({
    page,
  }) => {
    test.slow();
    const person = newPerson("funding");
    const payments = watchPaymentRequests(page);

    await test.step("sign up: empty dashboard", async () => {
      await signUp(page, person);
      await expect(page.getByTestId("available-balance")).toHaveText("$0.00");
      await expect(page.getByText("No transfers yet.", { exact: false })).toBeVisible();
    });

    await linkBank(page);
    await expect(page.getByTestId("bank-account")).toContainText("First Platypus Bank");
    await expect(notifications(page)).toContainText("Linked First Platypus Bank Plaid Checking ····0000.");

    await test.step("first debit needs the ACH authorization", async () => {
      await expect(authorizeBox(page)).toBeVisible();
      await expect(page.getByText(/you authorize Fundwell to debit your First Platypus Bank account ending in 0000 by ACH/)).toBeVisible();
      await fund(page, "25");
      await expect(page.getByText('Check "I authorize" to allow this debit.')).toBeVisible();
      await expect(authorizeBox(page)).toBeFocused();
      expect(await paymentCount(person.email)).toBe(0);
      await page.screenshot({ path: "test-results/screenshots/funding-mandate.png" });
      await authorizeBox(page).check();
      await page.getByRole("button", { name: "Add funds" }).click();
    });

    await test.step("the transfer is pending", async () => {
      await expect(history(page)).toHaveCount(1);
      await expect(history(page).first()).toContainText("$25.00");
      await expect(history(page).first()).toContainText("First Platypus Bank ····0000");
      await expect(history(page).first()).toContainText(/Pending|Processing/);
      await expect(page.getByTestId("pending-balance")).toHaveText("$25.00");
      await expect(page.getByTestId("available-balance")).toHaveText("$0.00");
      await expect(notifications(page)).toContainText("Transfer of $25.00 started.");
    });

    await test.step("the bank settles it: the balance is credited", async () => {
      await settleAllDebits(page);
      await expect(page.getByTestId("available-balance")).toHaveText("$25.00", { timeout: settlementTimeout() });
      await expect(page.getByTestId("pending-balance")).toHaveText("$0.00");
      await expect(history(page).first()).toContainText("Completed");
    });

    await test.step("fund again: same bank, no relinking, no authorization prompt", async () => {
      await page.reload();
      await expect(page.getByTestId("bank-account")).toContainText("Plaid Checking ····0000");
      await expect(authorizeBox(page)).toHaveCount(0);
      await fund(page, "10.50");
      await expect(history(page)).toHaveCount(2);
      await expect(history(page).first()).toContainText("$10.50");
      await expect(page.getByLabel("Amount")).toHaveValue("");
      await page.screenshot({ path: "test-results/screenshots/funding-dashboard.png", fullPage: true });
    });

    await test.step("a double click on Add funds starts one debit", async () => {
      await page.getByLabel("Amount").fill("5");
      await page.getByRole("button", { name: "Add funds" }).dblclick();
      await expect(history(page)).toHaveCount(3);
      await expect(history(page).first()).toContainText("$5.00");
      await payments.allAnswered();
      expect(await paymentCount(person.email)).toBe(3);
      await page.reload();
      await expect(history(page)).toHaveCount(3);
      const mandates = await sql<{ count: number }>(
        `SELECT count(*)::int AS count FROM "mandate_acceptances" m JOIN "users" u ON u."id" = m."user_id" WHERE u."email" = $1`,
        [person.email],
      );
      expect(mandates[0]?.count).toBe(1);
    });

    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: "test-results/screenshots/funding-dashboard-mobile.png", fullPage: true });
  });

  test("a transfer whose answer was lost is retried with the same request id: still one debit", async ({ page }) => {
    test.slow();
    const person = newPerson("retry");
    await signUp(page, person);
    await linkBank(page);

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

    await test.step("the answer is lost: the form offers a safe retry", async () => {
      await fund(page, "12", { authorize: true });
      await expect(fundError(page)).toContainText("Trying again is safe");
    });
    await test.step("Try again: the same request id, one debit", async () => {
      await page.getByRole("button", { name: "Try again" }).click();
      await expect(history(page)).toHaveCount(1);
      await expect(history(page).first()).toContainText("$12.00");
      expect(bodies).toHaveLength(2);
      expect(bodies[0]!.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(bodies[1]!.requestId).toBe(bodies[0]!.requestId);
      expect(await paymentCount(person.email)).toBe(1);
    });
    await test.step("a new transfer gets a new request id", async () => {
      await fund(page, "3");
      await expect(history(page)).toHaveCount(2);
      expect(bodies[2]!.requestId).not.toBe(bodies[0]!.requestId);
    });
  });

  test("amount over the limit (or under the minimum, or not a number) is refused before anything is sent", async ({ page }) => {
    test.slow();
    await signUp(page, newPerson("limits"));
    await linkBank(page);
    const payments = watchPaymentRequests(page);
    await authorizeBox(page).check();
    await test.step("under the minimum", async () => {
      await fund(page, "0.50");
      await expect(page.getByText("The minimum is $1.00.")).toBeVisible();
    });
    await test.step("not an amount", async () => {
      await fund(page, "abc");
      await expect(page.getByText("Enter an amount in dollars")).toBeVisible();
    });
    await test.step("over the per-transfer limit", async () => {
      await fund(page, "5000.01");
      await expect(page.getByText("The maximum per transfer is $5,000.00.")).toBeVisible();
      await expect(page.getByLabel("Amount")).toHaveAttribute("aria-invalid", "true");
    });
    expect(payments.sent()).toBe(0);
  });

  test("balance too low: the bank's available balance is checked before the debit", async ({ page }) => {
    test.slow();
    const person = newPerson("lowbal");
    await signUp(page, person);
    await linkBank(
      page,
      { ...customUser({ name: "Thin Checking", mask: "4321", balance: 20 }), account: /Thin Checking/ },
      "Thin Checking ····4321",
    );
    await test.step("asking for more than the bank reports is refused with the amounts", async () => {
      await fund(page, "50", { authorize: true });
      await expect(fundError(page)).toHaveText("Your bank reports $20.00 available, which is less than $50.00. Try a smaller amount.");
      await expect(history(page)).toHaveCount(0);
      expect(await paymentCount(person.email)).toBe(0);
    });
    await test.step("a smaller amount goes through", async () => {
      await fund(page, "15", { authorize: true });
      await expect(history(page)).toHaveCount(1);
      await expect(history(page).first()).toContainText("$15.00");
    });
  });

  test("an ACH debit that fails at the bank is shown with its reason", { tag: LOCAL_SANDBOX_TAG }, async ({ page }) => {
    test.slow();
    await signUp(page, newPerson("achfail"));
    // Stripe's test account 000222222227: debits are returned for insufficient funds.
    await linkBank(
      page,
      {
        ...customUser({ name: "Returned Checking", mask: "2227", balance: 1_000, accountNumber: "000222222227" }),
        account: /Returned Checking/,
      },
      "Returned Checking ····2227",
    );
    await test.step("the transfer starts as pending", async () => {
      await fund(page, "40", { authorize: true });
      await expect(history(page).first()).toContainText(/Pending|Processing/);
      await expect(page.getByTestId("pending-balance")).toHaveText("$40.00");
    });
    await test.step("the bank returns it: failed, with the reason, nothing credited", async () => {
      await settleAllDebits(page);
      await expect(history(page).first()).toContainText("Failed", { timeout: 20_000 });
      await expect(history(page).first()).toContainText("Insufficient funds in the bank account.");
      await expect(page.getByTestId("pending-balance")).toHaveText("$0.00");
      await expect(page.getByTestId("available-balance")).toHaveText("$0.00");
    });
  });

  test(
    "a settled transfer the account holder disputes is taken back from the balance and shown as disputed",
    { tag: LOCAL_SANDBOX_TAG },
    async ({ page }) => {
      test.slow();
      const person = newPerson("dispute");
      await signUp(page, person);
      await linkBank(page);
      await fund(page, "30", { authorize: true });
      await expect(page.getByTestId("pending-balance")).toHaveText("$30.00");
      await settleAllDebits(page);
      await expect(page.getByTestId("available-balance")).toHaveText("$30.00", { timeout: settlementTimeout() });

      const [payment] = await sql<{ intent: string }>(
        `SELECT p."stripe_payment_intent_id" AS intent FROM "payments" p JOIN "users" u ON u."id" = p."user_id" WHERE u."email" = $1`,
        [person.email],
      );
      await sandboxControl("stripe/dispute", { payment_intent: payment!.intent });
      await sandboxControl("webhooks/idle");
      await page.reload();
      await expect(page.getByTestId("available-balance")).toHaveText("$0.00");
      await expect(history(page).first()).toContainText("Disputed");
      await expect(history(page).first()).toContainText("Disputed with your bank: taken back from your balance.");
      // The authorization went with the dispute: the next transfer asks for it again.
      await expect(authorizeBox(page)).toBeVisible();
    },
  );
});
