import { expect, type FrameLocator, type Page } from "@playwright/test";

/** The sandbox the e2e app uses (playwright.config.ts: E2E_SANDBOX_PORT, default 4110). */
export const SANDBOX_URL = `http://127.0.0.1:${Number(process.env.E2E_SANDBOX_PORT ?? 4110)}`;

/** The open Plaid Link modal (finished sessions leave hidden iframes behind). */
export function linkFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe[title="Plaid Link"]:visible');
}

export interface LinkChoice {
  bank?: string;
  search?: string;
  username?: string;
  password?: string;
  account?: string | RegExp;
}

/**
 * Goes through Link like a person, once it is open: consent, search, pick
 * the bank, log in, choose one account, finish. Ends when Link hands off
 * (onSuccess runs in the app).
 */
export async function completeLink(page: Page, choice: LinkChoice = {}): Promise<void> {
  const { bank = "First Platypus Bank", search = "Platypus", username = "user_good", password = "pass_good", account = /Plaid Checking/ } = choice;
  const link = linkFrame(page);
  await link.getByRole("button", { name: "Continue" }).click();
  await link.getByLabel("Search for your bank").fill(search);
  await link.getByRole("button", { name: bank, exact: true }).click();
  await link.getByLabel("Username").fill(username);
  await link.getByLabel("Password").fill(password);
  await link.getByRole("button", { name: "Submit" }).click();
  await link.getByRole("radio", { name: account }).check();
  await link.getByRole("button", { name: "Continue" }).click();
  await expect(link.getByRole("heading", { name: "Success" })).toBeVisible();
  await link.getByRole("button", { name: "Continue" }).click();
  await expect(page.locator('iframe[title="Plaid Link"]:visible')).toHaveCount(0);
}

/** Update mode (Reconnect): log in again to the item's bank, then finish. */
export async function completeReconnect(page: Page, credentials: { username?: string; password?: string } = {}): Promise<void> {
  const link = linkFrame(page);
  await link.getByLabel("Username").fill(credentials.username ?? "user_good");
  await link.getByLabel("Password").fill(credentials.password ?? "pass_good");
  await link.getByRole("button", { name: "Submit" }).click();
  await expect(link.getByRole("heading", { name: "Success" })).toBeVisible();
  await link.getByRole("button", { name: "Continue" }).click();
  await expect(page.locator('iframe[title="Plaid Link"]:visible')).toHaveCount(0);
}

/** Settles every pending ACH debit in the sandbox and waits until its webhooks reached the app. */
export async function settleAllDebits(page: Page): Promise<void> {
  const settled = await page.request.post(`${SANDBOX_URL}/__sandbox/stripe/settle_all`, { data: {} });
  expect(settled.ok(), await settled.text()).toBe(true);
  const idle = await page.request.post(`${SANDBOX_URL}/__sandbox/webhooks/idle`, { data: {} });
  expect(idle.ok(), await idle.text()).toBe(true);
}
