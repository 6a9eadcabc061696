import { expect, test, type Locator, type Page } from "@playwright/test";
import { sql } from "./database";
import { completeLink, type LinkChoice } from "./link";

export const history = (page: Page): Locator => page.getByRole("region", { name: "Transfer history" }).locator("tbody tr");
export const notifications = (page: Page): Locator => page.getByRole("status", { name: "Notifications" });
export const authorizeBox = (page: Page): Locator => page.getByRole("checkbox", { name: /^I authorize/ });
export const fundError = (page: Page): Locator => page.getByRole("form", { name: "Add funds" }).getByRole("alert");

/** "Link a bank" → the whole Link flow → the bank card shows the account. */
export async function linkBank(page: Page, choice: LinkChoice = {}, shows: string | RegExp = "Plaid Checking ····0000"): Promise<void> {
  await test.step(`link a bank (${choice.username ?? "user_good"})`, async () => {
    await page.getByRole("button", { name: "Link a bank" }).click();
    await completeLink(page, choice);
    await expect(page.getByTestId("bank-account")).toContainText(shows);
  });
}

/** Fills the amount, accepts the ACH authorization when asked (`authorize`), clicks Add funds. */
export async function fund(page: Page, amount: string, options: { authorize?: boolean } = {}): Promise<void> {
  await page.getByLabel("Amount").fill(amount);
  if (options.authorize) await authorizeBox(page).check();
  await page.getByRole("button", { name: "Add funds" }).click();
}

export async function paymentCount(email: string): Promise<number> {
  const rows = await sql<{ count: number }>(
    `SELECT count(*)::int AS count FROM "payments" p JOIN "users" u ON u."id" = p."user_id" WHERE u."email" = $1`,
    [email],
  );
  return rows[0]?.count ?? -1;
}

/**
 * Counts the page's POST /api/payments requests and lets a test wait until
 * every one has been answered (no fixed sleeps: "nothing more happens" is
 * proven by all requests having finished).
 */
export function watchPaymentRequests(page: Page): { sent: () => number; allAnswered: () => Promise<void> } {
  let sent = 0;
  let answered = 0;
  page.on("request", (r) => {
    if (r.method() === "POST" && new URL(r.url()).pathname === "/api/payments") sent++;
  });
  const done = (r: { method(): string; url(): string }) => {
    if (r.method() === "POST" && new URL(r.url()).pathname === "/api/payments") answered++;
  };
  page.on("requestfinished", done);
  page.on("requestfailed", done);
  return {
    sent: () => sent,
    allAnswered: () => expect.poll(() => answered === sent && sent > 0, { message: "every POST /api/payments answered" }).toBe(true),
  };
}
