import { expect, test } from "./support/fixtures";
import { newPerson, signInAsAdmin, signUp } from "./support/users";

// Screenshots of the main pages, kept as artifacts of every run
// (test-results/screenshots); the README's picture is copied from here.
const dir = "test-results/screenshots";

test("screenshots of the main pages", async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 760 });
  await page.goto("/");
  await page.screenshot({ path: `${dir}/home.png` });
  await page.goto("/signin");
  await page.screenshot({ path: `${dir}/signin.png` });
  await page.goto("/signup");
  await page.screenshot({ path: `${dir}/signup.png` });
  await signUp(page, newPerson("shot"));
  await page.screenshot({ path: `${dir}/dashboard.png` });
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await signInAsAdmin(page);
  await page.goto("/admin");
  await expect(page.getByRole("heading", { level: 1, name: "Admin overview" })).toBeVisible();
  await page.screenshot({ path: `${dir}/admin.png` });
});
