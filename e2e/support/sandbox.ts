/** The e2e sandbox (playwright.config.ts starts it on this port through the launcher). */
export const SANDBOX_URL = `http://127.0.0.1:${process.env.E2E_SANDBOX_PORT ?? 4110}`;

export async function sandboxControl<T = Record<string, unknown>>(action: string, body: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${SANDBOX_URL}/__sandbox/${action}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`sandbox ${action}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A Link result without the UI (for API-level specs): public token + the checking account id. */
export async function linkResultWithoutUi(): Promise<{ publicToken: string; accountId: string }> {
  const { public_token, item_id } = await sandboxControl<{ public_token: string; item_id: string }>("plaid/public_token", {
    institution_id: "ins_109508",
  });
  const state = (await (await fetch(`${SANDBOX_URL}/__sandbox/state`)).json()) as {
    plaid: { items: { item_id: string; accounts: { account_id: string; name: string }[] }[] };
  };
  const account = state.plaid.items.find((i) => i.item_id === item_id)!.accounts.find((a) => a.name === "Plaid Checking")!;
  return { publicToken: public_token, accountId: account.account_id };
}
