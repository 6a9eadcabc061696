import { expect, type Page } from "@playwright/test";
import { generateSync } from "otplib";
import { sql } from "./database";
import type { HttpSession } from "./http";

const PERIOD_S = 30;

/**
 * The next code the app will accept for this account: the current one, or
 * the next step's when the current step's code was already used (codes are
 * single-use and the app accepts one step ahead), waiting for a step only
 * when even that was used. Reads the last accepted step from the database,
 * as an authenticator app's owner would simply wait for a new code.
 */
export async function nextTotpCode(email: string, secret: string): Promise<string> {
  for (;;) {
    const [row] = await sql<{ step: number | null }>(`SELECT "totp_last_time_step" AS step FROM "users" WHERE "email" = $1`, [email]);
    const now = Date.now() / 1000;
    const current = Math.floor(now / PERIOD_S);
    const last = row?.step ?? null;
    const step = last === null || last < current ? current : last + 1;
    if (step <= current + 1) return generateSync({ secret, epoch: step * PERIOD_S });
    await new Promise((resolve) => setTimeout(resolve, ((current + 1) * PERIOD_S - now) * 1000 + 50));
  }
}

/** On /two-factor: enters the next code and continues to `expectedUrl`. */
export async function enterSecondFactor(page: Page, email: string, secret: string, expectedUrl: RegExp = /\/dashboard$/): Promise<void> {
  await expect(page).toHaveURL(/\/two-factor/);
  await page.getByLabel("6-digit code from your authenticator app").fill(await nextTotpCode(email, secret));
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveURL(expectedUrl);
}

/** Turns two-factor on through the account API (as the settings page does); returns the secret. */
export async function enableTwoFactorByApi(session: HttpSession, email: string): Promise<string> {
  const started = await session.fetch("/api/account/two-factor", { method: "POST", data: {}, headers: { origin: session.origin } });
  expect(started.status()).toBe(200);
  const { secret } = (await started.json()) as { secret: string };
  const enabled = await session.fetch("/api/account/two-factor/enable", {
    method: "POST",
    data: { code: await nextTotpCode(email, secret) },
    headers: { origin: session.origin },
  });
  expect(enabled.status()).toBe(200);
  return secret;
}

/** Turns two-factor on from the account page, as a person does; returns the secret (typed instead of scanned) and the recovery codes. */
export async function enrolTwoFactor(page: Page, email: string): Promise<{ secret: string; recoveryCodes: string[] }> {
  await page.goto("/account/two-factor");
  await page.getByRole("button", { name: "Turn on two-factor authentication" }).click();
  await expect(page.getByRole("img", { name: "QR code for your authenticator app" }).locator("svg")).toBeVisible();
  const secret = (await page.getByTestId("totp-secret").textContent())!.trim();
  await page.getByLabel("6-digit code from your authenticator app").fill(await nextTotpCode(email, secret));
  await page.getByRole("button", { name: "Turn on", exact: true }).click();
  const codes = page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
  await expect(codes).toHaveCount(10);
  const recoveryCodes = (await codes.allTextContents()).map((c) => c.trim());
  await page.getByRole("button", { name: "I've saved them" }).click();
  await expect(page.getByText(/Two-factor authentication is on/)).toBeVisible();
  return { secret, recoveryCodes };
}
