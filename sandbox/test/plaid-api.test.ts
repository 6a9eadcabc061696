/**
 * Plaid API emulator through the official `plaid` SDK: every endpoint, the
 * documented errors, token formats and lifetimes. Every response is checked
 * against the official OpenAPI spec by the client from helpers/plaid-spec.ts.
 */
import { describe, expect, it } from "vitest";
import { CountryCode, ProcessorTokenCreateRequestProcessorEnum, Products } from "plaid";
import { sandboxStripe } from "./helpers/stripe-client.js";
import { linkTokenRequest } from "./helpers/link-token.js";
import { plaidFailure, usePlaidSandbox } from "./helpers/plaid-spec.js";
import type { StripeBridge } from "../src/core/context.js";

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const ID37 = /^[A-Za-z0-9]{37}$/;

const t = usePlaidSandbox();

async function newItem(
  options: { username?: string; password?: string; webhook?: string; institution?: string; products?: Products[] } = {},
) {
  const { data: created } = await t.plaid.sandboxPublicTokenCreate({
    institution_id: options.institution ?? "ins_109508",
    initial_products: options.products ?? [Products.Auth],
    options: {
      ...(options.webhook ? { webhook: options.webhook } : {}),
      ...(options.username ? { override_username: options.username } : {}),
      ...(options.password ? { override_password: options.password } : {}),
    },
  });
  const { data } = await t.plaid.itemPublicTokenExchange({ public_token: created.public_token });
  return data;
}

