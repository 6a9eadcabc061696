/**
 * The Plaid Link stand-in in a real browser (Debian's Chromium), driven
 * through the REAL react-plaid-link (fixtures/link/app.tsx) the way a person
 * would: by role and label, inside the "Plaid Link" iframe.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CountryCode, DepositoryAccountSubtype, Products, type LinkTokenAccountFilters } from "plaid";
import type { FrameLocator, Page } from "@playwright/test";
import { AxeBuilder } from "@axe-core/playwright";
import { CDN_URL, startLinkHarness, type LinkHarness, type LinkLogEntry } from "./fixtures/link/harness.js";

let t: LinkHarness;

beforeAll(async () => {
  t = await startLinkHarness();
}, 30_000);
afterAll(async () => {
  await t?.close();
});

const CHECKING_ONLY_FILTERS: LinkTokenAccountFilters = {
  depository: { account_subtypes: [DepositoryAccountSubtype.Checking, DepositoryAccountSubtype.Savings] },
};

type EventEntry = Extract<LinkLogEntry, { kind: "event" }>;

function events(log: LinkLogEntry[]): EventEntry[] {
  return log.filter((e): e is EventEntry => e.kind === "event");
}

/** "NAME" or "TRANSITION_VIEW:VIEW" for each event. */
function sequence(log: LinkLogEntry[]): string[] {
  return events(log).map((e) => (e.name === "TRANSITION_VIEW" ? `TRANSITION_VIEW:${String(e.metadata.view_name)}` : e.name));
}

