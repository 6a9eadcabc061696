import { expect, test } from "@playwright/test";
import { DEMO_ADMIN, newPerson, signIn, signUp } from "./support/users";
import { sql } from "./support/database";

test("home page explains the app and offers sign-up and sign-in", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Fund your balance straight from your bank.");
  await expect(page.getByRole("main").getByRole("link", { name: "Create an account" })).toBeVisible();
  await expect(page.getByRole("main").getByRole("link", { name: "Sign in" })).toBeVisible();
});

test("protected pages send anonymous visitors to sign-in and back afterwards", async ({ page }) => {
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fdashboard/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
});

test("sign up, sign out, then sign in again", async ({ page }) => {
  const person = newPerson("journey");
  await signUp(page, person);
  await expect(page.getByRole("heading", { name: `Welcome, ${person.name}` })).toBeVisible();
  await expect(page.getByTestId("signed-in-as")).toHaveText(person.email);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("navigation").getByRole("link", { name: "Sign in" })).toBeVisible();
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/signin/);

  await signIn(page, person);
  await expect(page.getByRole("heading", { name: `Welcome, ${person.name}` })).toBeVisible();
});

test("a wrong password gets a message that does not reveal whether the email exists", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("Email").fill("nobody-here@example.test");
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toHaveText("Invalid email or password.");
  await expect(page).toHaveURL(/\/signin/);
});

test("sign-up shows what is wrong with the form", async ({ page }) => {
  await page.goto("/signup");
  await page.getByLabel("Full name").fill("Short Pw");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel(/^Password/).fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Enter a valid email address")).toBeVisible();
  await expect(page.getByText("Use at least 10 characters")).toBeVisible();
});

test("the admin area is closed to users (403 page) and open to admins", async ({ page }) => {
  await signUp(page, newPerson("plain"));
  await expect(page.getByRole("navigation").getByRole("link", { name: "Admin" })).toHaveCount(0);
  const response = await page.goto("/admin");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "You don't have access to this page" })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await signIn(page, DEMO_ADMIN);
  await page.getByRole("navigation").getByRole("link", { name: "Admin" }).click();
  await expect(page.getByRole("heading", { name: "Admin" })).toBeVisible();
  await expect(page.getByRole("cell", { name: DEMO_ADMIN.email })).toBeVisible();
});

test("a disabled user is signed out at their next request", async ({ page }) => {
  const person = newPerson("disabled");
  await signUp(page, person);
  await sql(`UPDATE "users" SET "disabled" = true WHERE "email" = $1`, [person.email]);
  await page.reload();
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fdashboard/);
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toHaveText(/This account has been disabled/);
});
