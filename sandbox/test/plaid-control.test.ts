/**
 * Plaid control actions (POST /__sandbox/plaid/<action>), the inspection
 * summary, reset, and consistency under concurrent requests.
 */
import { describe, expect, it } from "vitest";
import { Products } from "plaid";
import { plaidFailure, usePlaidSandbox } from "./helpers/plaid-spec.js";

const t = usePlaidSandbox();

describe("control actions", () => {
  it("public_token makes an item without Link; item also exchanges it", async () => {
    const { public_token, item_id } = await t.control<{ public_token: string; item_id: string }>("plaid/public_token", {
      institution_id: "ins_109509",
      password: "pass_good",
    });
    const { data } = await t.plaid.itemPublicTokenExchange({ public_token });
    expect(data.item_id).toBe(item_id);

    const custom = JSON.stringify({
      override_accounts: [{ type: "depository", subtype: "checking", starting_balance: 5, numbers: { account: "000222222227" } }],
    });
    const item = await t.control<{ access_token: string; item_id: string; accounts: { account_id: string; mask: string }[] }>(
      "plaid/item",
      {
        username: "user_custom",
        password: custom,
      },
    );
    expect(item.accounts).toEqual([expect.objectContaining({ mask: "2227" })]);
    const { data: accounts } = await t.plaid.accountsGet({ access_token: item.access_token });
    expect(accounts.accounts[0]!.balances.current).toBe(5);
  });

  it("reports errors of control actions as 400 with a message", async () => {
    await expect(t.control("plaid/public_token", { password: "error_ITEM_LOCKED" })).rejects.toThrow(/400.*ITEM_LOCKED/);
    await expect(t.control("plaid/reset_login", {})).rejects.toThrow(/item_id is required/);
  });

  it("reset_login and set_balance change what the API returns", async () => {
    const item = await t.control<{ access_token: string; item_id: string; accounts: { account_id: string }[] }>("plaid/item", {});
    const account_id = item.accounts[0]!.account_id;
    await t.control("plaid/set_balance", { account_id, available: 1.5, current: 2.5 });
    const { data } = await t.plaid.accountsBalanceGet({ access_token: item.access_token, options: { account_ids: [account_id] } });
    expect(data.accounts[0]!.balances).toMatchObject({ available: 1.5, current: 2.5 });
    const reset = await t.control<{ error_code: string }>("plaid/reset_login", { item_id: item.item_id });
    expect(reset.error_code).toBe("ITEM_LOGIN_REQUIRED");
    const failure = await plaidFailure(t.plaid.accountsGet({ access_token: item.access_token }));
    expect(failure.error.error_code).toBe("ITEM_LOGIN_REQUIRED");
  });

  it("inspect lists items, masks and truncated tokens, never full tokens or account numbers", async () => {
    const item = await t.control<{ access_token: string; item_id: string }>("plaid/item", {});
    const res = await fetch(`${t.sandbox.url}/__sandbox/state`);
    const state = (await res.json()) as { plaid: { items: { item_id: string; access_token: string; accounts: { mask: string }[] }[] } };
    const listed = state.plaid.items.find((i) => i.item_id === item.item_id)!;
    expect(listed.accounts.map((a) => a.mask)).toContain("0000");
    expect(listed.access_token).toMatch(/^access-sandbox-…[0-9a-f]{4}$/);
    const text = JSON.stringify(state.plaid);
    expect(text).not.toContain(item.access_token);
    expect(text).not.toContain("1111222233330000");
  });

  it("reset wipes Plaid state", async () => {
    const item = await t.control<{ access_token: string }>("plaid/item", {});
    await t.control("reset");
    const failure = await plaidFailure(t.plaid.itemGet({ access_token: item.access_token }));
    expect(failure.error.error_code).toBe("INVALID_ACCESS_TOKEN");
    await t.control("plaid/item", {});
  });
});

describe("concurrency", () => {
  it("exchanges a public token exactly once under concurrent requests", async () => {
    const { data } = await t.plaid.sandboxPublicTokenCreate({ institution_id: "ins_109508", initial_products: [Products.Auth] });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => t.plaid.itemPublicTokenExchange({ public_token: data.public_token })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });
});
