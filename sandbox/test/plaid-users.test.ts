/**
 * Plaid Sandbox test users (good, MFA, error_*, user_custom) and the service
 * layer the Link stand-in uses (link session, credentials, MFA, account
 * selection, completion, update mode). Items made by the service layer are
 * then read through the official SDK.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { CountryCode, Products } from "plaid";
import { linkTokenRequest } from "./helpers/link-token.js";
import { plaidFailure, usePlaidSandbox } from "./helpers/plaid-spec.js";
import { getPlaidService, type PlaidService } from "../src/plaid/service.js";
import { evaluateCredentials, runLogin, submitMfa } from "../src/plaid/users.js";
import type { StripeBridge } from "../src/core/context.js";

const t = usePlaidSandbox();
let service: PlaidService;
beforeAll(() => {
  service = getPlaidService(t.sandbox.context);
});

async function itemFor(username: string, password: string, institution_id = "ins_109508") {
  const { data } = await t.plaid.sandboxPublicTokenCreate({
    institution_id,
    initial_products: [Products.Auth],
    options: { override_username: username, override_password: password },
  });
  return (await t.plaid.itemPublicTokenExchange({ public_token: data.public_token })).data;
}

async function linkToken(extra: Record<string, unknown> = {}): Promise<string> {
  const { data } = await t.plaid.linkTokenCreate(linkTokenRequest(extra));
  return data.link_token;
}

describe("sandbox users through /sandbox/public_token/create", () => {
  it("fails error_<CODE> passwords with the matching PlaidError", async () => {
    const cases: [string, string, string][] = [
      ["error_ITEM_LOCKED", "ITEM_ERROR", "ITEM_LOCKED"],
      ["error_INVALID_CREDENTIALS", "ITEM_ERROR", "INVALID_CREDENTIALS"],
      ["error_ITEM_NOT_SUPPORTED", "ITEM_ERROR", "ITEM_NOT_SUPPORTED"],
      ["error_INSTITUTION_DOWN", "INSTITUTION_ERROR", "INSTITUTION_DOWN"],
      ["error_USER_SETUP_REQUIRED", "ITEM_ERROR", "USER_SETUP_REQUIRED"],
    ];
    for (const [password, type, code] of cases) {
      const failure = await plaidFailure(
        t.plaid.sandboxPublicTokenCreate({
          institution_id: "ins_109508",
          initial_products: [Products.Auth],
          options: { override_password: password },
        }),
      );
      expect(failure, password).toMatchObject({ status: 400, error: { error_type: type, error_code: code } });
    }
    const locked = await plaidFailure(
      t.plaid.sandboxPublicTokenCreate({
        institution_id: "ins_109508",
        initial_products: [Products.Auth],
        options: { override_password: "error_ITEM_LOCKED" },
      }),
    );
    expect(locked.error.display_message).toContain("locked");
  });

  it("rejects wrong credentials and unknown institutions", async () => {
    const wrong = await plaidFailure(
      t.plaid.sandboxPublicTokenCreate({
        institution_id: "ins_109508",
        initial_products: [Products.Auth],
        options: { override_password: "pass_bad" },
      }),
    );
    expect(wrong.error.error_code).toBe("INVALID_CREDENTIALS");
    const unknown = await plaidFailure(t.plaid.sandboxPublicTokenCreate({ institution_id: "ins_0", initial_products: [Products.Auth] }));
    expect(unknown.error).toMatchObject({ error_type: "INVALID_INPUT", error_code: "INVALID_INSTITUTION" });
  });

  it("models down, unsupported and degraded institutions", async () => {
    const down = await plaidFailure(t.plaid.sandboxPublicTokenCreate({ institution_id: "ins_132361", initial_products: [Products.Auth] }));
    expect(down.error).toMatchObject({ error_type: "INSTITUTION_ERROR", error_code: "INSTITUTION_DOWN" });
    const unsupported = await plaidFailure(
      t.plaid.sandboxPublicTokenCreate({ institution_id: "ins_133402", initial_products: [Products.Auth] }),
    );
    expect(unsupported.error.error_type).toBe("INSTITUTION_ERROR");
    await itemFor("user_good", "pass_good", "ins_132363");
  });

  it("answers MFA automatically when Link is skipped", async () => {
    const { access_token } = await itemFor("user_good", "mfa_device");
    const { data } = await t.plaid.accountsGet({ access_token });
    expect(data.accounts).toHaveLength(12);
    await itemFor("user_good", "mfa_questions_2_3");
  });

  it("builds user_custom accounts from override_accounts", async () => {
    const password = JSON.stringify({
      override_accounts: [
        {
          type: "depository",
          subtype: "checking",
          starting_balance: 500,
          force_available_balance: 450,
          meta: { name: "Custom Checking", mask: "4242" },
          numbers: { account: "000111111116", ach_routing: "110000000" },
          identity: { names: ["Casey Custom"], emails: [{ data: "casey@example.com", primary: true, type: "primary" }] },
        },
        { type: "credit", subtype: "credit card", starting_balance: 75, meta: { limit: 1000 } },
      ],
    });
    const { access_token } = await itemFor("user_custom", password);
    const { data } = await t.plaid.accountsGet({ access_token });
    expect(data.accounts).toHaveLength(2);
    const [checking, card] = data.accounts;
    expect(checking).toMatchObject({
      name: "Custom Checking",
      mask: "4242",
      type: "depository",
      subtype: "checking",
      balances: { available: 450, current: 500 },
    });
    expect(card).toMatchObject({ type: "credit", subtype: "credit card", balances: { current: 75, limit: 1000 } });
    const { data: auth } = await t.plaid.authGet({ access_token });
    expect(auth.numbers.ach).toEqual([
      expect.objectContaining({ account_id: checking!.account_id, account: "000111111116", routing: "110000000" }),
    ]);
    const { data: identity } = await t.plaid.identityGet({ access_token });
    expect(identity.accounts[0]!.owners[0]).toMatchObject({ names: ["Casey Custom"], emails: [{ data: "casey@example.com" }] });

    // The override's account number reaches Stripe, so its failure test accounts are usable.
    const calls: Parameters<StripeBridge["createBankAccountToken"]>[0][] = [];
    const real = t.sandbox.context.stripe;
    t.sandbox.context.stripe = { createBankAccountToken: (input) => (calls.push(input), { id: "btok_custom" }) };
    try {
      await t.plaid.processorStripeBankAccountTokenCreate({ access_token, account_id: checking!.account_id });
    } finally {
      t.sandbox.context.stripe = real;
    }
    expect(calls[0]).toMatchObject({ accountNumber: "000111111116", routingNumber: "110000000", accountHolderName: "Casey Custom" });
  });

  it("honours user_custom force_error and rejects a password that is not JSON", async () => {
    const forced = await plaidFailure(
      t.plaid.sandboxPublicTokenCreate({
        institution_id: "ins_109508",
        initial_products: [Products.Auth],
        options: { override_username: "user_custom", override_password: JSON.stringify({ force_error: "ITEM_LOCKED" }) },
      }),
    );
    expect(forced.error.error_code).toBe("ITEM_LOCKED");
    const notJson = await plaidFailure(
      t.plaid.sandboxPublicTokenCreate({
        institution_id: "ins_109508",
        initial_products: [Products.Auth],
        options: { override_username: "user_custom", override_password: "{oops" },
      }),
    );
    expect(notJson.error.error_code).toBe("INVALID_CREDENTIALS");
    const none = await plaidFailure(
      t.plaid.sandboxPublicTokenCreate({
        institution_id: "ins_109508",
        initial_products: [Products.Auth],
        options: { override_username: "user_custom", override_password: JSON.stringify({ override_accounts: [] }) },
      }),
    );
    expect(none.error.error_code).toBe("NO_ACCOUNTS");
  });
});

describe("credential logic (pure)", () => {
  it("accepts user_good / pass_good and rejects anything else", () => {
    expect(evaluateCredentials("ins_109508", "user_good", "pass_good")).toMatchObject({ kind: "ok" });
    expect(evaluateCredentials("ins_109508", "user_bad", "pass_good")).toMatchObject({
      kind: "error",
      error: { error_code: "INVALID_CREDENTIALS" },
    });
    expect(evaluateCredentials("ins_109508", "user_good", "error_ITEM_LOCKED")).toMatchObject({
      kind: "error",
      error: { error_code: "ITEM_LOCKED" },
    });
  });

  it("runs device MFA with code 1234", () => {
    const first = evaluateCredentials("ins_109508", "user_good", "mfa_device");
    expect(first).toMatchObject({ kind: "mfa", challenge: { type: "device", round: 1 } });
    if (first.kind !== "mfa") throw new Error("expected mfa");
    const input = { institutionId: "ins_109508", username: "user_good", password: "mfa_device", challenge: first.challenge };
    expect(submitMfa({ ...input, responses: ["0000"] })).toMatchObject({
      kind: "error",
      error: { error_type: "ITEM_ERROR", error_code: "INVALID_MFA" },
    });
    expect(submitMfa({ ...input, responses: ["1234"] })).toMatchObject({ kind: "ok" });
  });

  it("runs question MFA round by round (answer_<round>_<question>)", () => {
    const password = "mfa_questions_2_2";
    let outcome = evaluateCredentials("ins_109508", "user_good", password);
    expect(outcome).toMatchObject({ kind: "mfa", challenge: { type: "questions", round: 1, rounds: 2 } });
    if (outcome.kind !== "mfa" || outcome.challenge.type !== "questions") throw new Error("expected questions");
    expect(outcome.challenge.questions).toHaveLength(2);
    outcome = submitMfa({
      institutionId: "ins_109508",
      username: "user_good",
      password,
      challenge: outcome.challenge,
      responses: ["answer_1_1", "answer_1_2"],
    });
    expect(outcome).toMatchObject({ kind: "mfa", challenge: { round: 2 } });
    if (outcome.kind !== "mfa") throw new Error("expected round 2");
    const wrong = submitMfa({
      institutionId: "ins_109508",
      username: "user_good",
      password,
      challenge: outcome.challenge,
      responses: ["answer_1_1", "answer_1_2"],
    });
    expect(wrong).toMatchObject({ kind: "error", error: { error_code: "INVALID_MFA" } });
    expect(
      runLogin("ins_109508", "user_good", password, [
        ["answer_1_1", "answer_1_2"],
        ["answer_2_1", "answer_2_2"],
      ]),
    ).toMatchObject({ kind: "ok" });
  });

  it("runs selection MFA and custom MFA", () => {
    const selections = evaluateCredentials("ins_109508", "user_good", "mfa_selections");
    expect(selections).toMatchObject({ kind: "mfa", challenge: { type: "selections", selections: [{ answers: ["Yes", "No"] }] } });
    expect(runLogin("ins_109508", "user_good", "mfa_selections", [["Yes"]])).toMatchObject({ kind: "ok" });
    expect(runLogin("ins_109508", "user_good", "mfa_selections", [["No"]])).toMatchObject({ kind: "error" });
    const custom = JSON.stringify({
      mfa: { type: "device" },
      override_accounts: [{ type: "depository", subtype: "savings", starting_balance: 1 }],
    });
    expect(evaluateCredentials("ins_109508", "user_custom", custom)).toMatchObject({ kind: "mfa", challenge: { type: "device" } });
    const ok = runLogin("ins_109508", "user_custom", custom, [["1234"]]);
    expect(ok).toMatchObject({ kind: "ok", accounts: [{ subtype: "savings", current: 1 }] });
  });
});

describe("Link service layer", () => {
  it("opens a session, offers auth-eligible accounts, completes with the selection", async () => {
    const token = await linkToken({ webhook: "http://127.0.0.1:9/hook" });
    const session = service.getLinkSession(token);
    expect(session).toMatchObject({ kind: "ok", session: { mode: "create", clientName: "Fundwell", products: ["auth"], update: null } });

    const login = service.evaluateCredentials("ins_109511", "user_good", "pass_good");
    if (login.kind !== "ok") throw new Error("expected ok");
    const choices = service.accountChoices(token, login.accounts);
    if (choices.kind !== "ok") throw new Error("expected choices");
    expect(choices.accounts.map((a) => a.subtype)).toEqual(["checking", "savings", "cash management"]);

    const checking = choices.accounts[0]!;
    const done = service.completeLink({
      linkToken: token,
      institutionId: "ins_109511",
      username: "user_good",
      password: "pass_good",
      selectedAccountIds: [checking.id],
    });
    if (done.kind !== "ok") throw new Error(JSON.stringify(done.error));
    expect(done.metadata.institution).toEqual({ name: "Tartan Bank", institution_id: "ins_109511" });
    expect(done.metadata.accounts).toHaveLength(1);
    expect(done.metadata.accounts[0]).toMatchObject({ name: "Plaid Checking", mask: "0000", type: "depository", subtype: "checking" });

    const { data: exchanged } = await t.plaid.itemPublicTokenExchange({ public_token: done.publicToken });
    const { data } = await t.plaid.accountsGet({ access_token: exchanged.access_token });
    expect(data.accounts.map((a) => a.account_id)).toEqual([done.metadata.accounts[0]!.id]);
    expect(data.item.webhook).toBe("http://127.0.0.1:9/hook");
  });

  it("refuses to complete without the MFA answers, with a bad selection, or on a bad token", async () => {
    const token = await linkToken();
    const base = { linkToken: token, institutionId: "ins_109508", username: "user_good", password: "mfa_device" };
    expect(service.completeLink(base)).toMatchObject({ kind: "error", error: { error_code: "INVALID_MFA" } });
    expect(service.completeLink({ ...base, mfaResponses: [["1234"]] })).toMatchObject({ kind: "ok" });
    expect(service.completeLink({ ...base, mfaResponses: [["1234"]], selectedAccountIds: ["acct-3"] })).toMatchObject({
      kind: "error",
      error: { error_code: "INVALID_ACCOUNT_ID" },
    });
    expect(service.getLinkSession("link-sandbox-00000000-0000-4000-8000-000000000000")).toMatchObject({
      kind: "error",
      error: { error_code: "INVALID_LINK_TOKEN" },
    });
  });

  it("applies account_filters", async () => {
    const token = await linkToken({
      products: [Products.Transactions],
      account_filters: { credit: { account_subtypes: ["credit card"] } },
    });
    const login = evaluateCredentials("ins_109508", "user_good", "pass_good");
    if (login.kind !== "ok") throw new Error("expected ok");
    const choices = service.accountChoices(token, login.accounts);
    expect(choices).toMatchObject({ kind: "ok", accounts: [{ mask: "3333" }, { mask: "9999" }] });
  });

  it("repairs an item in update mode, keeping its access token", async () => {
    const { data: pt } = await t.plaid.sandboxPublicTokenCreate({ institution_id: "ins_109508", initial_products: [Products.Auth] });
    const { data: item } = await t.plaid.itemPublicTokenExchange({ public_token: pt.public_token });
    await t.plaid.sandboxItemResetLogin({ access_token: item.access_token });

    const token = await linkToken({ products: undefined, access_token: item.access_token });
    const session = service.getLinkSession(token);
    expect(session).toMatchObject({
      kind: "ok",
      session: { mode: "update", update: { itemId: item.item_id, institutionId: "ins_109508" } },
    });
    expect(service.completeLink({ linkToken: token, username: "user_good", password: "pass_bad" })).toMatchObject({
      kind: "error",
      error: { error_code: "INVALID_CREDENTIALS" },
    });
    const done = service.completeLink({ linkToken: token, username: "user_good", password: "pass_good" });
    if (done.kind !== "ok") throw new Error(JSON.stringify(done.error));
    const { data: again } = await t.plaid.itemPublicTokenExchange({ public_token: done.publicToken });
    expect(again).toMatchObject({ access_token: item.access_token, item_id: item.item_id });
    const { data } = await t.plaid.itemGet({ access_token: item.access_token });
    expect(data.item.error).toBeNull();
    await t.plaid.accountsGet({ access_token: item.access_token });
  });
});

describe("link token lifetimes", () => {
  const c = usePlaidSandbox();

  it("expires link tokens after 4 hours and update-mode tokens after 30 minutes", async () => {
    const svc = getPlaidService(c.sandbox.context);
    const request = { client_name: "Fundwell", language: "en", country_codes: [CountryCode.Us], user: { client_user_id: "u" } };
    const { data: normal } = await c.plaid.linkTokenCreate({ ...request, products: [Products.Auth] });
    const { data: pt } = await c.plaid.sandboxPublicTokenCreate({ institution_id: "ins_109508", initial_products: [Products.Auth] });
    const { data: item } = await c.plaid.itemPublicTokenExchange({ public_token: pt.public_token });
    const { data: update } = await c.plaid.linkTokenCreate({ ...request, access_token: item.access_token });

    await c.control("plaid/advance_time", { minutes: 29 });
    expect(svc.getLinkSession(update.link_token)).toMatchObject({ kind: "ok" });
    // Reusable while valid.
    expect(svc.getLinkSession(update.link_token)).toMatchObject({ kind: "ok" });
    await c.control("plaid/advance_time", { minutes: 2 });
    expect(svc.getLinkSession(update.link_token)).toMatchObject({ kind: "error", error: { error_code: "INVALID_LINK_TOKEN" } });
    expect(svc.getLinkSession(normal.link_token)).toMatchObject({ kind: "ok" });
    await c.control("plaid/advance_time", { hours: 3, minutes: 30 });
    expect(svc.getLinkSession(normal.link_token)).toMatchObject({ kind: "error", error: { error_code: "INVALID_LINK_TOKEN" } });
    // /link/token/get still describes an expired token.
    await c.plaid.linkTokenGet({ link_token: normal.link_token });
  });
});