describe("seed flow: sandbox public token → exchange → accounts → auth → Stripe token", () => {
  it("runs end to end with the Stripe emulator's bridge", async () => {
    const { data: created } = await t.plaid.sandboxPublicTokenCreate({ institution_id: "ins_109508", initial_products: [Products.Auth] });
    expect(created.public_token).toMatch(new RegExp(`^public-sandbox-${UUID}$`));
    const { data: exchanged } = await t.plaid.itemPublicTokenExchange({ public_token: created.public_token });
    expect(exchanged.access_token).toMatch(new RegExp(`^access-sandbox-${UUID}$`));
    expect(exchanged.item_id).toMatch(ID37);

    const { data: accounts } = await t.plaid.accountsGet({ access_token: exchanged.access_token });
    expect(accounts.item.item_id).toBe(exchanged.item_id);
    expect(accounts.item.institution_id).toBe("ins_109508");
    const checking = accounts.accounts.find((a) => a.subtype === "checking")!;
    expect(checking).toMatchObject({
      name: "Plaid Checking",
      mask: "0000",
      type: "depository",
      balances: { available: 100, current: 110 },
    });
    expect(checking.account_id).toMatch(ID37);
    expect(accounts.accounts.map((a) => a.mask)).toEqual([
      "0000",
      "1111",
      "2222",
      "3333",
      "4444",
      "5555",
      "6666",
      "7777",
      "8888",
      "9001",
      "9002",
      "9999",
    ]);

    const { data: auth } = await t.plaid.authGet({ access_token: exchanged.access_token });
    expect(auth.numbers.ach.find((n) => n.account_id === checking.account_id)).toMatchObject({
      account: "1111222233330000",
      routing: "011401533",
      wire_routing: "021000021",
    });

    expect(t.sandbox.context.stripe, "the Stripe module sets context.stripe").toBeDefined();
    const { data: token } = await t.plaid.processorStripeBankAccountTokenCreate({
      access_token: exchanged.access_token,
      account_id: checking.account_id,
    });
    expect(token.stripe_bank_account_token).toMatch(/^btok_/);

    // The token is usable in the Stripe emulator: Stripe's success test account, verified.
    const stripe = sandboxStripe(t.sandbox.port, { key: t.sandbox.context.config.stripeSecretKey });
    const customer = await stripe.customers.create({ source: token.stripe_bank_account_token, expand: ["sources"] });
    expect(customer.sources?.data[0]).toMatchObject({
      object: "bank_account",
      last4: "6789",
      routing_number: "110000000",
      status: "verified",
    });
  });

  it("hands Stripe the success test account for Plaid's default numbers", async () => {
    const calls: Parameters<StripeBridge["createBankAccountToken"]>[0][] = [];
    const real = t.sandbox.context.stripe;
    t.sandbox.context.stripe = {
      createBankAccountToken(input) {
        calls.push(input);
        return { id: `btok_fake${calls.length}` };
      },
    };
    try {
      const { access_token } = await newItem();
      const { data } = await t.plaid.accountsGet({ access_token });
      const saving = data.accounts.find((a) => a.subtype === "savings")!;
      const { data: token } = await t.plaid.processorStripeBankAccountTokenCreate({ access_token, account_id: saving.account_id });
      expect(token.stripe_bank_account_token).toBe("btok_fake1");
      expect(calls).toEqual([
        {
          accountNumber: "000123456789",
          routingNumber: "110000000",
          accountHolderName: "Alberta Bobbeth Charleson",
          accountHolderType: "individual",
          accountType: "savings",
          bankName: "First Platypus Bank",
        },
      ]);
    } finally {
      t.sandbox.context.stripe = real;
    }
  });

  it("answers INVALID_STRIPE_ACCOUNT when Stripe rejects, INVALID_PRODUCT without Stripe", async () => {
    const real = t.sandbox.context.stripe;
    const { access_token } = await newItem();
    const { data } = await t.plaid.accountsGet({ access_token });
    const account_id = data.accounts[0]!.account_id;
    try {
      t.sandbox.context.stripe = {
        createBankAccountToken() {
          throw new Error("No such account");
        },
      };
      const rejected = await plaidFailure(t.plaid.processorStripeBankAccountTokenCreate({ access_token, account_id }));
      expect(rejected).toMatchObject({ status: 400, error: { error_type: "INVALID_INPUT", error_code: "INVALID_STRIPE_ACCOUNT" } });
      t.sandbox.context.stripe = undefined;
      const disabled = await plaidFailure(t.plaid.processorStripeBankAccountTokenCreate({ access_token, account_id }));
      expect(disabled).toMatchObject({ status: 400, error: { error_type: "INVALID_INPUT", error_code: "INVALID_PRODUCT" } });
    } finally {
      t.sandbox.context.stripe = real;
    }
  });

  it("refuses Stripe tokens for non-depository accounts and accounts of another item", async () => {
    const { access_token } = await newItem();
    const other = await newItem();
    const { data } = await t.plaid.accountsGet({ access_token });
    const { data: otherData } = await t.plaid.accountsGet({ access_token: other.access_token });
    const credit = data.accounts.find((a) => a.type === "credit")!;
    const failure = await plaidFailure(t.plaid.processorStripeBankAccountTokenCreate({ access_token, account_id: credit.account_id }));
    expect(failure).toMatchObject({ status: 400, error: { error_type: "ITEM_ERROR", error_code: "NO_AUTH_ACCOUNTS" } });
    const foreign = await plaidFailure(
      t.plaid.processorStripeBankAccountTokenCreate({ access_token, account_id: otherData.accounts[0]!.account_id }),
    );
    expect(foreign).toMatchObject({ status: 400, error: { error_type: "INVALID_INPUT", error_code: "INVALID_ACCOUNT_ID" } });
  });
});

describe("credentials", () => {
  it("accepts client_id / secret in the body", async () => {
    const bare = t.client({});
    const { access_token } = await newItem();
    const { data } = await bare.itemGet({
      client_id: t.sandbox.context.config.plaidClientId,
      secret: t.sandbox.context.config.plaidSecret,
      access_token,
    });
    expect(data.item.institution_id).toBe("ins_109508");
  });

  it("rejects a wrong secret with INVALID_API_KEYS", async () => {
    const wrong = t.client({ "PLAID-CLIENT-ID": t.sandbox.context.config.plaidClientId, "PLAID-SECRET": "nope" });
    const failure = await plaidFailure(wrong.institutionsGetById({ institution_id: "ins_109508", country_codes: [CountryCode.Us] }));
    expect(failure).toMatchObject({
      status: 400,
      error: {
        error_type: "INVALID_INPUT",
        error_code: "INVALID_API_KEYS",
        error_message: "invalid client_id or secret provided",
        display_message: null,
      },
    });
    expect(failure.error.request_id).toHaveLength(15);
  });

  it("reports missing keys as MISSING_FIELDS", async () => {
    const failure = await plaidFailure(t.client({}).institutionsGetById({ institution_id: "ins_109508", country_codes: [CountryCode.Us] }));
    expect(failure).toMatchObject({
      status: 400,
      error: {
        error_type: "INVALID_REQUEST",
        error_code: "MISSING_FIELDS",
        error_message: "the following required fields are missing: client_id, secret",
      },
    });
  });
});

