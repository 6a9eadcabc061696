/**
 * Plaid behaviour beyond the main flow, through the official `plaid` SDK (and
 * raw requests where the SDK cannot go): unknown routes, the institution
 * directory, access token rotation, /item/get's status, request validation of
 * /link/token/create, and the spec check that every test's Plaid responses
 * go through.
 */
import { describe, expect, it } from "vitest";
import { CountryCode, Products, type LinkTokenCreateRequest } from "plaid";
import { linkTokenRequest } from "./helpers/link-token.js";
import { assertValidError, plaidFailure, usePlaidSandbox } from "./helpers/plaid-spec.js";
import { takePlaidSpecViolations } from "./helpers/plaid-spec-hook.js";

const t = usePlaidSandbox();

async function newItem() {
  const { data: created } = await t.plaid.sandboxPublicTokenCreate({ institution_id: "ins_109508", initial_products: [Products.Auth] });
  const { data } = await t.plaid.itemPublicTokenExchange({ public_token: created.public_token });
  return data;
}

async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${t.sandbox.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "PLAID-CLIENT-ID": "local-sandbox-client-id", "PLAID-SECRET": "local-sandbox-secret" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("unknown routes", () => {
  it("answer a PlaidError INVALID_REQUEST / NOT_FOUND (404) with a request_id; Stripe, Link and control paths keep theirs", async () => {
    for (const path of ["/transactions/sync", "/no/such/endpoint", "/link/token/nope"]) {
      const res = await post(path, {});
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ error_type: "INVALID_REQUEST", error_code: "NOT_FOUND", display_message: null });
      assertValidError(res.body);
    }
    const stripe = await fetch(`${t.sandbox.url}/v1/nothing`, { headers: { authorization: "Bearer sk_test_local_sandbox" } });
    expect(stripe.status).toBe(404);
    expect(((await stripe.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
    const control = await post("/__sandbox/nothing", {});
    expect(control.body).toHaveProperty("error");
    expect(control.body).not.toHaveProperty("error_code");
    const linkFile = await fetch(`${t.sandbox.url}/link/nothing.js`);
    expect(linkFile.status).toBe(404);
    expect((await linkFile.json()) as object).not.toHaveProperty("error_code");
  });
});

describe("institutions", () => {
  it("/institutions/get pages through the directory; filters by products, oauth and routing number; optional metadata on request", async () => {
    const { data: all } = await t.plaid.institutionsGet({ count: 500, offset: 0, country_codes: [CountryCode.Us] });
    expect(all.total).toBe(all.institutions.length);
    expect(all.institutions.map((i) => i.institution_id)).toContain("ins_109508");
    for (const institution of all.institutions) expect(institution).not.toHaveProperty("primary_color");

    const { data: page } = await t.plaid.institutionsGet({ count: 2, offset: 1, country_codes: [CountryCode.Us] });
    expect(page.total).toBe(all.total);
    expect(page.institutions.map((i) => i.institution_id)).toEqual(all.institutions.slice(1, 3).map((i) => i.institution_id));

    const { data: auth } = await t.plaid.institutionsGet({
      count: 500,
      offset: 0,
      country_codes: [CountryCode.Us],
      options: { products: [Products.Auth], include_optional_metadata: true },
    });
    expect(auth.institutions.map((i) => i.institution_id)).not.toContain("ins_133402"); // no products at all
    expect(auth.institutions.every((i) => typeof i.primary_color === "string")).toBe(true);
    const { data: oauth } = await t.plaid.institutionsGet({
      count: 10,
      offset: 0,
      country_codes: [CountryCode.Us],
      options: { oauth: true },
    });
    expect(oauth.institutions.map((i) => i.institution_id)).toEqual(["ins_127287"]);
    const { data: none } = await t.plaid.institutionsGet({ count: 10, offset: 0, country_codes: [CountryCode.Gb] });
    expect(none).toMatchObject({ institutions: [], total: 0 });

    const badCount = await plaidFailure(t.plaid.institutionsGet({ count: 501, offset: 0, country_codes: [CountryCode.Us] }));
    expect(badCount).toMatchObject({ status: 400, error: { error_code: "INVALID_FIELD" } });
    const missing = await plaidFailure(t.plaid.institutionsGet({ count: 1, country_codes: [CountryCode.Us] } as never));
    expect(missing.error).toMatchObject({ error_code: "MISSING_FIELDS" });
  });

  it("/institutions/search finds by name or id, with products and oauth filters (plaid-node's own calls)", async () => {
    const { data: byName } = await t.plaid.institutionsSearch({
      query: "platypus",
      products: null as never,
      country_codes: [CountryCode.Us],
    });
    expect(byName.institutions.map((i) => i.name)).toContain("First Platypus Bank");
    expect(byName.institutions.every((i) => i.name.toLowerCase().includes("platypus"))).toBe(true);
    for (const institution of byName.institutions) expect(institution).not.toHaveProperty("primary_color");
    const { data: byId } = await t.plaid.institutionsSearch({
      query: "ins_109508",
      products: null as never,
      country_codes: [CountryCode.Us],
      options: { include_optional_metadata: true },
    });
    expect(byId.institutions).toHaveLength(1);
    expect(byId.institutions[0]).toHaveProperty("primary_color");
    const { data: oauth } = await t.plaid.institutionsSearch({
      query: "platypus",
      country_codes: [CountryCode.Us],
      options: { oauth: true },
    });
    expect(oauth.institutions.map((i) => i.institution_id)).toEqual(["ins_127287"]);
    const { data: noProducts } = await t.plaid.institutionsSearch({
      query: "Unsupported",
      products: [Products.Auth],
      country_codes: [CountryCode.Us],
    });
    expect(noProducts.institutions).toEqual([]);
    const empty = await plaidFailure(t.plaid.institutionsSearch({ query: "", country_codes: [CountryCode.Us] }));
    expect(empty.error.error_code).toBe("INVALID_FIELD");
  });
});

describe("items", () => {
  it("/item/access_token/invalidate returns a new token that works; the old one is INVALID_ACCESS_TOKEN at once", async () => {
    const { access_token, item_id } = await newItem();
    const { data } = await t.plaid.itemAccessTokenInvalidate({ access_token });
    expect(data.new_access_token).toMatch(/^access-sandbox-[0-9a-f-]{36}$/);
    expect(data.new_access_token).not.toBe(access_token);
    const { data: item } = await t.plaid.itemGet({ access_token: data.new_access_token });
    expect(item.item.item_id).toBe(item_id);
    const old = await plaidFailure(t.plaid.accountsGet({ access_token }));
    expect(old).toMatchObject({ status: 400, error: { error_type: "INVALID_INPUT", error_code: "INVALID_ACCESS_TOKEN" } });
    const again = await plaidFailure(t.plaid.itemAccessTokenInvalidate({ access_token }));
    expect(again.error.error_code).toBe("INVALID_ACCESS_TOKEN");
    // plaid-node's item test: then remove the item with the new token.
    await t.plaid.itemRemove({ access_token: data.new_access_token });
  });

  it("/item/get has status.transactions, status.investments and last_webhook null (plaid-node's item test)", async () => {
    const { access_token } = await newItem();
    const { data } = await t.plaid.itemGet({ access_token });
    expect(data.status?.transactions).toEqual({ last_successful_update: null, last_failed_update: null });
    expect(data.status?.investments).toEqual({ last_successful_update: null, last_failed_update: null });
    expect(data.status?.last_webhook).toBeNull();
  });
});

describe("/link/token/create validation", () => {
  const create = (extra: Record<string, unknown>) => t.plaid.linkTokenCreate(linkTokenRequest(extra) as LinkTokenCreateRequest);

  it("accepts every supported language, refuses others with INVALID_FIELD", async () => {
    for (const language of ["en", "fr", "es", "nl", "de"]) await create({ language });
    for (const language of ["english", "EN", "xx", "en-US"]) {
      const failure = await plaidFailure(create({ language }));
      expect(failure).toMatchObject({ status: 400, error: { error_type: "INVALID_REQUEST", error_code: "INVALID_FIELD" } });
      expect(failure.error.error_message).toContain("language");
    }
  });

  it("checks account_filters' types and depository subtypes against the spec", async () => {
    await create({ account_filters: { depository: { account_subtypes: ["checking", "savings"] }, credit: { account_subtypes: ["all"] } } });
    const badSubtype = await plaidFailure(create({ account_filters: { depository: { account_subtypes: ["chequing"] } } }));
    expect(badSubtype.error).toMatchObject({ error_code: "INVALID_FIELD" });
    expect(badSubtype.error.error_message).toContain("account_filters.depository.account_subtypes");
    const badType = await plaidFailure(create({ account_filters: { crypto: { account_subtypes: ["all"] } } }));
    expect(badType.error).toMatchObject({ error_code: "UNKNOWN_FIELDS" });
    const noSubtypes = await plaidFailure(create({ account_filters: { depository: {} } }));
    expect(noSubtypes.error).toMatchObject({ error_code: "MISSING_FIELDS" });
    const badCountry = await plaidFailure(create({ country_codes: ["XX"] }));
    expect(badCountry.error).toMatchObject({ error_code: "INVALID_FIELD" });
  });
});

describe("the spec check every sandbox test runs under", () => {
  it("fails an SDK call, and a raw fetch, whose response breaks the spec", async () => {
    const { access_token } = await newItem();
    await post("/__sandbox/faults/add", { rules: [{ route: "/item/get", status: 500, body: { error: "not a PlaidError" }, times: 2 }] });
    await expect(t.plaid.itemGet({ access_token })).rejects.toThrow(/Plaid spec violation: POST \/item\/get \(500\)/);
    await expect(post("/item/get", { access_token })).rejects.toThrow(/Plaid spec violation/);
    expect(takePlaidSpecViolations()).toHaveLength(2);
  });
});

describe("Link with an OAuth bank (the iframe's calls and the bank's page, as a browser makes them)", () => {
  const linkApi = async (name: string, body: Record<string, unknown>) =>
    (await (await fetch(`${t.sandbox.url}/link/api/${name}`, { method: "POST", body: JSON.stringify(body) })).json()) as Record<
      string,
      unknown
    >;

  it("redirects to the bank, back to redirect_uri with oauth_state_id, and resumes at account selection", async () => {
    const redirectUri = "https://app.example/oauth-return";
    const { data: created } = await t.plaid.linkTokenCreate(linkTokenRequest({ redirect_uri: redirectUri }) as LinkTokenCreateRequest);
    const first = await linkApi("session", { link_token: created.link_token });
    expect(first).toMatchObject({ oauth_redirect: true });
    const started = await linkApi("oauth", { link_session_id: first.link_session_id, institution_id: "ins_127287" });
    const bankUrl = `${t.sandbox.url}${String(started.url)}`;
    expect(bankUrl).toMatch(/\/link\/oauth\/authorize\?state=[0-9a-f-]{36}$/);
    const state = new URL(bankUrl).searchParams.get("state")!;

    const bankPage = await fetch(bankUrl);
    expect(bankPage.status).toBe(200);
    expect(await bankPage.text()).toContain("Log in to Platypus OAuth Bank");
    const login = (password: string) =>
      fetch(`${t.sandbox.url}/link/oauth/authorize`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ state, username: "user_good", password }).toString(),
      });
    const wrong = await login("wrong");
    expect(wrong.status).toBe(200);
    expect(await wrong.text()).toContain('role="alert"');
    const ok = await login("pass_good");
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe(`${redirectUri}?oauth_state_id=${state}`);
    // The state is used once.
    expect((await login("pass_good")).status).toBe(404);

    const resumed = await linkApi("session", { link_token: created.link_token, received_redirect_uri: ok.headers.get("location") });
    expect(resumed).toMatchObject({ institution: { institution_id: "ins_127287" }, resume: { outcome: "accounts", select_account: true } });
    const accounts = (resumed.resume as { accounts: { id: string; name: string }[] }).accounts;
    const checking = accounts.find((a) => a.name === "Plaid Checking")!;
    const done = await linkApi("complete", { link_session_id: resumed.link_session_id, account_ids: [checking.id] });
    expect(done.metadata).toMatchObject({ institution: { institution_id: "ins_127287" }, accounts: [{ name: "Plaid Checking" }] });
    const { data: exchanged } = await t.plaid.itemPublicTokenExchange({ public_token: String(done.public_token) });
    const { data: item } = await t.plaid.itemGet({ access_token: exchanged.access_token });
    expect(item.item.institution_id).toBe("ins_127287");

    // Without redirect_uri there is no OAuth redirect (the login stays in Link).
    const { data: plain } = await t.plaid.linkTokenCreate(linkTokenRequest() as LinkTokenCreateRequest);
    const session = await linkApi("session", { link_token: plain.link_token });
    expect(session.oauth_redirect).toBe(false);
    const refused = await linkApi("oauth", { link_session_id: session.link_session_id, institution_id: "ins_127287" });
    expect(refused.error).toMatchObject({ error_code: "INVALID_FIELD" });
  });
});
