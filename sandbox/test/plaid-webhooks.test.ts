/**
 * Plaid webhooks: delivery to the item's URL, the Plaid-Verification JWT
 * (ES256, verified with the JWK from /webhook_verification_key/get), bodies
 * against the spec's webhook schemas, and the key pair's persistence.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import { Configuration, PlaidApi, Products, SandboxItemFireWebhookRequestWebhookCodeEnum, WebhookType } from "plaid";
import { assertMatchesSchema, plaidFailure, startPlaidSandbox, validatingClient, type PlaidTestSandbox } from "./helpers/plaid-spec.js";
import { startSandbox } from "../src/server.js";
import { startWebhookReceiver, type WebhookReceiver } from "./helpers/webhook-receiver.js";

interface Received {
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  body: Record<string, unknown>;
}

let t: PlaidTestSandbox;
let receiver: WebhookReceiver;
let hookUrl: string;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  hookUrl = `${receiver.url}/plaid/webhook`;
  t = await startPlaidSandbox();
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});
beforeEach(() => {
  receiver.received.length = 0;
});

/** What the receiver got so far, bodies parsed. */
function received(): Received[] {
  return receiver.received.map(({ headers, body }) => ({ headers, raw: body, body: JSON.parse(body) as Record<string, unknown> }));
}

async function newItem(webhook: string | null = hookUrl) {
  const { data } = await t.plaid.sandboxPublicTokenCreate({
    institution_id: "ins_109508",
    initial_products: [Products.Auth],
    options: webhook ? { webhook } : {},
  });
  return (await t.plaid.itemPublicTokenExchange({ public_token: data.public_token })).data;
}

async function idle(): Promise<void> {
  await t.control("webhooks/idle");
}

/** Verifies a received webhook as an app must; throws when anything is off. */
async function verify(hook: Received, plaid: PlaidApi = t.plaid): Promise<{ kid: string }> {
  const jwt = hook.headers["plaid-verification"];
  if (typeof jwt !== "string") throw new Error("no Plaid-Verification header");
  const header = decodeProtectedHeader(jwt);
  expect(header).toMatchObject({ alg: "ES256", typ: "JWT" });
  const { data } = await plaid.webhookVerificationKeyGet({ key_id: header.kid! });
  expect(data.key.expired_at).toBeNull();
  const key = await importJWK({ ...data.key }, "ES256");
  const { payload } = await jwtVerify(jwt, key, { algorithms: ["ES256"], maxTokenAge: "5 min" });
  const sha = createHash("sha256").update(hook.raw).digest("hex");
  if (payload.request_body_sha256 !== sha) throw new Error("request_body_sha256 does not match the body");
  return { kid: header.kid! };
}