describe("request validation", () => {
  it("lists missing required fields", async () => {
    const failure = await plaidFailure(t.plaid.itemPublicTokenExchange({} as never));
    expect(failure).toMatchObject({
      status: 400,
      error: {
        error_type: "INVALID_REQUEST",
        error_code: "MISSING_FIELDS",
        error_message: "the following required fields are missing: public_token",
        display_message: null,
        status: 400,
      },
    });
    expect(failure.error.documentation_url).toContain("missing_fields");
  });

  it("rejects unknown fields, also inside options", async () => {
    const { access_token } = await newItem();
    const top = await plaidFailure(t.plaid.accountsGet({ access_token, colour: "blue" } as never));
    expect(top.error).toMatchObject({
      error_code: "UNKNOWN_FIELDS",
      error_message: "the following fields are not recognized by this endpoint: colour",
    });
    const inner = await plaidFailure(t.plaid.accountsGet({ access_token, options: { account_ids: [], shade: 1 } } as never));
    expect(inner.error).toMatchObject({ error_code: "UNKNOWN_FIELDS" });
    expect(inner.error.error_message).toContain("options.shade");
  });

  it("rejects wrongly typed fields and values outside the enums", async () => {
    const typed = await plaidFailure(t.plaid.accountsGet({ access_token: 42 } as never));
    expect(typed).toMatchObject({ status: 400, error: { error_type: "INVALID_REQUEST", error_code: "INVALID_FIELD" } });
    const { access_token } = await newItem();
    const { data } = await t.plaid.accountsGet({ access_token });
    const processor = await plaidFailure(
      t.plaid.processorTokenCreate({
        access_token,
        account_id: data.accounts[0]!.account_id,
        processor: "stripe" as ProcessorTokenCreateRequestProcessorEnum,
      }),
    );
    expect(processor.error).toMatchObject({ error_code: "INVALID_FIELD" });
  });

  it("answers INVALID_BODY for a body that is not JSON", async () => {
    // The SDK sends a string body as is.
    const failure = await plaidFailure(t.plaid.itemGet("{not json" as never));
    expect(failure).toMatchObject({ status: 400, error: { error_type: "INVALID_REQUEST", error_code: "INVALID_BODY" } });
  });
});

describe("link tokens", () => {
  it("creates a link token that lasts 4 hours and reads it back", async () => {
    const before = Date.now();
    const { data } = await t.plaid.linkTokenCreate(linkTokenRequest({ webhook: "https://app.example/api/plaid/webhook" }));
    expect(data.link_token).toMatch(new RegExp(`^link-sandbox-${UUID}$`));
    const ttl = Date.parse(data.expiration) - before;
    expect(ttl).toBeGreaterThan(4 * 3600_000 - 5_000);
    expect(ttl).toBeLessThanOrEqual(4 * 3600_000 + 1_000);
    const { data: got } = await t.plaid.linkTokenGet({ link_token: data.link_token });
    expect(got.metadata).toMatchObject({
      initial_products: ["auth"],
      webhook: "https://app.example/api/plaid/webhook",
      country_codes: ["US"],
      language: "en",
      client_name: "Fundwell",
      redirect_uri: null,
    });
  });

  it("creates update-mode tokens from an access_token, valid 30 minutes", async () => {
    const { access_token } = await newItem();
    const before = Date.now();
    const { data } = await t.plaid.linkTokenCreate(linkTokenRequest({ products: undefined, access_token }));
    const ttl = Date.parse(data.expiration) - before;
    expect(ttl).toBeGreaterThan(30 * 60_000 - 5_000);
    expect(ttl).toBeLessThanOrEqual(30 * 60_000 + 1_000);
  });

  it("validates link token requests", async () => {
    const noUser = await plaidFailure(t.plaid.linkTokenCreate(linkTokenRequest({ user: undefined }) as never));
    expect(noUser.error).toMatchObject({ error_code: "MISSING_FIELDS", error_message: "the following required fields are missing: user" });
    const noClientUser = await plaidFailure(t.plaid.linkTokenCreate(linkTokenRequest({ user: {} }) as never));
    expect(noClientUser.error.error_message).toBe("the following required fields are missing: user.client_user_id");
    const noProducts = await plaidFailure(t.plaid.linkTokenCreate(linkTokenRequest({ products: [] })));
    expect(noProducts.error).toMatchObject({ error_code: "INVALID_FIELD" });
    const badWebhook = await plaidFailure(t.plaid.linkTokenCreate(linkTokenRequest({ webhook: "not a url" })));
    expect(badWebhook.error).toMatchObject({ error_code: "INVALID_FIELD" });
    const badToken = await plaidFailure(
      t.plaid.linkTokenCreate(linkTokenRequest({ products: undefined, access_token: `access-sandbox-${crypto.randomUUID()}` })),
    );
    expect(badToken.error).toMatchObject({ error_code: "INVALID_ACCESS_TOKEN" });
  });

  it("answers INVALID_LINK_TOKEN for unknown or malformed link tokens", async () => {
    const unknown = await plaidFailure(t.plaid.linkTokenGet({ link_token: `link-sandbox-${crypto.randomUUID()}` }));
    expect(unknown).toMatchObject({ status: 400, error: { error_type: "INVALID_INPUT", error_code: "INVALID_LINK_TOKEN" } });
    const malformed = await plaidFailure(t.plaid.linkTokenGet({ link_token: "nope" }));
    expect(malformed.error.error_code).toBe("INVALID_LINK_TOKEN");
  });
});

