import { test } from "@playwright/test";
import { DEMO_ADMIN, newPerson, signIn, signUp } from "./support/users";

// Screenshots of the main pages, kept as artifacts of every run
// (test-results/screenshots); the README's picture is copied from here.
const dir = "test-results/screenshots";

test("screenshots of the main pages", async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 760 });
  await page.goto("/");
  await page.screenshot({ path: `${dir}/home.png` });
  await page.goto("/signin");
  await page.screenshot({ path: `${dir}/signin.png` });
  await signUp(page, newPerson("shot"));
  await page.screenshot({ path: `${dir}/dashboard.png` });
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/$/);
  await signIn(page, DEMO_ADMIN);
  await page.goto("/admin");
  await page.screenshot({ path: `${dir}/admin.png` });
});
