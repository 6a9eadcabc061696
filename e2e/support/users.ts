import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { expect, type Page } from "@playwright/test";
import { currentAppPort, currentTarget } from "./targets";
import { databaseUrlFile, sql } from "./database";
import { enrolTwoFactor, enterSecondFactor } from "./two-factor";

/** The seeded demo admin (lib/auth/demo-accounts.ts), with its published two-factor secret. */
export const DEMO_ADMIN = { email: "admin@fundwell.test", password: "fundwell-admin", totpSecret: "FUNDWELLDEMOADMINTOTPSECRETKEY23" };

export function newPerson(label = "person") {
  const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return { name: `Pat ${label} ${id}`, email: `${label}-${id}@example.test`, password: "a long enough password" };
}

export async function signUp(page: Page, person: { name: string; email: string; password: string }): Promise<void> {
  await page.goto("/signup");
  await page.getByLabel("Full name").fill(person.name);
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel(/^Password/).fill(person.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
}

/** The sign-in page's password step only (where it leads is for the caller to check). */
export async function submitPassword(page: Page, credentials: { email: string; password: string }, path = "/signin"): Promise<void> {
  await page.goto(path);
  await page.getByLabel("Email").fill(credentials.email);
  await page.getByLabel("Password").fill(credentials.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Signs in; with `totpSecret`, also gives the second factor on /two-factor. */
export async function signIn(page: Page, credentials: { email: string; password: string; totpSecret?: string | null }): Promise<void> {
  await submitPassword(page, credentials);
  if (credentials.totpSecret) await enterSecondFactor(page, credentials.email, credentials.totpSecret);
  await expect(page).toHaveURL(/\/dashboard$/);
}

/**
 * Signs in as an admin, second factor included. Local sandbox: the seeded
 * demo admin. Real sandbox: no demo accounts are seeded, so the first call
 * signs the same address up, marks it verified in the database (what the
 * verification mail's link does), signs in again (the e2e server lists it in
 * ADMIN_EMAILS, which promotes a verified address at sign-in) and turns
 * two-factor on; its secret is kept beside the run's database URL.
 */
export async function signInAsAdmin(page: Page): Promise<void> {
  if (currentTarget() === "local") return signIn(page, DEMO_ADMIN);
  const secretFile = `${databaseUrlFile(currentAppPort())}.admin-totp`;
  if (existsSync(secretFile)) return signIn(page, { ...DEMO_ADMIN, totpSecret: readFileSync(secretFile, "utf8") });
  await signUp(page, { name: "Fundwell Admin", ...DEMO_ADMIN });
  await sql(`UPDATE "users" SET "email_verified" = now() WHERE "email" = $1`, [DEMO_ADMIN.email]);
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await signIn(page, { ...DEMO_ADMIN, totpSecret: null });
  const { secret } = await enrolTwoFactor(page, DEMO_ADMIN.email);
  writeFileSync(secretFile, secret);
}
