import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { expect, type Page } from "@playwright/test";
import { currentAppPort, currentTarget } from "./targets";
import { databaseUrlFile } from "./database";
import { waitForMail } from "./sandbox";
import { enrolTwoFactor, enterSecondFactor } from "./two-factor";

/** The seeded demo admin (lib/auth/demo-accounts.ts), with its published two-factor secret. */
export const DEMO_ADMIN = { email: "admin@fundwell.test", password: "fundwell-admin", totpSecret: "FUNDWELLDEMOADMINTOTPSECRETKEY23" };

export function newPerson(label = "person") {
  const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return { name: `Pat ${label} ${id}`, email: `${label}-${id}@example.test`, password: "a long enough password" };
}

/** Fills in and sends the sign-up form, up to its "Check your inbox" answer: the address is not verified yet, no one is signed in. */
export async function submitSignUp(page: Page, person: { name: string; email: string; password: string }): Promise<void> {
  await page.goto("/signup");
  await page.getByLabel("Full name").fill(person.name);
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel(/^Password/).fill(person.password);
  await page.getByRole("button", { name: "Create account" }).click();
  const answer = page.getByRole("status");
  await expect(answer).toContainText("Check your inbox");
  await expect(answer).toContainText(`We sent an email to ${person.email}.`);
}

/** The link of the newest verification mail to `email`, read from the sandbox's inbox. */
export async function verificationLink(email: string): Promise<string> {
  const mail = await waitForMail(email, /^Verify your email address for Fundwell$/);
  const link = /(http\S+\/verify-email\?token=[A-Za-z0-9_-]+)/.exec(mail.text ?? "")?.[1];
  if (!link) throw new Error(`no verification link in the mail to ${email}`);
  return link;
}

/** Opens the verification mail's link and presses "Verify my email". */
export async function verifyEmail(page: Page, email: string): Promise<void> {
  await page.goto(await verificationLink(email));
  await page.getByRole("button", { name: "Verify my email" }).click();
  await expect(page.getByRole("status")).toContainText("Your email address is verified.");
}

/**
 * A new account the way a person makes one: sign up, open the verification
 * mail's link, verify, sign in from there, and land on the dashboard.
 */
export async function signUp(page: Page, person: { name: string; email: string; password: string }): Promise<void> {
  await submitSignUp(page, person);
  await verifyEmail(page, person.email);
  await page.getByRole("main").getByRole("link", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fdashboard$/);
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
}

/** Signed up and signed in without verifying the address: on the dashboard, unable to link or fund. */
export async function signUpUnverified(page: Page, person: { name: string; email: string; password: string }): Promise<void> {
  await submitSignUp(page, person);
  await signIn(page, person);
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
 * signs the same address up and verifies it through the mail's link (the e2e
 * server lists it in ADMIN_EMAILS, which promotes an address when it is
 * verified), then turns two-factor on; its secret is kept beside the run's
 * database URL.
 */
export async function signInAsAdmin(page: Page): Promise<void> {
  if (currentTarget() === "local") return signIn(page, DEMO_ADMIN);
  const secretFile = `${databaseUrlFile(currentAppPort())}.admin-totp`;
  if (existsSync(secretFile)) return signIn(page, { ...DEMO_ADMIN, totpSecret: readFileSync(secretFile, "utf8") });
  await signUp(page, { name: "Fundwell Admin", ...DEMO_ADMIN });
  const { secret } = await enrolTwoFactor(page, DEMO_ADMIN.email);
  writeFileSync(secretFile, secret);
}