async function control(action: string, body: Record<string, unknown>): Promise<unknown> {
  const res = await fetch(`${t.sandbox.url}/__sandbox/${action}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`control ${action}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function expectNoAxeViolations(page: Page, pane: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  expect(result.violations.map((v) => `${pane}: ${v.id} ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

async function openLink(page: Page, link: FrameLocator): Promise<void> {
  await page.getByRole("button", { name: "Connect a bank account" }).click();
  await expect.poll(() => link.getByRole("dialog").isVisible()).toBe(true);
}

async function chooseBank(link: FrameLocator, name = "First Platypus Bank"): Promise<void> {
  await link.getByRole("button", { name: "Continue" }).click();
  await link.getByLabel("Search for your bank").fill(name.split(" ").slice(-2).join(" "));
  await link.getByRole("button", { name, exact: true }).click();
}

async function logIn(link: FrameLocator, username: string, password: string): Promise<void> {
  await link.getByLabel("Username").fill(username);
  await link.getByLabel("Password").fill(password);
  await link.getByRole("button", { name: "Submit" }).click();
}

async function pickAccountAndFinish(link: FrameLocator, account = /Plaid Checking/): Promise<void> {
  await link.getByRole("radio", { name: account }).check();
  await link.getByRole("button", { name: "Continue" }).click();
  await link.getByRole("heading", { name: "Success" }).waitFor();
  await link.getByRole("button", { name: "Continue" }).click();
}

function cdnRequests(): string[] {
  return t.requests.filter((url) => url.startsWith("https://cdn.plaid.com"));
}

describe("Link stand-in through react-plaid-link", { timeout: 30_000 }, () => {
  it("links one checking account: onSuccess metadata, events, the public token exchanges to an item with that account", async () => {
    const token = await t.linkToken({ account_filters: CHECKING_ONLY_FILTERS });
    const { page, context, link } = await t.openPage(token);
    // react-plaid-link found the placeholder and added no script of its own.
    expect(await page.locator(`script[src="${CDN_URL}"]`).count()).toBe(1);
    expect(await page.locator(`script[src="${CDN_URL}"]`).getAttribute("type")).toBe("text/plain");
    expect(await page.locator('iframe[title="Plaid Link"]').getAttribute("id")).toMatch(/^plaid-link-iframe-\d+$/);

    await openLink(page, link);
    await expect.poll(() => link.getByRole("dialog", { name: "Fundwell uses Plaid to connect your account" }).isVisible()).toBe(true);
    await chooseBank(link);
    await link.getByRole("heading", { name: "Log in at First Platypus Bank" }).waitFor();
    await logIn(link, "user_good", "pass_good");
    await link.getByRole("heading", { name: "Select an account" }).waitFor();
    // account_filters checking + savings: two choices, not the CD, credit card, loans...
    expect(await link.getByRole("radio").count()).toBe(2);
    await pickAccountAndFinish(link);

    const success = await t.waitForEntry(page, "success");
    if (success.kind !== "success") throw new Error("unreachable");
    expect(success.publicToken).toMatch(/^public-sandbox-/);
    const metadata = success.metadata as {
      institution: { name: string; institution_id: string };
      accounts: { id: string; name: string; mask: string; type: string; subtype: string; verification_status: null }[];
      link_session_id: string;
      transfer_status: null;
    };
    expect(metadata.institution).toEqual({ name: "First Platypus Bank", institution_id: "ins_109508" });
    expect(metadata.accounts).toHaveLength(1);
    expect(metadata.accounts[0]).toMatchObject({
      name: "Plaid Checking",
      mask: "0000",
      type: "depository",
      subtype: "checking",
      verification_status: null,
    });
    expect(metadata.transfer_status).toBeNull();
    expect(metadata.link_session_id).toMatch(/^[0-9a-f-]{36}$/);
    // Exactly the fields Plaid documents for onSuccess metadata, nothing of the sandbox's own.
    expect(Object.keys(metadata).sort()).toEqual(["accounts", "institution", "link_session_id", "transfer_status"]);

    const log = await t.log(page);
    expect(sequence(log)).toEqual([
      "OPEN",
      "TRANSITION_VIEW:CONSENT",
      "TRANSITION_VIEW:SELECT_INSTITUTION",
      "SEARCH_INSTITUTION",
      "SELECT_INSTITUTION",
      "TRANSITION_VIEW:CREDENTIAL",
      "SUBMIT_CREDENTIALS",
      "TRANSITION_VIEW:LOADING",
      "TRANSITION_VIEW:SELECT_ACCOUNT",
      "TRANSITION_VIEW:LOADING",
      "TRANSITION_VIEW:CONNECTED",
      "HANDOFF",
    ]);
    expect(events(log).find((e) => e.name === "SEARCH_INSTITUTION")!.metadata.institution_search_query).toBe("Platypus Bank");
    for (const e of events(log)) {
      expect(e.metadata).toHaveProperty("brand_name", null);
      expect(e.metadata.link_session_id).toBe(metadata.link_session_id);
      expect(e.metadata.is_update_mode).toBe("no");
      expect(Number.isNaN(Date.parse(String(e.metadata.timestamp)))).toBe(false);
      expect(e.metadata).toHaveProperty("request_id");
    }
    const selected = events(log).find((e) => e.name === "SELECT_INSTITUTION")!;
    expect(selected.metadata).toMatchObject({ institution_id: "ins_109508", institution_name: "First Platypus Bank" });
    expect(await page.locator('iframe[title="Plaid Link"]').isVisible()).toBe(false);

    const { data: exchanged } = await t.plaid.itemPublicTokenExchange({ public_token: success.publicToken! });
    const { data: accounts } = await t.plaid.accountsGet({ access_token: exchanged.access_token });
    expect(accounts.item.institution_id).toBe("ins_109508");
    expect(accounts.accounts.map((a) => a.account_id)).toEqual([metadata.accounts[0]!.id]);
    await context.close();
  });

  it("Account Select for several accounts: checkboxes, onSuccess and the item carry each chosen account; /link/token/get lists the session", async () => {
    await control("plaid/link_settings", { account_select: "multiple" });
    try {
      const token = await t.linkToken();
      const { page, context, link } = await t.openPage(token);
      const before = await t.plaid.linkTokenGet({ link_token: token });
      expect(before.data.link_sessions).toBeUndefined();
      await openLink(page, link);
      await chooseBank(link);
      await logIn(link, "user_good", "pass_good");
      await link.getByRole("heading", { name: "Select accounts" }).waitFor();
      expect(await link.getByRole("radio").count()).toBe(0);
      await expectNoAxeViolations(page, "accounts (multiple)");
      await link.getByRole("button", { name: "Continue" }).click();
      await link.getByText("Select at least one account to continue.").waitFor();
      await link.getByRole("checkbox", { name: /Plaid Checking/ }).check();
      await link.getByRole("checkbox", { name: /Plaid Saving/ }).check();
      await link.getByRole("button", { name: "Continue" }).click();
      await link.getByRole("heading", { name: "Success" }).waitFor();
      await link.getByRole("button", { name: "Continue" }).click();
      const success = await t.waitForEntry(page, "success");
      if (success.kind !== "success") throw new Error("unreachable");
      const metadata = success.metadata as { accounts: { id: string; subtype: string }[]; link_session_id: string };
      expect(metadata.accounts.map((a) => a.subtype)).toEqual(["checking", "savings"]);

      const { data } = await t.plaid.linkTokenGet({ link_token: token });
      expect(data.link_sessions).toHaveLength(1);
      const session = data.link_sessions![0]!;
      expect(session.link_session_id).toBe(metadata.link_session_id);
      expect(session.finished_at).not.toBeNull();
      expect(session.results?.item_add_results[0]).toMatchObject({
        public_token: success.publicToken,
        institution: { institution_id: "ins_109508" },
        accounts: metadata.accounts,
      });
      const { data: exchanged } = await t.plaid.itemPublicTokenExchange({ public_token: success.publicToken! });
      const { data: accounts } = await t.plaid.accountsGet({ access_token: exchanged.access_token });
      expect(accounts.accounts.map((a) => a.account_id)).toEqual(metadata.accounts.map((a) => a.id));
      await context.close();
    } finally {
      await control("plaid/link_settings", { account_select: "one" });
    }
  });

  it("Account Select for all accounts: every eligible account is shared; degraded and down banks emit their events", async () => {
    await control("plaid/link_settings", { account_select: "all" });
    try {
      const { page, context, link } = await t.openPage(await t.linkToken({ account_filters: CHECKING_ONLY_FILTERS }));
      await openLink(page, link);
      await chooseBank(link, "Unhealthy Platypus Bank - Degraded");
      await logIn(link, "user_good", "pass_good");
      await link.getByRole("heading", { name: "Select accounts" }).waitFor();
      expect(await link.getByRole("checkbox", { checked: true, disabled: true }).count()).toBe(2);
      await link.getByRole("button", { name: "Continue" }).click();
      await link.getByRole("heading", { name: "Success" }).waitFor();
      await link.getByRole("button", { name: "Continue" }).click();
      const success = await t.waitForEntry(page, "success");
      if (success.kind !== "success") throw new Error("unreachable");
      expect((success.metadata as { accounts: unknown[] }).accounts).toHaveLength(2);
      const log = await t.log(page);
      expect(sequence(log)).toContain("SELECT_DEGRADED_INSTITUTION");
      expect(sequence(log)).not.toContain("SELECT_DOWN_INSTITUTION");
      await context.close();
    } finally {
      await control("plaid/link_settings", { account_select: "one" });
    }
    const { page, context, link } = await t.openPage(await t.linkToken());
    await openLink(page, link);
    await chooseBank(link, "Unhealthy Platypus Bank - Down");
    await link.getByRole("heading", { name: /Log in at/ }).waitFor();
    const down = events(await t.log(page)).find((e) => e.name === "SELECT_DOWN_INSTITUTION");
    expect(down?.metadata).toMatchObject({ institution_id: "ins_132361" });
    await context.close();
  });

  it("an OAuth bank with a redirect_uri shows the OAUTH pane (passes axe); closing it exits with requires_oauth", async () => {
    const { page, context, link } = await t.openPage(await t.linkToken({ redirect_uri: "https://app.example/oauth-return" }));
    await openLink(page, link);
    await chooseBank(link, "Platypus OAuth Bank");
    await link.getByRole("heading", { name: "Log in at Platypus OAuth Bank" }).waitFor();
    expect(await link.getByLabel("Username").count()).toBe(0);
    await link.getByRole("button", { name: "Continue to login" }).waitFor();
    await expectNoAxeViolations(page, "oauth");
    await link.getByRole("button", { name: "Close" }).click();
    await link.getByRole("button", { name: "Exit" }).click();
    const exit = await t.waitForEntry(page, "exit");
    expect(exit).toMatchObject({ metadata: { status: "requires_oauth", institution: { institution_id: "ins_127287" } } });
    expect(sequence(await t.log(page))).toContain("TRANSITION_VIEW:OAUTH");
    await context.close();
  });

  it("device MFA (mfa_device, code 1234)", async () => {
    const { page, context, link } = await t.openPage(await t.linkToken());
    await openLink(page, link);
    await chooseBank(link, "Tartan Bank");
    await logIn(link, "user_good", "mfa_device");
    await link.getByRole("heading", { name: "Verify your identity" }).waitFor();
    await link.getByLabel("Verification code").fill("1234");
    await link.getByRole("button", { name: "Submit" }).click();
    // products auth without filters: checking, savings, cash management
    await link.getByRole("heading", { name: "Select an account" }).waitFor();
    expect(await link.getByRole("radio").count()).toBe(3);
    await pickAccountAndFinish(link, /Plaid Saving/);
    const success = await t.waitForEntry(page, "success");
    if (success.kind !== "success") throw new Error("unreachable");
    expect(success.metadata).toMatchObject({
      institution: { institution_id: "ins_109511" },
      accounts: [{ subtype: "savings", mask: "1111" }],
    });
    const log = await t.log(page);
    expect(sequence(log)).toContain("SUBMIT_MFA");
    const mfaView = events(log).find((e) => e.metadata.view_name === "MFA")!;
    expect(mfaView.metadata.mfa_type).toBe("code");
    expect(events(log).find((e) => e.name === "SUBMIT_MFA")!.metadata.mfa_type).toBe("code");
    await context.close();
  });

  // Six axe scans and two Link sessions: 30 s is too tight on a loaded machine.
  it("questions and selections MFA; every pane passes axe (WCAG 2.1 AA)", { timeout: 60_000 }, async () => {
    const { page, context, link } = await t.openPage(await t.linkToken());
    const axe = async (pane: string) => {
      const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
      expect(result.violations.map((v) => `${pane}: ${v.id} ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
    };
    await openLink(page, link);
    await link.getByRole("button", { name: "Continue" }).waitFor();
    await axe("consent");
    await chooseBank(link, "First Gingham Credit Union");
    await axe("credential");
    await logIn(link, "user_good", "mfa_questions_2_1");
    await link.getByRole("heading", { name: "Answer your security questions (1 of 2)" }).waitFor();
    await axe("mfa questions");
    await link.getByLabel("Question 1-1 (answer: answer_1_1)").fill("answer_1_1");
    await link.getByRole("button", { name: "Submit" }).click();
    await link.getByLabel("Question 2-1 (answer: answer_2_1)").fill("answer_2_1");
    await link.getByRole("button", { name: "Submit" }).click();
    await link.getByRole("heading", { name: "Select an account" }).waitFor();
    await axe("select account");
    await pickAccountAndFinish(link);
    await t.waitForEntry(page, "success");

    // Same handler, opened again: a new Link session.
    await openLink(page, link);
    await chooseBank(link, "First Gingham Credit Union");
    await logIn(link, "user_good", "mfa_selections");
    await link.getByRole("group", { name: "Did you open a Plaid Checking account?" }).getByRole("radio", { name: "Yes" }).check();
    await axe("mfa selections");
    await link.getByRole("button", { name: "Submit" }).click();
    await pickAccountAndFinish(link);
    await expect.poll(async () => (await t.log(page)).filter((e) => e.kind === "success").length).toBe(2);
    const log = await t.log(page);
    const sessions = new Set(events(log).map((e) => e.metadata.link_session_id));
    expect(sessions.size).toBe(2);
    expect(
      events(log)
        .filter((e) => e.name === "SUBMIT_MFA")
        .map((e) => e.metadata.mfa_type),
    ).toEqual(["questions", "questions", "selections"]);

    // A wrong answer: INVALID_MFA on the error pane.
    await openLink(page, link);
    await chooseBank(link, "First Gingham Credit Union");
    await logIn(link, "user_good", "mfa_device");
    await link.getByLabel("Verification code").fill("0000");
    await link.getByRole("button", { name: "Submit" }).click();
    await link.getByRole("heading", { name: "The code or answer is incorrect" }).waitFor();
    await axe("error");
    await page.keyboard.press("Escape");
    await expect
      .poll(async () => (await t.log(page)).find((e) => e.kind === "exit"))
      .toMatchObject({
        error: { error_code: "INVALID_MFA" },
        metadata: { status: "requires_code" },
      });
    await context.close();
  });

  it("error_ITEM_LOCKED shows the error pane, then onExit(error, metadata)", async () => {
    const { page, context, link } = await t.openPage(await t.linkToken());
    await openLink(page, link);
    await chooseBank(link);
    await logIn(link, "user_good", "error_ITEM_LOCKED");
    await link.getByRole("heading", { name: "Your account is locked" }).waitFor();
    await expect.poll(() => link.getByText("Error code: ITEM_LOCKED").isVisible()).toBe(true);
    await link.getByRole("button", { name: "Exit" }).click();
    const exit = await t.waitForEntry(page, "exit");
    if (exit.kind !== "exit") throw new Error("unreachable");
    expect(exit.error).toEqual({
      error_type: "ITEM_ERROR",
      error_code: "ITEM_LOCKED",
      error_message: expect.any(String),
      display_message: expect.any(String),
    });
    expect(exit.metadata).toEqual({
      institution: { name: "First Platypus Bank", institution_id: "ins_109508" },
      status: "requires_credentials",
      link_session_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      request_id: expect.stringMatching(/^[A-Za-z0-9]{15}$/),
    });
    const log = await t.log(page);
    expect(sequence(log).slice(-4)).toEqual(["TRANSITION_VIEW:LOADING", "ERROR", "TRANSITION_VIEW:ERROR", "EXIT"]);
    const error = events(log).find((e) => e.name === "ERROR")!;
    expect(error.metadata).toMatchObject({ error_type: "ITEM_ERROR", error_code: "ITEM_LOCKED" });
    expect(log.some((e) => e.kind === "success")).toBe(false);
    await context.close();
  });

  it("INVALID_CREDENTIALS can be retried; a person closing Link gets onExit(null, metadata)", async () => {
    const { page, context, link } = await t.openPage(await t.linkToken());
    await openLink(page, link);
    await chooseBank(link);
    await logIn(link, "user_good", "error_INVALID_CREDENTIALS");
    await link.getByRole("heading", { name: "The username or password is incorrect" }).waitFor();
    await link.getByRole("button", { name: "Try again" }).click();
    await logIn(link, "user_good", "pass_good");
    await link.getByRole("heading", { name: "Select an account" }).waitFor();
    // The close button asks first (TRANSITION_VIEW EXIT), then exits.
    await link.getByRole("button", { name: "Close" }).click();
    await link.getByRole("heading", { name: "Are you sure you want to exit?" }).waitFor();
    await link.getByRole("button", { name: "Exit" }).click();
    const exit = await t.waitForEntry(page, "exit");
    if (exit.kind !== "exit") throw new Error("unreachable");
    expect(exit.error).toBeNull();
    expect(exit.metadata).toMatchObject({ institution: { institution_id: "ins_109508" }, status: "requires_account_selection" });
    expect(sequence(await t.log(page)).slice(-3)).toEqual(["TRANSITION_VIEW:SELECT_ACCOUNT", "TRANSITION_VIEW:EXIT", "EXIT"]);
    await expect.poll(() => page.locator('iframe[title="Plaid Link"]').isVisible()).toBe(false);
    // Focus returns to the button that opened Link.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Connect a bank account");

    // Escape on the consent pane: onExit(null, …) at once.
    await openLink(page, link);
    await link.getByRole("button", { name: "Continue" }).waitFor();
    await page.keyboard.press("Escape");
    await expect.poll(async () => (await t.log(page)).filter((e) => e.kind === "exit").length).toBe(2);
    const second = (await t.log(page)).filter((e) => e.kind === "exit")[1]!;
    expect(second).toMatchObject({ error: null, metadata: { institution: null, status: null } });
    await context.close();
  });

  it("an invalid or expired link token ends in onExit with INVALID_LINK_TOKEN", async () => {
    const { page, context, link } = await t.openPage("link-sandbox-00000000-0000-4000-8000-000000000000");
    await page.getByRole("button", { name: "Connect a bank account" }).click();
    const exit = await t.waitForEntry(page, "exit");
    expect(exit).toMatchObject({
      error: { error_type: "INVALID_INPUT", error_code: "INVALID_LINK_TOKEN" },
      metadata: { institution: null },
    });
    expect(sequence(await t.log(page))).toEqual(["ERROR", "EXIT"]);
    expect(await link.getByRole("dialog").isVisible()).toBe(false);
    await context.close();
  });

  it("a link token expiring mid-flow ends Link with INVALID_LINK_TOKEN; opening it again exits at once", async () => {
    const { page, context, link } = await t.openPage(await t.linkToken());
    await openLink(page, link);
    await chooseBank(link);
    await link.getByLabel("Username").fill("user_good");
    await link.getByLabel("Password").fill("pass_good");
    const advanced = await fetch(`${t.sandbox.url}/__sandbox/plaid/advance_time`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ hours: 5 }),
    });
    expect(advanced.status).toBe(200);
    await link.getByRole("button", { name: "Submit" }).click();
    const exit = await t.waitForEntry(page, "exit");
    expect(exit).toMatchObject({
      error: { error_code: "INVALID_LINK_TOKEN", error_message: "link token has expired" },
      metadata: { institution: { institution_id: "ins_109508" }, status: "requires_credentials" },
    });
    await page.getByRole("button", { name: "Connect a bank account" }).click();
    await expect.poll(async () => (await t.log(page)).filter((e) => e.kind === "exit").length).toBe(2);
    expect(await page.locator('iframe[title="Plaid Link"]').isVisible()).toBe(false);
    await context.close();
  });

  it("update mode after /sandbox/item/reset_login repairs the item (same access token, no new item)", async () => {
    const { data: created } = await t.plaid.sandboxPublicTokenCreate({ institution_id: "ins_109508", initial_products: [Products.Auth] });
    const { data: item } = await t.plaid.itemPublicTokenExchange({ public_token: created.public_token });
    await t.plaid.sandboxItemResetLogin({ access_token: item.access_token });
    const before = await t.plaid.itemGet({ access_token: item.access_token });
    expect(before.data.item.error?.error_code).toBe("ITEM_LOGIN_REQUIRED");

    const { data: tokenData } = await t.plaid.linkTokenCreate({
      client_name: "Fundwell",
      language: "en",
      country_codes: [CountryCode.Us],
      user: { client_user_id: "user-1" },
      access_token: item.access_token,
    });
    const { page, context, link } = await t.openPage(tokenData.link_token);
    await openLink(page, link);
    // No consent or institution selection: straight to the item's bank.
    await link.getByRole("heading", { name: "Log in again to First Platypus Bank" }).waitFor();
    await logIn(link, "user_good", "pass_good");
    await link.getByRole("heading", { name: "Success" }).waitFor();
    await link.getByRole("button", { name: "Continue" }).click();
    const success = await t.waitForEntry(page, "success");
    expect(success).toMatchObject({ metadata: { institution: { institution_id: "ins_109508" } } });
    const log = await t.log(page);
    expect(sequence(log)).toEqual([
      "OPEN",
      "TRANSITION_VIEW:CREDENTIAL",
      "SUBMIT_CREDENTIALS",
      "TRANSITION_VIEW:LOADING",
      "TRANSITION_VIEW:CONNECTED",
      "HANDOFF",
    ]);
    expect(events(log).every((e) => e.metadata.is_update_mode === "yes")).toBe(true);

    const after = await t.plaid.itemGet({ access_token: item.access_token });
    expect(after.data.item.error).toBeNull();
    expect(after.data.item.item_id).toBe(item.item_id);
    await context.close();
  });

  it("works with the keyboard alone (Tab, Enter, Space), focus moved into and trapped in the dialog", async () => {
    const { page, context, link } = await t.openPage(await t.linkToken(), "own-placeholder");
    const focused = () => link.locator(":focus").evaluate((el) => el.getAttribute("aria-label") ?? el.textContent ?? el.id);
    const focusedId = () => link.locator(":focus").evaluate((el) => el.id);

    await page.keyboard.press("Tab");
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Connect a bank account");
    await page.keyboard.press("Enter");
    // Focus lands on the consent pane's Continue; Tab wraps to Close and back (trapped).
    await expect.poll(focused).toBe("Continue");
    await page.keyboard.press("Tab");
    await expect.poll(focused).toBe("Close");
    await page.keyboard.press("Shift+Tab");
    await expect.poll(focused).toBe("Continue");
    await page.keyboard.press("Enter");

    await expect.poll(focusedId).toBe("institution-search");
    await page.keyboard.type("Houndstooth");
    await page.keyboard.press("Tab");
    await expect.poll(focused).toBe("Houndstooth Bank");
    await page.keyboard.press("Enter");

    await expect.poll(focusedId).toBe("username");
    await page.keyboard.type("user_good");
    await page.keyboard.press("Tab");
    await page.keyboard.type("pass_good");
    await page.keyboard.press("Enter");

    await link.getByRole("heading", { name: "Select an account" }).waitFor();
    await expect.poll(focusedId).toBe("account-0");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("Space");
    await page.keyboard.press("Tab");
    await expect.poll(focused).toBe("Continue");
    await page.keyboard.press("Enter");

    await link.getByRole("heading", { name: "Success" }).waitFor();
    await expect.poll(focused).toBe("Continue");
    await page.keyboard.press("Space");
    const success = await t.waitForEntry(page, "success");
    expect(success).toMatchObject({ metadata: { institution: { institution_id: "ins_109512" }, accounts: [{ subtype: "checking" }] } });
    await context.close();
  });

  it("window.Plaid.create: { open, exit, destroy, submit }; exit() asks, exit({ force: true }) closes, destroy() removes the iframe", async () => {
    const token = await t.linkToken();
    const { page, context } = await t.openPage(token);
    const shape = await page.evaluate((linkToken) => {
      const w = window as unknown as {
        Plaid: { create(o: object): Record<string, unknown> };
        __direct: unknown[];
        __handler: Record<string, () => void>;
      };
      w.__direct = [];
      const handler = w.Plaid.create({
        token: linkToken,
        onSuccess: () => w.__direct.push("success"),
        onExit: (error: unknown, metadata: unknown) => w.__direct.push({ error, metadata }),
        onEvent: (name: string) => w.__direct.push(name),
        onLoad: () => w.__direct.push("load"),
      });
      w.__handler = handler as Record<string, () => void>;
      return Object.keys(handler).sort();
    }, token);
    expect(shape).toEqual(["destroy", "exit", "open", "submit"]);
    const direct = () => page.evaluate(() => (window as unknown as { __direct: unknown[] }).__direct);
    const call = (code: string) => page.evaluate(code);
    await expect.poll(direct).toContain("load");
    const frames = page.locator('iframe[title="Plaid Link"]');
    expect(await frames.count()).toBe(2);
    const link = page.frameLocator('iframe[title="Plaid Link"]:visible');

    await call("window.__handler.open()");
    await link.getByRole("button", { name: "Continue" }).click();
    await link.getByLabel("Search for your bank").waitFor();
    await call("window.__handler.exit()");
    await link.getByRole("heading", { name: "Are you sure you want to exit?" }).waitFor();
    await link.getByRole("button", { name: "Go back" }).click();
    await link.getByLabel("Search for your bank").waitFor();
    await call("window.__handler.exit({ force: true })");
    await expect.poll(async () => (await direct()).at(-1)).toMatchObject({ error: null, metadata: { status: "institution_not_found" } });
    expect((await direct()).slice(-3, -1)).toEqual(["TRANSITION_VIEW", "EXIT"]);
    await expect.poll(() => frames.nth(1).isVisible()).toBe(false);

    await call("window.__handler.destroy()");
    expect(await frames.count()).toBe(1);
    await context.close();
  });

  it("the recipe's tag in a React server-rendered <head> hydrates cleanly and links (as a Next.js root layout)", async () => {
    const { page, context, link } = await t.openPage(await t.linkToken(), "react-ssr");
    expect(await page.locator("head > script[src$='/link/v2/stable/link-initialize.js']").count()).toBe(1);
    expect(await page.locator(`script[src="${CDN_URL}"]`).getAttribute("type")).toBe("text/plain");
    await openLink(page, link);
    await chooseBank(link);
    await logIn(link, "user_good", "pass_good");
    await pickAccountAndFinish(link);
    expect(await t.waitForEntry(page, "success")).toMatchObject({ kind: "success", metadata: { accounts: [{ subtype: "checking" }] } });
    await context.close();
  });

  it("leaves nothing in the console (no hydration or react-plaid-link errors)", () => {
    expect(t.consoleErrors.filter((m) => !m.includes("?control"))).toEqual([]);
  });

  it("never requests Plaid's CDN script (the placeholder is inert), though a real script tag would be", async () => {
    expect(t.requests.some((url) => url.endsWith("/link/v2/stable/link-initialize.js"))).toBe(true);
    expect(cdnRequests()).toEqual([]);

    // Control: the recording does see a request for an executable script with that src.
    const { page, context } = await t.openPage(await t.linkToken());
    await page.evaluate((src) => {
      const script = document.createElement("script");
      script.src = `${src}?control`;
      document.body.appendChild(script);
    }, CDN_URL);
    await expect.poll(cdnRequests).toEqual([`${CDN_URL}?control`]);
    await context.close();
  });
});