describe("public token exchange", () => {
  it("is single-use", async () => {
    const { data } = await t.plaid.sandboxPublicTokenCreate({ institution_id: "ins_109509", initial_products: [Products.Auth] });
    await t.plaid.itemPublicTokenExchange({ public_token: data.public_token });
    const again = await plaidFailure(t.plaid.itemPublicTokenExchange({ public_token: data.public_token }));
    expect(again).toMatchObject({ status: 400, error: { error_type: "INVALID_INPUT", error_code: "INVALID_PUBLIC_TOKEN" } });
    expect(again.error.error_message).toContain("already been exchanged");
  });

  it("answers INVALID_PUBLIC_TOKEN for unknown and malformed tokens", async () => {
    const unknown = await plaidFailure(t.plaid.itemPublicTokenExchange({ public_token: `public-sandbox-${crypto.randomUUID()}` }));
    expect(unknown.error.error_code).toBe("INVALID_PUBLIC_TOKEN");
    const malformed = await plaidFailure(t.plaid.itemPublicTokenExchange({ public_token: "access-sandbox-x" }));
    expect(malformed.error.error_message).toContain("invalid format");
  });
});

describe("data endpoints", () => {
  it("filters accounts by account_ids and rejects ids of another item", async () => {
    const { access_token } = await newItem();
    const other = await newItem();
    const { data: all } = await t.plaid.accountsGet({ access_token });
    const ids = all.accounts.slice(0, 2).map((a) => a.account_id);
    const { data: some } = await t.plaid.accountsGet({ access_token, options: { account_ids: ids } });
    expect(some.accounts.map((a) => a.account_id)).toEqual(ids);
    const { data: otherAccounts } = await t.plaid.accountsGet({ access_token: other.access_token });
    const failure = await plaidFailure(
      t.plaid.accountsGet({ access_token, options: { account_ids: [otherAccounts.accounts[0]!.account_id] } }),
    );
    expect(failure).toMatchObject({ status: 400, error: { error_type: "INVALID_INPUT", error_code: "INVALID_ACCOUNT_ID" } });
    const balance = await plaidFailure(t.plaid.accountsBalanceGet({ access_token, options: { account_ids: ["x"] } }));
    expect(balance.error.error_code).toBe("INVALID_ACCOUNT_ID");
  });

  it("returns balances, auth numbers and identity", async () => {
    const { access_token } = await newItem();
    const { data: balance } = await t.plaid.accountsBalanceGet({ access_token });
    expect(balance.accounts.find((a) => a.mask === "1111")!.balances).toMatchObject({
      available: 200,
      current: 210,
      iso_currency_code: "USD",
    });
    expect(balance.accounts.find((a) => a.mask === "3333")!.balances).toMatchObject({ current: 410, limit: 2000 });

    const { data: auth } = await t.plaid.authGet({ access_token });
    expect(auth.accounts.map((a) => a.subtype)).toEqual(["checking", "savings", "cash management"]);
    expect(auth.numbers.ach.map((n) => n.account)).toEqual(["1111222233330000", "1111222233331111", "1111222233339002"]);
    expect(auth.numbers).toMatchObject({ eft: [], international: [], bacs: [] });

    const { data: identity } = await t.plaid.identityGet({ access_token });
    const owner = identity.accounts[0]!.owners[0]!;
    expect(owner.names).toEqual(["Alberta Bobbeth Charleson"]);
    expect(owner.emails[0]).toMatchObject({ data: "accountholder0@example.com", primary: true });
    const { data: item } = await t.plaid.itemGet({ access_token });
    expect(item.item.billed_products).toEqual(expect.arrayContaining(["auth", "balance", "identity"]));
  });

  it("answers INVALID_ACCESS_TOKEN for unknown and malformed access tokens", async () => {
    for (const access_token of [`access-sandbox-${crypto.randomUUID()}`, "garbage"]) {
      const failure = await plaidFailure(t.plaid.authGet({ access_token }));
      expect(failure).toMatchObject({ status: 400, error: { error_type: "INVALID_INPUT", error_code: "INVALID_ACCESS_TOKEN" } });
    }
  });

  it("fails data calls with ITEM_LOGIN_REQUIRED after /sandbox/item/reset_login; /item/get shows the error", async () => {
    const { access_token } = await newItem();
    const { data: accounts } = await t.plaid.accountsGet({ access_token });
    const { data: reset } = await t.plaid.sandboxItemResetLogin({ access_token });
    expect(reset.reset_login).toBe(true);
    const calls = [
      t.plaid.accountsGet({ access_token }),
      t.plaid.accountsBalanceGet({ access_token }),
      t.plaid.authGet({ access_token }),
      t.plaid.identityGet({ access_token }),
      t.plaid.processorStripeBankAccountTokenCreate({ access_token, account_id: accounts.accounts[0]!.account_id }),
    ];
    for (const call of calls) {
      const failure = await plaidFailure(call);
      expect(failure).toMatchObject({ status: 400, error: { error_type: "ITEM_ERROR", error_code: "ITEM_LOGIN_REQUIRED" } });
    }
    const { data } = await t.plaid.itemGet({ access_token });
    expect(data.item.error).toMatchObject({ error_type: "ITEM_ERROR", error_code: "ITEM_LOGIN_REQUIRED" });
  });

  it("removes items: later calls answer ITEM_NOT_FOUND", async () => {
    const { access_token } = await newItem();
    await t.plaid.itemRemove({ access_token });
    for (const call of [t.plaid.itemGet({ access_token }), t.plaid.accountsGet({ access_token }), t.plaid.itemRemove({ access_token })]) {
      const failure = await plaidFailure(call);
      expect(failure).toMatchObject({ status: 400, error: { error_type: "ITEM_ERROR", error_code: "ITEM_NOT_FOUND" } });
    }
  });
});

