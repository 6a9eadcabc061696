import { inject } from "vitest";

/** Calls the local sandbox's control API (tests arrange upstream state through it). */
export async function sandboxControl<T = Record<string, unknown>>(action: string, body: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${inject("sandboxUrl")}/__sandbox/${action}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`sandbox ${action}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

interface SandboxAccount {
  account_id: string;
  name: string;
  mask: string;
  type: string;
  subtype: string;
}

/**
 * What Link's onSuccess would hand the app: a public token for a new item
 * and the item's accounts (to pick one, as Account Select would).
 */
export async function linkResult(options: { institutionId?: string; username?: string; password?: string } = {}) {
  const { public_token, item_id } = await sandboxControl<{ public_token: string; item_id: string }>("plaid/public_token", {
    institution_id: options.institutionId ?? "ins_109508",
    username: options.username ?? "user_good",
    password: options.password ?? "pass_good",
    // Unreachable on purpose: tests deliver webhooks to the handlers themselves.
    webhook: "http://127.0.0.1:9/api/webhooks/plaid",
  });
  const state = await fetch(`${inject("sandboxUrl")}/__sandbox/state`).then(
    (r) => r.json() as Promise<{ plaid: { items: { item_id: string; accounts: SandboxAccount[] }[] } }>,
  );
  const item = state.plaid.items.find((i) => i.item_id === item_id)!;
  return {
    publicToken: public_token,
    plaidItemId: item_id,
    accounts: item.accounts,
    input(accountName = "Plaid Checking") {
      const account = item.accounts.find((a) => a.name === accountName)!;
      return {
        publicToken: public_token,
        accountId: account.account_id,
        linkSessionId: "link-session-test",
        accountCount: 1,
      };
    },
  };
}

/** A user_custom password whose one checking account has the given numbers and balances. */
export function customUserPassword(account: { accountNumber: string; mask: string; available?: number | null; current?: number }): string {
  return JSON.stringify({
    override_accounts: [
      {
        type: "depository",
        subtype: "checking",
        starting_balance: account.current ?? 5_000,
        ...(account.available !== undefined && account.available !== null ? { force_available_balance: account.available } : {}),
        meta: { name: "Custom Checking", mask: account.mask },
        numbers: { account: account.accountNumber, ach_routing: "110000000" },
      },
    ],
  });
}
