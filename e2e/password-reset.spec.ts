import { expect, expectNoSeriousA11yViolations, test } from "./support/fixtures";
import { newPerson, signIn, signUp } from "./support/users";
import { HttpSession } from "./support/http";
import { waitForMail } from "./support/sandbox";

test("forgot password: the link by mail sets a new password and ends every session", async ({ page, context, browser, baseURL }) => {
  const person = newPerson("reset");
  await signUp(page, person);
  // A session saved before the reset, as a second browser or a copied cookie would hold it.
  const saved = await HttpSession.of(context, baseURL!);
  expect((await saved.fetch("/api/dashboard")).status()).toBe(200);

  // Someone who forgot their password, in another browser.
  const forgetful = await browser.newContext({ baseURL });
  const reset = await forgetful.newPage();
  await reset.goto("/signin");
  await reset.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(reset).toHaveURL(/\/forgot-password$/);
  await expectNoSeriousA11yViolations(reset, "forgot password");
  await reset.getByLabel("Email").fill(person.email);
  await reset.getByRole("button", { name: "Send reset link" }).click();
  await expect(reset.getByRole("status")).toContainText("If an account exists for that address, we've sent a link");

  const mail = await waitForMail(person.email, /^Reset your Fundwell password$/);
  const link = /(http\S+\/reset-password\?token=[A-Za-z0-9_-]+)/.exec(mail.text ?? "")?.[1];
  expect(link, "the reset link in the mail").toBeTruthy();

  const response = await reset.goto(link!);
  expect(response!.headers()["referrer-policy"]).toBe("no-referrer");
  await expect(reset.locator('meta[name="referrer"]')).toHaveAttribute("content", "no-referrer");
  // The token leaves the address bar as soon as the page has read it.
  await expect(reset).toHaveURL(/\/reset-password$/);
  await expectNoSeriousA11yViolations(reset, "reset password");
  await reset.getByLabel(/^New password/).fill("a new password after reset");
  await reset.getByRole("button", { name: "Set new password" }).click();
  await expect(reset).toHaveURL(/\/signin\?reset=done$/);
  await expect(reset.getByRole("status")).toContainText("Your password was changed");

  // Every session ended, the one saved before included; the link works once.
  expect((await saved.fetch("/api/dashboard")).status()).toBe(401);
  await reset.goto(link!);
  await expect(reset.getByRole("main").getByRole("alert")).toContainText("invalid, has expired or was already used");
  const again = await HttpSession.anonymous(baseURL!).fetch("/api/password/reset", {
    method: "POST",
    data: { token: new URL(link!).searchParams.get("token"), password: "yet another password" },
    headers: { origin: baseURL! },
  });
  expect(again.status()).toBe(400);

  // The old password no longer works; the new one does.
  await reset.goto("/signin");
  await reset.getByLabel("Email").fill(person.email);
  await reset.getByLabel("Password").fill(person.password);
  await reset.getByRole("button", { name: "Sign in" }).click();
  await expect(reset.getByRole("main").getByRole("alert")).toBeVisible();
  await signIn(reset, { email: person.email, password: "a new password after reset" });
  await expect(reset.getByTestId("signed-in-as")).toHaveText(person.email);

  const notice = await waitForMail(person.email, /^Your Fundwell password was changed$/);
  expect(notice.text).toContain("with a reset link sent to this address");
  await forgetful.close();
});

test("forgot password answers the same for an address without an account", async ({ page }) => {
  await page.goto("/forgot-password");
  await page.getByLabel("Email").fill(newPerson("nobody").email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("status")).toContainText("If an account exists for that address, we've sent a link");
});
