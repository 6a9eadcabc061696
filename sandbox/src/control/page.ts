/**
 * The inspection page (GET /): server-rendered HTML of what the emulators
 * hold, newest first, at most RECENT rows per table with the total count, and
 * plain HTML forms (POST /__sandbox/ui/<action>, see ui.ts) for the actions a
 * developer needs while clicking through the app. Every value is escaped.
 * It reads the store directly so that a page over 10,000 objects only touches
 * the newest ones (plus an O(n) count).
 */
import type { SandboxContext } from "../core/context.js";
import type { ActiveFaultRule } from "../core/faults.js";
import type { DeliveryAttempt, WebhookDelivery } from "../core/webhooks.js";
import type { AccountRecord, ItemRecord, PlaidState } from "../plaid/state.js";
import type { StoredBankAccount, StoredCharge, StripeState } from "../stripe/state.js";
import type { MailState, StoredMessage } from "../mail/inbox.js";
import type Stripe from "stripe";
import { SUPPORTED_WEBHOOKS } from "../plaid/service.js";
import { ACH_FAILURE_MESSAGES } from "../stripe/ach.js";

/** Rows per table. */
export const RECENT = 50;

export function escapeHtml(value: unknown): string {
  const text = value === null || value === undefined ? "" : String(value);
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Tagged template: interpolated values are escaped unless wrapped in `raw()`. */
class Raw {
  constructor(readonly html: string) {}
}
export const raw = (html: string): Raw => new Raw(html);
function h(strings: TemplateStringsArray, ...values: unknown[]): Raw {
  let out = strings[0]!;
  values.forEach((value, i) => {
    if (value instanceof Raw) out += value.html;
    else if (Array.isArray(value)) out += value.map((v) => (v instanceof Raw ? v.html : escapeHtml(v))).join("");
    else out += escapeHtml(value);
    out += strings[i + 1]!;
  });
  return new Raw(out);
}

/** The newest `n` values of an insertion-ordered record, newest first. */
function newest<T>(records: Record<string, T>, n = RECENT): T[] {
  const keys = Object.keys(records);
  const out: T[] = [];
  for (let i = keys.length - 1; i >= 0 && out.length < n; i--) out.push(records[keys[i]!]!);
  return out;
}

/** `access-sandbox-…1a2b`: enough to tell tokens apart, not enough to use one. */
export function truncateToken(token: string): string {
  const prefix = /^[a-z]+-(sandbox|development|production)-/.exec(token)?.[0] ?? "";
  return `${prefix}…${token.slice(-4)}`;
}

const iso = (ms: number | null | undefined) => (typeof ms === "number" ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z") : "");
const unix = (s: number | null | undefined) => (typeof s === "number" ? iso(s * 1000) : "");
const money = (amount: number, currency: string) => `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;
const count = (n: number) => n.toLocaleString("en-US");

function caption(title: string, shown: number, total: number): Raw {
  return h`<caption>${title}: ${total === 0 ? "none yet" : shown < total ? `newest ${count(shown)} of ${count(total)}` : `${count(total)}`}</caption>`;
}

function table(title: string, headers: string[], rows: Raw[], total: number): Raw {
  if (total === 0) return h`<p class="empty">No ${title.toLowerCase()} yet.</p>`;
  return h`<div class="scroll"><table>${caption(title, rows.length, total)}<thead><tr>${headers.map((x) => h`<th scope="col">${x}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

function button(
  action: string,
  label: string,
  fields: Record<string, string>,
  options: { danger?: boolean; describedBy?: string } = {},
): Raw {
  return h`<form method="post" action="/__sandbox/ui/${raw(action)}" class="inline">${Object.entries(fields).map(
    ([name, value]) => h`<input type="hidden" name="${name}" value="${value}">`,
  )}<button type="submit"${raw(options.danger ? ' class="danger"' : "")}>${label}</button></form>`;
}

function selectForm(
  action: string,
  fields: Record<string, string>,
  select: { id: string; name: string; label: string; options: string[] },
  submit: string,
): Raw {
  return h`<form method="post" action="/__sandbox/ui/${raw(action)}" class="inline">${Object.entries(fields).map(
    ([name, value]) => h`<input type="hidden" name="${name}" value="${value}">`,
  )}<label for="${select.id}">${select.label}</label> <select id="${select.id}" name="${select.name}">${select.options.map(
    (o) => h`<option value="${o}">${o}</option>`,
  )}</select> <button type="submit">${submit}</button></form>`;
}

const WEBHOOK_CHOICES = Object.entries(SUPPORTED_WEBHOOKS).flatMap(([type, codes]) => codes.map((code) => `${type}:${code}`));
const FAILURE_CODES = Object.keys(ACH_FAILURE_MESSAGES);

// ------------------------------------------------------------------ sections

function plaidSections(plaid: PlaidState | undefined): { items: Raw; accounts: Raw; tokens: Raw; counts: Record<string, number> } {
  const items = plaid?.items ?? {};
  const itemList = newest(items);
  const itemTotal = Object.keys(items).length;
  const itemRows = itemList.map((item) => {
    const status = item.removed ? "removed" : (item.error?.error_code ?? "good");
    const actions: Raw[] = [];
    if (!item.removed) {
      actions.push(
        item.webhook
          ? selectForm(
              "plaid/fire_webhook",
              { item_id: item.item_id },
              { id: `wh-${item.item_id}`, name: "webhook", label: "Webhook", options: WEBHOOK_CHOICES },
              "Fire",
            )
          : h`<span class="muted">no webhook URL</span>`,
      );
      if (status !== "ITEM_LOGIN_REQUIRED")
        actions.push(button("plaid/reset_login", "Force ITEM_LOGIN_REQUIRED", { item_id: item.item_id }));
    }
    return h`<tr><th scope="row"><code>${item.item_id}</code></th><td>${item.institution_name} <span class="muted">(${item.institution_id})</span></td><td><span class="status s-${status.toLowerCase()}">${status}</span></td><td>${item.products.join(", ")}</td><td>${item.webhook ?? ""}</td><td><code>${item.access_token ? truncateToken(item.access_token) : ""}</code></td><td>${item.accounts.length}</td><td>${item.created_at}</td><td class="actions">${actions}</td></tr>`;
  });

  // Accounts of the newest items, mask only (never numbers).
  let accountTotal = 0;
  for (const item of Object.values(items)) accountTotal += item.accounts.length;
  const accountRows: Raw[] = [];
  outer: for (const item of itemList) {
    for (const account of item.accounts) {
      if (accountRows.length >= RECENT) break outer;
      accountRows.push(accountRow(item, account));
    }
  }

  // Tokens of every kind, newest first, truncated.
  type TokenRow = { kind: string; token: string; item: string | null; state: string; created: number; expires: number | null };
  const now = Date.now() + (plaid?.clock_offset_ms ?? 0);
  const tokenRows: TokenRow[] = [
    ...newest(plaid?.link_tokens ?? {}).map((t) => ({
      kind: t.item_id ? "link (update)" : "link",
      token: t.link_token,
      item: t.item_id,
      state: now >= t.expires_at ? "expired" : "valid",
      created: t.created_at,
      expires: t.expires_at,
    })),
    ...newest(plaid?.public_tokens ?? {}).map((t) => ({
      kind: "public",
      token: t.public_token,
      item: t.item_id,
      state: t.exchanged_at !== null ? "exchanged" : now >= t.expires_at ? "expired" : "valid",
      created: t.created_at,
      expires: t.expires_at,
    })),
    ...newest(plaid?.access_tokens ?? {}).map((t) => ({
      kind: "access",
      token: t.access_token,
      item: t.item_id,
      state: items[t.item_id]?.removed ? "revoked" : "valid",
      created: t.created_at,
      expires: null,
    })),
    ...newest(plaid?.processor_tokens ?? {}).map((t) => ({
      kind: `processor (${t.processor})`,
      token: t.processor_token,
      item: t.item_id,
      state: "valid",
      created: t.created_at,
      expires: null,
    })),
  ]
    .sort((a, b) => b.created - a.created)
    .slice(0, RECENT);
  const tokenTotal =
    Object.keys(plaid?.link_tokens ?? {}).length +
    Object.keys(plaid?.public_tokens ?? {}).length +
    Object.keys(plaid?.access_tokens ?? {}).length +
    Object.keys(plaid?.processor_tokens ?? {}).length;

  return {
    items: table(
      "Items",
      ["Item", "Institution", "Status", "Products", "Webhook URL", "Access token", "Accounts", "Created", "Actions"],
      itemRows,
      itemTotal,
    ),
    accounts: table("Accounts", ["Account", "Item", "Name", "Type", "Mask", "Available", "Current"], accountRows, accountTotal),
    tokens: table(
      "Tokens",
      ["Token", "Kind", "Item", "State", "Created", "Expires"],
      tokenRows.map(
        (t) =>
          h`<tr><th scope="row"><code>${truncateToken(t.token)}</code></th><td>${t.kind}</td><td><code>${t.item ?? ""}</code></td><td>${t.state}</td><td>${iso(t.created)}</td><td>${iso(t.expires)}</td></tr>`,
      ),
      tokenTotal,
    ),
    counts: { items: itemTotal, accounts: accountTotal, tokens: tokenTotal },
  };
}

function accountRow(item: ItemRecord, account: AccountRecord): Raw {
  const amount = (v: number | null) => (v === null ? "" : `${v.toFixed(2)} ${account.balances.iso_currency_code ?? ""}`);
  return h`<tr><th scope="row"><code>${account.account_id}</code></th><td><code>${item.item_id}</code></td><td>${account.name}</td><td>${account.type}${account.subtype ? ` / ${account.subtype}` : ""}</td><td>${account.mask ? `••${account.mask}` : ""}</td><td>${amount(account.balances.available)}</td><td>${amount(account.balances.current)}</td></tr>`;
}

function chargeActions(kind: "payment_intent" | "charge", id: string, chargeStatus: string | undefined): Raw {
  if (chargeStatus !== "pending") return h``;
  return h`${button("stripe/settle", "Settle", { [kind]: id })} ${button("stripe/succeed", "Succeed", { [kind]: id })} ${selectForm(
    "stripe/fail",
    { [kind]: id },
    { id: `fail-${id}`, name: "code", label: "Failure code", options: FAILURE_CODES },
    "Fail",
  )}`;
}

function stripeSections(stripe: StripeState | undefined): {
  customers: Raw;
  bankAccounts: Raw;
  payments: Raw;
  counts: Record<string, number>;
} {
  const customers = stripe?.customers ?? {};
  const customerRows = newest(customers).map((c) =>
    c.deleted
      ? h`<tr><th scope="row"><code>${c.id}</code></th><td colspan="4" class="muted">deleted</td></tr>`
      : h`<tr><th scope="row"><code>${c.id}</code></th><td>${(c as Stripe.Customer).email ?? ""}</td><td>${(c as Stripe.Customer).name ?? ""}</td><td><code>${String((c as Stripe.Customer).default_source ?? "")}</code></td><td>${unix((c as Stripe.Customer).created)}</td></tr>`,
  );
  const bankAccounts = stripe?.bankAccounts ?? {};
  const bankRows = newest(bankAccounts).map((stored: StoredBankAccount) => {
    const ba = stored.bankAccount;
    const mandate = stored.mandate ? stripe?.mandates[stored.mandate] : undefined;
    return h`<tr><th scope="row"><code>${ba.id}</code></th><td><code>${String(ba.customer ?? "")}</code></td><td>${ba.bank_name ?? ""}</td><td>••${ba.last4}</td><td>${ba.status}</td><td>${mandate ? `${mandate.id} (${mandate.status})` : "none"}</td><td>${unix(stored.created)}</td></tr>`;
  });

  const charges = stripe?.charges ?? {};
  const intents = stripe?.paymentIntents ?? {};
  const intentRows = newest(intents).map((pi) => {
    const stored = typeof pi.latest_charge === "string" ? charges[pi.latest_charge] : undefined;
    const failure = stored?.charge.failure_code ?? pi.last_payment_error?.code ?? "";
    return h`<tr><th scope="row"><code>${pi.id}</code></th><td>${money(pi.amount, pi.currency)}</td><td><span class="status s-${pi.status}">${pi.status}</span></td><td><code>${String(pi.customer ?? "")}</code></td><td><code>${String(pi.latest_charge ?? "")}</code> ${stored ? stored.charge.status : ""}</td><td>${failure}</td><td>${unix(pi.created)}</td><td class="actions">${chargeActions("payment_intent", pi.id, stored?.charge.status)}</td></tr>`;
  });
  // Legacy charges: created with /v1/charges, not through a PaymentIntent.
  const legacy: StoredCharge[] = [];
  let legacyTotal = 0;
  const chargeKeys = Object.keys(charges);
  for (let i = chargeKeys.length - 1; i >= 0; i--) {
    const stored = charges[chargeKeys[i]!]!;
    if (stored.charge.payment_intent) continue;
    legacyTotal += 1;
    if (legacy.length < RECENT) legacy.push(stored);
  }
  const chargeRows = legacy.map(({ charge, settleAt }) => {
    return h`<tr><th scope="row"><code>${charge.id}</code></th><td>${money(charge.amount, charge.currency)}</td><td><span class="status s-${charge.status}">${charge.status}</span></td><td><code>${String(charge.customer ?? "")}</code></td><td>${charge.failure_code ?? ""}</td><td>${settleAt ? iso(settleAt) : ""}</td><td>${unix(charge.created)}</td><td class="actions">${chargeActions("charge", charge.id, charge.status)}</td></tr>`;
  });
  const pending = Object.values(charges).filter((s) => s.charge.status === "pending").length;
  const intentTotal = Object.keys(intents).length;

  return {
    customers: table("Customers", ["Customer", "Email", "Name", "Default source", "Created"], customerRows, Object.keys(customers).length),
    bankAccounts: table(
      "Bank accounts",
      ["Bank account", "Customer", "Bank", "Last 4", "Status", "Mandate", "Created"],
      bankRows,
      Object.keys(bankAccounts).length,
    ),
    payments: h`<div>${count(pending)} pending ACH debit(s). ${pending > 0 ? button("stripe/settle_all", "Settle all pending", {}) : ""}</div>
<h3 id="payment-intents">PaymentIntents</h3>
${table("PaymentIntents", ["PaymentIntent", "Amount", "Status", "Customer", "Latest charge", "Failure code", "Created", "Actions"], intentRows, intentTotal)}
<h3 id="charges">Charges without a PaymentIntent (legacy API)</h3>
${table("Charges", ["Charge", "Amount", "Status", "Customer", "Failure code", "Settles at", "Created", "Actions"], chargeRows, legacyTotal)}`,
    counts: {
      customers: Object.keys(customers).length,
      bank_accounts: Object.keys(bankAccounts).length,
      payment_intents: intentTotal,
      charges: Object.keys(charges).length,
    },
  };
}

function attempt(a: DeliveryAttempt, i: number): Raw {
  const outcome = a.status !== null ? `HTTP ${a.status}` : `error: ${a.error ?? "unknown"}`;
  return h`<li>#${i + 1} ${iso(Date.parse(a.at))}: ${outcome} (${a.durationMs} ms)</li>`;
}

function webhookSection(deliveries: WebhookDelivery[]): Raw {
  const rows: Raw[] = [];
  for (let i = deliveries.length - 1; i >= 0 && rows.length < RECENT; i--) {
    const d = deliveries[i]!;
    rows.push(
      h`<tr><th scope="row"><code>${d.id}</code></th><td>${d.source}</td><td>${d.type}</td><td>${d.url}</td><td><span class="status s-${d.state}">${d.state}</span></td><td>${
        d.attempts.length === 0 ? h`<span class="muted">in flight</span>` : h`<ol class="attempts">${d.attempts.map(attempt)}</ol>`
      }</td><td>${d.createdAt}</td></tr>`,
    );
  }
  return table("Webhook deliveries", ["Delivery", "Source", "Type", "URL", "State", "Attempts", "Created"], rows, deliveries.length);
}

function faultSection(rules: ActiveFaultRule[]): Raw {
  if (rules.length === 0) return h`<p class="empty">No fault rules (set them with <code>POST /__sandbox/faults</code>).</p>`;
  const rows = rules.map((r) => {
    const effect = r.drop
      ? "drop connection"
      : r.status !== undefined || r.code !== undefined
        ? `error ${r.status ?? ""} ${r.code ?? ""}`
        : "pass through";
    return h`<tr><th scope="row"><code>${r.route}</code></th><td>${effect}</td><td>${r.latencyMs ?? 0} ms</td><td>${r.rate ?? 1}</td><td>${r.times ?? "∞"}</td><td>${r.matched}</td><td>${r.applied}</td></tr>`;
  });
  return h`${table("Fault rules", ["Route prefix", "Effect", "Added latency", "Rate", "Times left", "Matched", "Applied"], rows, rules.length)}
${button("faults/clear", "Clear fault rules", {})}`;
}

/**
 * The inbox: each message folds open to its text part and its HTML part. The
 * HTML is never put into this page: it is the escaped `srcdoc` of an iframe
 * whose empty `sandbox` attribute forbids scripts, forms, popups and
 * same-origin access; the page's CSP (no network) also applies inside it.
 */
function mailSection(mail: MailState | undefined, smtpUrl: string | null): Raw {
  const messages = mail?.messages ?? {};
  const total = Object.keys(messages).length;
  const where = smtpUrl
    ? h`<p>SMTP inbox at <code>${smtpUrl}</code>: every message sent to it, whatever the address, is kept here (JSON: <a href="/__sandbox/mail">/__sandbox/mail</a>).</p>`
    : h`<p class="muted">The SMTP inbox is not running.</p>`;
  if (total === 0) return h`${where}<p class="empty">No messages yet.</p>`;
  const list = newest(messages).map(
    (
      m: StoredMessage,
    ) => h`<details class="mail"><summary><span class="muted">${iso(Date.parse(m.receivedAt))}</span> <strong>${m.subject || "(no subject)"}</strong> to ${m.envelope.to.join(", ")}</summary>
<dl><dt>From</dt><dd>${m.from}</dd><dt>To</dt><dd>${m.to}</dd><dt>Envelope</dt><dd>${m.envelope.from ?? ""} → ${m.envelope.to.join(", ")}</dd><dt>Subject</dt><dd>${m.subject}</dd><dt>Message-ID</dt><dd><code>${m.messageId ?? ""}</code></dd><dt>Id</dt><dd><code>${m.id}</code></dd></dl>
<h3>Text part</h3>${m.text === null ? h`<p class="muted">none</p>` : h`<pre class="mail-text">${m.text}</pre>`}
<h3>HTML part</h3>${
      m.html === null
        ? h`<p class="muted">none</p>`
        : h`<iframe class="mail-html" sandbox="" referrerpolicy="no-referrer" title="HTML part of ${m.subject || m.id}" srcdoc="${m.html}"></iframe>`
    }
</details>`,
  );
  return h`${where}<p class="muted">${total > list.length ? `Newest ${count(list.length)} of ${count(total)}.` : ""}</p>${list}
${button("mail/clear", "Delete all messages", {})}`;
}

const CSS = `
:root{color-scheme:light dark;--fg:#1d1d1f;--bg:#fff;--muted:#5f6368;--line:#d0d4d9;--accent:#0b57d0;--danger:#b3261e;--ok:#146c2e}
@media (prefers-color-scheme:dark){:root{--fg:#e8eaed;--bg:#16181b;--muted:#a0a6ad;--line:#3c4043;--accent:#8ab4f8;--danger:#f2b8b5;--ok:#6dd58c}}
body{font:14px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;padding:1rem 1.5rem;max-width:110rem}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--line)}h3{font-size:1rem;margin:1rem 0 .4rem}
nav ul{display:flex;flex-wrap:wrap;gap:.3rem 1rem;list-style:none;padding:0;margin:.5rem 0}
a{color:var(--accent)}.muted{color:var(--muted)}code{font:12px ui-monospace,monospace}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:13px}caption{text-align:left;color:var(--muted);padding:.2rem 0}
th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}thead th{white-space:nowrap}
form.inline{display:inline-flex;gap:.3rem;align-items:center;margin:.1rem .3rem .1rem 0}
button{font:inherit;padding:.15rem .6rem;border:1px solid var(--accent);border-radius:4px;background:transparent;color:var(--accent);cursor:pointer}
button:hover,button:focus-visible{background:var(--accent);color:var(--bg)}button.danger{border-color:var(--danger);color:var(--danger)}button.danger:hover,button.danger:focus-visible{background:var(--danger);color:var(--bg)}
select{font:inherit;max-width:14rem}.actions{min-width:14rem}.actions form.inline{display:flex;flex-wrap:wrap;margin:.15rem 0}.attempts{margin:0;padding-left:1.2rem}
.flash{padding:.5rem .8rem;border-radius:4px;border:1px solid var(--ok);color:var(--ok)}.flash.error{border-color:var(--danger);color:var(--danger)}
details.mail{border-bottom:1px solid var(--line);padding:.4rem 0}details.mail summary{cursor:pointer}details.mail dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem;margin:.5rem 0}details.mail dt{color:var(--muted)}details.mail dd{margin:0}
.mail-text{white-space:pre-wrap;border:1px solid var(--line);padding:.5rem;max-width:60rem}.mail-html{width:100%;max-width:60rem;height:24rem;border:1px solid var(--line);background:#fff}
.status{font-weight:600}.s-good,.s-succeeded,.s-delivered{color:var(--ok)}.s-failed,.s-item_login_required,.s-requires_payment_method{color:var(--danger)}
`;

export interface PageInput {
  context: SandboxContext;
  faults: ActiveFaultRule[];
  flash?: { message: string; level: "ok" | "error" } | null;
}

export function renderInspectionPage({ context, faults, flash }: PageInput): string {
  const data = context.store.snapshot();
  const plaid = plaidSections(data.plaid as PlaidState | undefined);
  const stripe = stripeSections(data.stripe as StripeState | undefined);
  const deliveries = context.webhooks.list();
  const sections: [string, string, Raw][] = [
    ["items", `Plaid items (${count(plaid.counts.items!)})`, plaid.items],
    ["accounts", `Plaid accounts (${count(plaid.counts.accounts!)})`, plaid.accounts],
    ["tokens", `Plaid tokens (${count(plaid.counts.tokens!)})`, plaid.tokens],
    ["customers", `Stripe customers (${count(stripe.counts.customers!)})`, stripe.customers],
    ["bank-accounts", `Stripe bank accounts (${count(stripe.counts.bank_accounts!)})`, stripe.bankAccounts],
    [
      "payments",
      `Payments (${count(stripe.counts.payment_intents!)} PaymentIntents, ${count(stripe.counts.charges!)} charges)`,
      stripe.payments,
    ],
    ["webhooks", `Webhook deliveries (${count(deliveries.length)})`, webhookSection(deliveries)],
    [
      "mail",
      `Mail (${count(Object.keys((data.mail as MailState | undefined)?.messages ?? {}).length)})`,
      mailSection(data.mail as MailState | undefined, context.config.smtpUrl),
    ],
    ["faults", `Fault injection (${faults.length} ${faults.length === 1 ? "rule" : "rules"})`, faultSection(faults)],
  ];
  const flashHtml = flash
    ? h`<p class="flash ${flash.level}" role="${flash.level === "error" ? "alert" : "status"}">${flash.message}</p>`
    : h``;
  const page = h`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fundwell local sandbox</title>
<style>${raw(CSS)}</style>
</head>
<body>
<header>
<h1>Fundwell local sandbox</h1>
<p class="muted">Plaid, Link and Stripe emulator and SMTP inbox at <code>${context.config.publicUrl}</code>. Newest ${RECENT} of each kind; reload to refresh. JSON: <a href="/__sandbox/state">/__sandbox/state</a>.</p>
<nav aria-label="Sections"><ul>${sections.map(([id, title]) => h`<li><a href="#${id}">${title}</a></li>`)}</ul></nav>
${flashHtml}
</header>
<main>
${sections.map(
  ([id, title, body]) => h`<section aria-labelledby="${id}"><h2 id="${id}">${title}</h2>
${body}
</section>
`,
)}
<section aria-labelledby="reset"><h2 id="reset">Reset</h2>
<p>Deletes every item, token, customer, payment, webhook delivery, message and fault rule (also on disk).</p>
${button("reset", "Reset everything", {}, { danger: true })}
</section>
</main>
</body>
</html>`;
  return page.html;
}
