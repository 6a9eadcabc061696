import { expect, expectNoSeriousA11yViolations, test } from "./support/fixtures";
import { newPerson, signIn, submitSignUp, verificationLink } from "./support/users";
import { fund, history, linkBank } from "./support/dashboard";
import { SANDBOX_URL } from "./support/sandbox";
import { LOCAL_SANDBOX_TAG } from "./support/targets";
import { HttpSession } from "./support/http";

const VERIFY_SUBJECT = "Verify your email address for Fundwell";

/** The subjects of the messages the sandbox inbox holds for `to`. */
async function subjects(to: string): Promise<string[]> {
  const res = await fetch(`${SANDBOX_URL}/__sandbox/mail?to=${encodeURIComponent(to)}`);
  return ((await res.json()) as { messages: { subject: string }[] }).messages.map((m) => m.subject);
}
const verificationMails = async (to: string) => (await subjects(to)).filter((s) => s === VERIFY_SUBJECT).length;

test("sign up → the mail's link → verify → sign in → link a bank → fund", async ({ page }) => {
  test.slow();
  const person = newPerson("verify");
  await test.step("sign up: the form says to check the inbox, naming the address", async () => {
    await submitSignUp(page, person);
    await expectNoSeriousA11yViolations(page, "sign-up: check your inbox");
  });

  const link = await verificationLink(person.email);
  await test.step("the link's page changes nothing until its button is pressed", async () => {
    const response = await page.goto(link);
    expect(response!.headers()["referrer-policy"]).toBe("no-referrer");
    await expect(page.locator('meta[name="referrer"]')).toHaveAttribute("content", "no-referrer");
    // The token leaves the address bar as soon as the page has read it.
    await expect(page).toHaveURL(/\/verify-email$/);
    await expectNoSeriousA11yViolations(page, "verify email");
    // Opened twice (as a mail scanner would first): still usable.
    await page.goto(link);
    await page.getByRole("button", { name: "Verify my email" }).click();
    await expect(page.getByRole("status")).toContainText("Your email address is verified.");
  });

  await test.step("sign in from there and reach the dashboard, without the verification notice", async () => {
    await page.getByRole("main").getByRole("link", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fdashboard$/);
    await page.getByLabel("Email").fill(person.email);
    await page.getByLabel("Password").fill(person.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/dashboard$/);
    await expect(page.getByRole("heading", { name: "Verify your email address" })).toHaveCount(0);
  });

  await linkBank(page);
  await test.step("fund", async () => {
    await fund(page, "12", { authorize: true });
    await expect(history(page)).toHaveCount(1);
    await expect(history(page).first()).toContainText(/Pending|Processing/);
  });

  await test.step("the link works once", async () => {
    await page.goto(link);
    await expect(page.getByRole("main").getByRole("alert")).toContainText("invalid, has expired or was already used");
  });
});

test("an unverified user cannot link or fund: the dashboard says why, and resending sends a second link", async ({
  page,
  context,
  baseURL,
}) => {
  const person = newPerson("unverified");
  await submitSignUp(page, person);
  await expect.poll(() => verificationMails(person.email), { timeout: 30_000 }).toBe(1);
  await signIn(page, person);

  await test.step("the dashboard explains, and offers neither Link nor the fund form", async () => {
    const notice = page.getByRole("region", { name: "Verify your email address" });
    await expect(notice).toContainText(`Verify your email to link a bank and add funds. We sent a link to ${person.email}.`);
    await expect(page.getByRole("button", { name: "Link a bank" })).toHaveCount(0);
    await expect(page.getByText("Verify your email address to link a bank.")).toBeVisible();
    await expect(page.getByRole("form", { name: "Add funds" })).toHaveCount(0);
    await expect(page.getByText("Verify your email address to add funds.")).toBeVisible();
    await expectNoSeriousA11yViolations(page, "dashboard, email not verified");
  });

  await test.step("the API refuses too (403 EMAIL_NOT_VERIFIED)", async () => {
    const session = await HttpSession.of(context, baseURL!);
    const origin = { origin: new URL(baseURL!).origin };
    const token = await session.fetch("/api/plaid/link-token", { method: "POST", data: {}, headers: origin });
    expect(token.status()).toBe(403);
    expect(await token.json()).toMatchObject({ error: { code: "EMAIL_NOT_VERIFIED" } });
    const pay = await session.fetch("/api/payments", {
      method: "POST",
      headers: origin,
      data: { requestId: crypto.randomUUID(), bankAccountId: "any", amountCents: 1_000 },
    });
    expect(pay.status()).toBe(403);
    expect(await pay.json()).toMatchObject({ error: { code: "EMAIL_NOT_VERIFIED" } });
  });

  await test.step("resend the link: a second mail arrives, and only the newest link works", async () => {
    const first = await verificationLink(person.email);
    await page.getByRole("button", { name: "Resend the link" }).click();
    await expect(page.getByRole("region", { name: "Verify your email address" }).getByRole("status")).toHaveText(
      `We sent a new link to ${person.email}. It works once, for 24 hours.`,
    );
    await expect.poll(() => verificationMails(person.email), { timeout: 30_000 }).toBe(2);
    await page.goto(first);
    await expect(page.getByRole("main").getByRole("alert")).toContainText("invalid, has expired or was already used");
  });

  await test.step("verifying with the new link, signed in here, leads back to a dashboard that can link", async () => {
    const newest = await verificationLink(person.email);
    await page.goto(newest);
    await page.getByRole("button", { name: "Verify my email" }).click();
    await page.getByRole("link", { name: "Continue to your dashboard" }).click();
    await expect(page).toHaveURL(/\/dashboard$/);
    await expect(page.getByRole("button", { name: "Link a bank" })).toBeVisible();
  });
});

test(`the sandbox's page shows the verification mail ${LOCAL_SANDBOX_TAG}`, async ({ page }) => {
  const person = newPerson("inbox");
  await submitSignUp(page, person);
  await verificationLink(person.email);
  await page.goto(`${SANDBOX_URL}/#mail`);
  const message = page.locator("details.mail").filter({ hasText: person.email });
  await expect(message.locator("summary")).toContainText(VERIFY_SUBJECT);
  await message.locator("summary").click();
  await expect(message.locator("pre.mail-text")).toContainText("Verify my email: http");
});

test("sign-up answers a registered address as a new one; its owner gets a note", async ({ page, browser, baseURL }) => {
  const person = newPerson("twice");
  await submitSignUp(page, person);
  const again = await browser.newContext({ baseURL });
  const other = await again.newPage();
  await submitSignUp(other, { ...person, name: "Someone Else", password: "another long password" });
  await again.close();
  await expect
    .poll(async () => (await subjects(person.email)).sort(), { timeout: 30_000 })
    .toEqual([VERIFY_SUBJECT, "Someone tried to sign up to Fundwell with your email address"].sort());
});
