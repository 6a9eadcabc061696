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

export interface InboxMail {
  id: string;
  to: string;
  subject: string;
  text: string | null;
  html: string | null;
}

/**
 * The newest message to `to` whose subject matches, from the sandbox's SMTP
 * inbox: polled, because the app's sender delivers every MAIL_SEND_INTERVAL_MS.
 */
export async function waitForMail(to: string, subject: RegExp, timeoutMs = 30_000): Promise<InboxMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${SANDBOX_URL}/__sandbox/mail?to=${encodeURIComponent(to)}`);
    const { messages } = (await res.json()) as { messages: { id: string; subject: string }[] };
    const found = messages.find((m) => subject.test(m.subject));
    if (found) return (await (await fetch(`${SANDBOX_URL}/__sandbox/mail/${found.id}`)).json()) as InboxMail;
    if (Date.now() > deadline) throw new Error(`no mail to ${to} matching ${subject} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