describe("webhooks", () => {
  it("signs webhooks with ES256; the JWK from /webhook_verification_key/get verifies them", async () => {
    const { access_token, item_id } = await newItem();
    const { data } = await t.plaid.sandboxItemFireWebhook({
      access_token,
      webhook_type: WebhookType.Item,
      webhook_code: SandboxItemFireWebhookRequestWebhookCodeEnum.NewAccountsAvailable,
    });
    expect(data.webhook_fired).toBe(true);
    await idle();
    expect(received()).toHaveLength(1);
    const hook = received()[0]!;
    expect(hook.body).toMatchObject({ webhook_type: "ITEM", webhook_code: "NEW_ACCOUNTS_AVAILABLE", item_id, environment: "sandbox" });
    expect(hook.raw).toBe(JSON.stringify(hook.body, null, 2));
    assertMatchesSchema("NewAccountsAvailableWebhook", hook.body);
    await verify(hook);

    // A tampered body no longer matches the signed hash.
    await expect(verify({ ...hook, raw: hook.raw.replace("NEW_ACCOUNTS_AVAILABLE", "LOGIN_REPAIRED") })).rejects.toThrow(
      /request_body_sha256/,
    );
    const { data: item } = await t.plaid.itemGet({ access_token });
    expect(item.status?.last_webhook?.code_sent).toBe("NEW_ACCOUNTS_AVAILABLE");
  });

  it("reset_login sends ITEM ERROR (ITEM_LOGIN_REQUIRED); LOGIN_REPAIRED clears it", async () => {
    const { access_token, item_id } = await newItem();
    await t.plaid.sandboxItemResetLogin({ access_token });
    await idle();
    expect(received()).toHaveLength(1);
    expect(received()[0]!.body).toMatchObject({
      webhook_type: "ITEM",
      webhook_code: "ERROR",
      item_id,
      error: { error_code: "ITEM_LOGIN_REQUIRED", error_type: "ITEM_ERROR" },
    });
    assertMatchesSchema("ItemErrorWebhook", received()[0]!.body);
    await verify(received()[0]!);

    await t.control("plaid/fire_webhook", { item_id, webhook_type: "ITEM", webhook_code: "LOGIN_REPAIRED" });
    await idle();
    expect(received()[1]!.body).toMatchObject({ webhook_code: "LOGIN_REPAIRED", item_id });
    const { data } = await t.plaid.itemGet({ access_token });
    expect(data.item.error).toBeNull();
  });

  it("sends the documented bodies for the other codes", async () => {
    const { access_token } = await newItem();
    const codes: [WebhookType | undefined, SandboxItemFireWebhookRequestWebhookCodeEnum, string][] = [
      [WebhookType.Item, SandboxItemFireWebhookRequestWebhookCodeEnum.PendingDisconnect, "PendingDisconnectWebhook"],
      [WebhookType.Item, SandboxItemFireWebhookRequestWebhookCodeEnum.UserPermissionRevoked, "UserPermissionRevokedWebhook"],
      [WebhookType.Item, SandboxItemFireWebhookRequestWebhookCodeEnum.UserAccountRevoked, "UserAccountRevokedWebhook"],
      [undefined, SandboxItemFireWebhookRequestWebhookCodeEnum.DefaultUpdate, "AuthDefaultUpdateWebhook"],
    ];
    for (const [webhook_type, webhook_code] of codes) {
      await t.plaid.sandboxItemFireWebhook({ access_token, webhook_code, ...(webhook_type ? { webhook_type } : {}) });
    }
    await idle();
    expect(
      received()
        .map((r) => `${String(r.body.webhook_type)}:${String(r.body.webhook_code)}`)
        .sort(),
    ).toEqual(["ITEM:PENDING_DISCONNECT", "ITEM:USER_PERMISSION_REVOKED", "ITEM:USER_ACCOUNT_REVOKED", "AUTH:DEFAULT_UPDATE"].sort());
    for (const [, code, schema] of codes) {
      const hook = received().find((r) => r.body.webhook_code === code)!;
      assertMatchesSchema(schema, hook.body);
      await verify(hook);
    }
    const auth = received().find((r) => r.body.webhook_type === "AUTH")!;
    expect(Object.keys(auth.body.account_ids_with_updated_auth as object)).toHaveLength(1);
    // Firing only sends: USER_PERMISSION_REVOKED did not revoke anything.
    const { data } = await t.plaid.accountsGet({ access_token });
    expect(data.item.error).toBeNull();
  });

  it("/sandbox/item/fire_webhook only sends (LOGIN_REPAIRED does not repair); ERROR is the Assets webhook; Plaid's headers", async () => {
    const { access_token, item_id } = await newItem();
    await t.plaid.sandboxItemResetLogin({ access_token });
    await t.plaid.sandboxItemFireWebhook({ access_token, webhook_code: SandboxItemFireWebhookRequestWebhookCodeEnum.LoginRepaired });
    await idle();
    expect(received().map((r) => r.body.webhook_code)).toEqual(["ERROR", "LOGIN_REPAIRED"]);
    assertMatchesSchema("ItemLoginRepairedWebhook", received()[1]!.body);
    const { data } = await t.plaid.itemGet({ access_token });
    expect(data.item.error?.error_code).toBe("ITEM_LOGIN_REQUIRED");
    expect(data.status?.last_webhook?.code_sent).toBe("LOGIN_REPAIRED");
    // The JSON body, its signature, nothing of the sandbox's own.
    const hook = received()[1]!;
    expect(hook.headers["content-type"]).toBe("application/json");
    expect(typeof hook.headers["plaid-verification"]).toBe("string");
    expect(Object.keys(hook.headers).filter((h) => h.startsWith("x-"))).toEqual([]);
    await verify(hook);

    // ERROR (and PRODUCT_READY) are Assets webhooks: an item without Assets gets SANDBOX_PRODUCT_NOT_ENABLED, and no webhook.
    for (const webhook_code of [
      SandboxItemFireWebhookRequestWebhookCodeEnum.Error,
      SandboxItemFireWebhookRequestWebhookCodeEnum.ProductReady,
    ]) {
      const failure = await plaidFailure(t.plaid.sandboxItemFireWebhook({ access_token, webhook_code }));
      expect(failure).toMatchObject({ status: 400, error: { error_type: "SANDBOX_ERROR", error_code: "SANDBOX_PRODUCT_NOT_ENABLED" } });
    }
    const sync = await plaidFailure(
      t.plaid.sandboxItemFireWebhook({ access_token, webhook_code: SandboxItemFireWebhookRequestWebhookCodeEnum.SyncUpdatesAvailable }),
    );
    expect(sync.error.error_code).toBe("SANDBOX_PRODUCT_NOT_ENABLED");
    await idle();
    expect(received()).toHaveLength(2);
    expect(item_id).toBeTruthy();
  });

  it("refuses unsupported codes and items without a webhook URL", async () => {
    const { access_token } = await newItem(null);
    const noHook = await plaidFailure(
      t.plaid.sandboxItemFireWebhook({ access_token, webhook_code: SandboxItemFireWebhookRequestWebhookCodeEnum.NewAccountsAvailable }),
    );
    expect(noHook).toMatchObject({ status: 400, error: { error_type: "SANDBOX_ERROR", error_code: "SANDBOX_WEBHOOK_INVALID" } });
    const withHook = await newItem();
    const unsupported = await plaidFailure(
      t.plaid.sandboxItemFireWebhook({
        access_token: withHook.access_token,
        webhook_type: WebhookType.Item,
        webhook_code: SandboxItemFireWebhookRequestWebhookCodeEnum.DefaultUpdate,
      }),
    );
    expect(unsupported.error.error_code).toBe("INVALID_FIELD");
  });

  it("acknowledges /item/webhook/update at the new URL", async () => {
    const { access_token, item_id } = await newItem(null);
    const { data } = await t.plaid.itemWebhookUpdate({ access_token, webhook: hookUrl });
    expect(data.item.webhook).toBe(hookUrl);
    await idle();
    expect(received()).toHaveLength(1);
    expect(received()[0]!.body).toMatchObject({ webhook_code: "WEBHOOK_UPDATE_ACKNOWLEDGED", item_id, new_webhook_url: hookUrl });
    assertMatchesSchema("WebhookUpdateAcknowledgedWebhook", received()[0]!.body);
    await verify(received()[0]!);
  });

  it("answers INVALID_WEBHOOK_VERIFICATION_KEY_ID for unknown keys; rotation expires the old key", async () => {
    const failure = await plaidFailure(t.plaid.webhookVerificationKeyGet({ key_id: "nope" }));
    expect(failure).toMatchObject({
      status: 400,
      error: { error_type: "INVALID_INPUT", error_code: "INVALID_WEBHOOK_VERIFICATION_KEY_ID" },
    });

    const { item_id } = await newItem();
    await t.control("plaid/fire_webhook", { item_id, webhook_code: "NEW_ACCOUNTS_AVAILABLE" });
    await idle();
    const { kid: before } = await verify(received()[0]!);
    const rotated = await t.control<{ expired: string; current: string }>("plaid/rotate_webhook_key");
    expect(rotated.expired).toBe(before);
    const { data: old } = await t.plaid.webhookVerificationKeyGet({ key_id: before });
    expect(old.key.expired_at).toEqual(expect.any(Number));
    await t.control("plaid/fire_webhook", { item_id, webhook_code: "NEW_ACCOUNTS_AVAILABLE" });
    await idle();
    const { kid: after } = await verify(received()[1]!);
    expect(after).toBe(rotated.current);
  });
});

describe("webhook key persistence", () => {
  it("keeps the key pair across restarts (state.json)", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "plaid-keys-"));
    try {
      const client = (url: string, id: string, secret: string) =>
        validatingClient(
          new PlaidApi(new Configuration({ basePath: url, baseOptions: { headers: { "PLAID-CLIENT-ID": id, "PLAID-SECRET": secret } } })),
        );
      const first = await startSandbox({ dataDir, port: 0 });
      const state = first.context.store.get<{ webhook_keys: { kid: string }[] }>("plaid");
      const kid = state.webhook_keys[0]!.kid;
      const { config } = first.context;
      const { data: key1 } = await client(first.url, config.plaidClientId, config.plaidSecret).webhookVerificationKeyGet({ key_id: kid });
      await first.close();
      expect(readFileSync(path.join(dataDir, "state.json"), "utf8")).toContain(kid);

      const second = await startSandbox({ dataDir, port: 0 });
      const { data: key2 } = await client(second.url, config.plaidClientId, config.plaidSecret).webhookVerificationKeyGet({ key_id: kid });
      await second.close();
      expect(key2.key).toEqual(key1.key);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
