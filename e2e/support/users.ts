import { expect, type Page } from "@playwright/test";
import { currentTarget } from "./targets";
import { sql } from "./database";

export const DEMO_ADMIN = { email: "admin@fundwell.test", password: "fundwell-admin" };

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

export async function signIn(page: Page, credentials: { email: string; password: string }): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(credentials.email);
  await page.getByLabel("Password").fill(credentials.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
}

/**
 * Signs in as an admin. Local sandbox: the seeded demo admin. Real sandbox:
 * no demo accounts are seeded, so the first call signs the same address up,
 * marks it verified in the database (what the verification mail's link
 * does) and signs in again: the e2e server lists it in ADMIN_EMAILS, which
 * promotes a verified address at sign-in.
 */
export async function signInAsAdmin(page: Page): Promise<void> {
  if (currentTarget() === "local") return signIn(page, DEMO_ADMIN);
  await page.goto("/signin");
  await page.getByLabel("Email").fill(DEMO_ADMIN.email);
  await page.getByLabel("Password").fill(DEMO_ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  const refused = page.getByRole("main").getByRole("alert");
  await expect(refused.or(page.getByTestId("signed-in-as"))).toBeVisible();
  if (!(await refused.isVisible())) return;
  await signUp(page, { name: "Fundwell Admin", ...DEMO_ADMIN });
  await sql(`UPDATE "users" SET "email_verified" = now() WHERE "email" = $1`, [DEMO_ADMIN.email]);
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await signIn(page, DEMO_ADMIN);
}