describe("processor tokens", () => {
  it("creates processor tokens and manages their permissions", async () => {
    const { access_token } = await newItem();
    const { data: accounts } = await t.plaid.accountsGet({ access_token });
    const { data } = await t.plaid.processorTokenCreate({
      access_token,
      account_id: accounts.accounts[0]!.account_id,
      processor: ProcessorTokenCreateRequestProcessorEnum.Dwolla,
    });
    expect(data.processor_token).toMatch(new RegExp(`^processor-sandbox-${UUID}$`));
    const { data: initial } = await t.plaid.processorTokenPermissionsGet({ processor_token: data.processor_token });
    expect(initial.products).toEqual([]);
    await t.plaid.processorTokenPermissionsSet({ processor_token: data.processor_token, products: [Products.Auth, Products.Balance] });
    const { data: after } = await t.plaid.processorTokenPermissionsGet({ processor_token: data.processor_token });
    expect(after.products).toEqual(["auth", "balance"]);
    const bad = await plaidFailure(
      t.plaid.processorTokenPermissionsSet({ processor_token: data.processor_token, products: ["gold" as Products] }),
    );
    expect(bad.error.error_code).toBe("INVALID_FIELD");
  });

  it("rejects account ids of another item and unknown processor tokens", async () => {
    const { access_token } = await newItem();
    const failure = await plaidFailure(
      t.plaid.processorTokenCreate({
        access_token,
        account_id: "a".repeat(37),
        processor: ProcessorTokenCreateRequestProcessorEnum.Dwolla,
      }),
    );
    expect(failure.error.error_code).toBe("INVALID_ACCOUNT_ID");
    for (const processor_token of [`processor-sandbox-${crypto.randomUUID()}`, "processor-x"]) {
      const unknown = await plaidFailure(t.plaid.processorTokenPermissionsGet({ processor_token }));
      expect(unknown).toMatchObject({ status: 400, error: { error_type: "INVALID_INPUT", error_code: "INVALID_PROCESSOR_TOKEN" } });
    }
  });

  it("creates sandbox processor tokens without Link", async () => {
    const { data } = await t.plaid.sandboxProcessorTokenCreate({ institution_id: "ins_109508" });
    expect(data.processor_token).toMatch(/^processor-sandbox-/);
    const { data: perms } = await t.plaid.processorTokenPermissionsGet({ processor_token: data.processor_token });
    expect(perms.products).toEqual([]);
    const locked = await plaidFailure(
      t.plaid.sandboxProcessorTokenCreate({ institution_id: "ins_109508", options: { override_password: "error_ITEM_LOCKED" } }),
    );
    expect(locked.error.error_code).toBe("ITEM_LOCKED");
  });
});

describe("institutions", () => {
  it("gets sandbox institutions by id, with status", async () => {
    const { data } = await t.plaid.institutionsGetById({ institution_id: "ins_109508", country_codes: [CountryCode.Us] });
    expect(data.institution).toMatchObject({ institution_id: "ins_109508", name: "First Platypus Bank", oauth: false });
    const { data: oauth } = await t.plaid.institutionsGetById({ institution_id: "ins_127287", country_codes: [CountryCode.Us] });
    expect(oauth.institution).toMatchObject({ name: "Platypus OAuth Bank", oauth: true });
    const { data: degraded } = await t.plaid.institutionsGetById({
      institution_id: "ins_132363",
      country_codes: [CountryCode.Us],
      options: { include_status: true, include_optional_metadata: true },
    });
    expect(degraded.institution.status?.item_logins?.status).toBe("DEGRADED");
    const unknown = await plaidFailure(t.plaid.institutionsGetById({ institution_id: "ins_1", country_codes: [CountryCode.Us] }));
    expect(unknown).toMatchObject({ status: 400, error: { error_type: "INVALID_INPUT", error_code: "INVALID_INSTITUTION" } });
  });
});

describe("token lifetimes (sandbox clock)", () => {
  const c = usePlaidSandbox();

  it("public tokens expire after 30 minutes", async () => {
    const fresh = await c.plaid.sandboxPublicTokenCreate({ institution_id: "ins_109508", initial_products: [Products.Auth] });
    const stale = await c.plaid.sandboxPublicTokenCreate({ institution_id: "ins_109508", initial_products: [Products.Auth] });
    await c.control("plaid/advance_time", { minutes: 29 });
    await c.plaid.itemPublicTokenExchange({ public_token: fresh.data.public_token });
    await c.control("plaid/advance_time", { minutes: 2 });
    const failure = await plaidFailure(c.plaid.itemPublicTokenExchange({ public_token: stale.data.public_token }));
    expect(failure).toMatchObject({ status: 400, error: { error_type: "INVALID_INPUT", error_code: "INVALID_PUBLIC_TOKEN" } });
    expect(failure.error.error_message).toContain("expired");
  });

  it("items need a new login 30 days after the last one; access tokens never expire", async () => {
    const { data: pt } = await c.plaid.sandboxPublicTokenCreate({ institution_id: "ins_109508", initial_products: [Products.Auth] });
    const { data } = await c.plaid.itemPublicTokenExchange({ public_token: pt.public_token });
    await c.control("plaid/advance_time", { days: 29 });
    await c.plaid.accountsGet({ access_token: data.access_token });
    await c.control("plaid/advance_time", { days: 2 });
    const failure = await plaidFailure(c.plaid.accountsGet({ access_token: data.access_token }));
    expect(failure.error.error_code).toBe("ITEM_LOGIN_REQUIRED");
    const { data: item } = await c.plaid.itemGet({ access_token: data.access_token });
    expect(item.item.error?.error_code).toBe("ITEM_LOGIN_REQUIRED");
  });
});
