/**
 * The Link stand-in's iframe UI (/link/ui): consent → institution → credentials
 * → MFA → account selection → connected, plus error and exit panes. Plain DOM,
 * no framework. Talks to the parent script (initialize.ts) by postMessage
 * (target and accepted origin = the `origin` URL parameter, source = the
 * parent window, plus the channel id) and to /link/api/* on its own origin.
 */
import {
  MESSAGE_SOURCE,
  type FrameMessage,
  type LinkErrorObject,
  type LinkEventMetadata,
  type LinkInstitution,
  type MessageBody,
  type ParentMessage,
} from "./protocol.js";
// Type-only (erased by esbuild): no server code reaches the bundle.
import type { AccountChoice } from "../../plaid/service.js";

type ViewName =
  "CONSENT" | "SELECT_INSTITUTION" | "OAUTH" | "CREDENTIAL" | "MFA" | "LOADING" | "SELECT_ACCOUNT" | "CONNECTED" | "ERROR" | "EXIT";

type Challenge =
  | { type: "device"; round: number; rounds: number; message: string }
  | { type: "questions"; round: number; rounds: number; questions: string[] }
  | { type: "selections"; round: number; rounds: number; selections: { question: string; answers: string[] }[] };

interface SessionInfo {
  link_session_id: string;
  client_name: string;
  mode: "create" | "update";
  institution: LinkInstitution | null;
  select_account: boolean;
  account_select: "one" | "multiple" | "all";
  /** The link token has a redirect_uri: OAuth banks log in on their own page. */
  oauth_redirect: boolean;
  /** Back from an OAuth bank (receivedRedirectUri): where Link continues. */
  resume?: Outcome;
}

interface InstitutionInfo {
  institution_id: string;
  name: string;
  oauth: boolean;
  health: string;
}

type Outcome = { outcome: "mfa"; challenge: Challenge } | { outcome: "accounts"; select_account: boolean; accounts: AccountChoice[] };

interface CompleteResult {
  public_token: string;
  metadata: Record<string, unknown> & { accounts?: { name?: string }[] };
}

// ------------------------------------------------------------------ set-up

const params = new URLSearchParams(location.search);
const linkToken = params.get("token") ?? "";
const channel = params.get("channel") ?? "";
const receivedRedirectUri = params.get("receivedRedirectUri");
const parentOrigin = (() => {
  const raw = params.get("origin");
  if (!raw) return null;
  try {
    const url = new URL(raw);
    return url.origin === raw && (url.protocol === "http:" || url.protocol === "https:") ? url.origin : null;
  } catch {
    return null;
  }
})();

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el as T;
}

const dialog = byId<HTMLDivElement>("dialog");
const viewEl = byId<HTMLDivElement>("view");
const closeButton = byId<HTMLButtonElement>("close");
const announcer = byId<HTMLDivElement>("announcer");

const state = {
  open: false,
  /** Bumped on every open and close: answers to requests of an earlier session are dropped. */
  generation: 0,
  session: null as SessionInfo | null,
  linkSessionId: "",
  requestId: "",
  institution: null as LinkInstitution | null,
  institutions: null as InstitutionInfo[] | null,
  view: null as ViewName | null,
  /** onExit status for the step the user is at. */
  exitStatus: null as string | null,
  lastError: null as LinkErrorObject | null,
  /** Re-renders the view the exit pane was opened from ("Go back"). */
  rerender: null as (() => void) | null,
  result: null as CompleteResult | null,
};

function uuid(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function send(message: MessageBody<FrameMessage>): void {
  if (!parentOrigin) return;
  window.parent.postMessage({ ...message, source: MESSAGE_SOURCE, channel }, parentOrigin);
}

// ------------------------------------------------------------------ events

function emit(eventName: string, extra: Partial<LinkEventMetadata> = {}): void {
  const metadata: LinkEventMetadata = {
    account_number_mask: null,
    // Plaid sets brand_name on SELECT_BRAND only (banks with several portals); the sandbox banks have one.
    brand_name: null,
    error_type: null,
    error_code: null,
    error_message: null,
    exit_status: null,
    institution_id: state.institution?.institution_id ?? null,
    institution_name: state.institution?.name ?? null,
    institution_search_query: null,
    is_update_mode: state.session ? (state.session.mode === "update" ? "yes" : "no") : null,
    match_reason: null,
    mfa_type: null,
    routing_number: null,
    view_name: null,
    selection: null,
    timestamp: new Date().toISOString(),
    link_session_id: state.linkSessionId,
    request_id: state.requestId,
    ...extra,
  };
  send({ type: "event", eventName, metadata });
}

function errorFields(error: LinkErrorObject | null): Partial<LinkEventMetadata> {
  if (!error) return {};
  return { error_type: error.error_type, error_code: error.error_code, error_message: error.error_message };
}

// ------------------------------------------------------------------ API

function internalError(message: string): LinkErrorObject {
  return {
    error_type: "API_ERROR",
    error_code: "INTERNAL_SERVER_ERROR",
    error_message: message,
    display_message: "Something went wrong on our end. Please try again later.",
  };
}

async function api<T>(name: string, body: Record<string, unknown>): Promise<{ ok: true; data: T } | { ok: false; error: LinkErrorObject }> {
  try {
    const res = await fetch(`/link/api/${name}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
    const data = (await res.json()) as { request_id?: unknown; error?: LinkErrorObject };
    if (typeof data.request_id === "string") state.requestId = data.request_id;
    if (!res.ok || data.error) return { ok: false, error: data.error ?? internalError(`the sandbox answered ${res.status}`) };
    return { ok: true, data: data as T };
  } catch (err) {
    return { ok: false, error: internalError(`the sandbox could not be reached (${err instanceof Error ? err.message : String(err)})`) };
  }
}

/** Calls the API for the current session; errors go to the error pane (or end Link for an unusable token). */
async function call<T>(name: string, body: Record<string, unknown>, onOk: (data: T) => void): Promise<void> {
  const generation = state.generation;
  const result = await api<T>(name, { ...body, link_session_id: state.linkSessionId });
  if (generation !== state.generation || !state.open) return;
  if (!result.ok) {
    if (result.error.error_code === "INVALID_LINK_TOKEN" || result.error.error_code === "ITEM_NOT_FOUND") fatal(result.error);
    else renderError(result.error);
    return;
  }
  onOk(result.data);
}

// ------------------------------------------------------------------ DOM helpers

type Child = Node | string | null | false | undefined;
type Attr = string | boolean | undefined | ((event: Event) => void);

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, Attr> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") el.addEventListener(key.slice(2).toLowerCase(), value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) {
    if (child === null || child === false || child === undefined) continue;
    el.append(child);
  }
  return el;
}

function heading(text: string): HTMLHeadingElement {
  return h("h1", { id: "view-heading", tabindex: "-1" }, text);
}

function announce(text: string): void {
  announcer.textContent = "";
  // A fresh text node after a tick, so screen readers announce repeats.
  setTimeout(() => (announcer.textContent = text), 30);
}

function isTabbable(el: HTMLElement): boolean {
  if ((el as HTMLButtonElement).disabled || el.tabIndex < 0 || el.getClientRects().length === 0) return false;
  if (el instanceof HTMLInputElement && el.type === "radio") {
    const group = Array.from(dialog.querySelectorAll<HTMLInputElement>(`input[type="radio"][name="${CSS.escape(el.name)}"]`));
    const checked = group.find((r) => r.checked);
    return checked ? checked === el : group[0] === el;
  }
  return true;
}

function tabbables(): HTMLElement[] {
  return Array.from(dialog.querySelectorAll<HTMLElement>("button, input, select, textarea, a[href], [tabindex]")).filter(isTabbable);
}

function focusInto(target?: HTMLElement | null): void {
  const el = target ?? tabbables().find((e) => e !== closeButton) ?? document.getElementById("view-heading");
  window.focus();
  el?.focus();
}

function show(view: ViewName, nodes: Node[], focus: HTMLElement | null, extra: Partial<LinkEventMetadata> = {}): void {
  state.view = view;
  viewEl.replaceChildren(...nodes);
  viewEl.setAttribute("data-view", view);
  dialog.hidden = false;
  dialog.setAttribute("aria-busy", view === "LOADING" ? "true" : "false");
  emit("TRANSITION_VIEW", { view_name: view, ...extra });
  focusInto(focus);
}

function fieldError(id: string): HTMLParagraphElement {
  return h("p", { id, class: "field-error", role: "alert", hidden: true });
}

function setFieldError(el: HTMLParagraphElement, text: string | null): void {
  el.textContent = text ?? "";
  el.hidden = text === null;
}

function money(amount: number | null, currency: string | null): string | null {
  if (amount === null) return null;
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency: currency ?? "USD" }).format(amount);
  } catch {
    return amount.toFixed(2);
  }
}

function clientName(): string {
  return state.session?.client_name || "This app";
}

// ------------------------------------------------------------------ views

function renderBusy(): void {
  // Before the session is known (no TRANSITION_VIEW: Link has not opened yet).
  state.view = null;
  viewEl.replaceChildren(heading("Loading…"), h("div", { class: "spinner", "aria-hidden": "true" }));
  dialog.hidden = false;
  dialog.setAttribute("aria-busy", "true");
  focusInto(document.getElementById("view-heading"));
}

function renderLoading(text: string): void {
  const title = heading(text);
  show(
    "LOADING",
    [title, h("div", { class: "spinner", "aria-hidden": "true" }), h("p", { class: "muted" }, "This only takes a moment.")],
    title,
  );
}

function renderConsent(): void {
  state.exitStatus = null;
  state.rerender = renderConsent;
  const next = h(
    "button",
    { type: "button", class: "primary", onclick: () => (state.institution ? renderCredential() : void renderInstitutions()) },
    "Continue",
  );
  show(
    "CONSENT",
    [
      heading(`${clientName()} uses Plaid to connect your account`),
      h(
        "ul",
        { class: "points" },
        h("li", {}, h("strong", {}, "Connect effortlessly. "), "Plaid lets you securely connect your financial accounts in seconds."),
        h(
          "li",
          {},
          h("strong", {}, "Your data belongs to you. "),
          "Plaid doesn't sell personal info, and will only use it with your permission.",
        ),
      ),
      h("p", { class: "sandbox-note" }, "Local sandbox: no real bank is contacted. Use user_good / pass_good."),
      h("div", { class: "actions" }, next),
    ],
    next,
  );
}

async function renderInstitutions(): Promise<void> {
  state.exitStatus = "institution_not_found";
  state.rerender = () => void renderInstitutions();
  if (!state.institutions) {
    let loaded = false;
    await call<{ institutions: InstitutionInfo[] }>("institutions", {}, (data) => {
      state.institutions = data.institutions;
      loaded = true;
    });
    if (!loaded) return;
  }
  const all = state.institutions ?? [];
  const list = h("ul", { class: "institutions", "aria-label": "Institutions" });
  const empty = h("p", { class: "muted", hidden: true }, "No institutions match your search.");
  const fill = (query: string): number => {
    const q = query.trim().toLowerCase();
    const matches = all.filter((i) => q === "" || i.name.toLowerCase().includes(q) || i.institution_id === q);
    list.replaceChildren(
      ...matches.map((i) =>
        h(
          "li",
          {},
          h(
            "button",
            { type: "button", class: "institution", "data-institution-id": i.institution_id, onclick: () => selectInstitution(i) },
            i.name,
          ),
        ),
      ),
    );
    empty.hidden = matches.length > 0;
    return matches.length;
  };
  const search = h("input", {
    id: "institution-search",
    type: "search",
    autocomplete: "off",
    spellcheck: "false",
    oninput: (event: Event) => {
      const query = (event.target as HTMLInputElement).value;
      const count = fill(query);
      announce(`${count} ${count === 1 ? "result" : "results"}`);
      if (query.trim() !== "") emit("SEARCH_INSTITUTION", { institution_search_query: query });
    },
  });
  fill("");
  show(
    "SELECT_INSTITUTION",
    [heading("Select your bank"), h("label", { for: "institution-search" }, "Search for your bank"), search, empty, list],
    search,
  );
}

function selectInstitution(institution: InstitutionInfo): void {
  state.institution = { institution_id: institution.institution_id, name: institution.name };
  emit("SELECT_INSTITUTION");
  // Link tells the user (and onEvent) when the chosen bank's health is not good.
  if (institution.health === "DEGRADED") emit("SELECT_DEGRADED_INSTITUTION");
  if (institution.health === "DOWN") emit("SELECT_DOWN_INSTITUTION");
  if (institution.oauth && state.session?.oauth_redirect) renderOAuth();
  else renderCredential();
}

/** OAuth bank: the person logs in on the bank's page, then the bank sends them back to the app's redirect_uri. */
function renderOAuth(): void {
  const institution = state.institution!;
  state.exitStatus = "requires_oauth";
  state.rerender = renderOAuth;
  const go = h(
    "button",
    {
      type: "button",
      class: "primary",
      onclick: () => {
        emit("OPEN_OAUTH");
        void call<{ url: string }>("oauth", { institution_id: institution.institution_id }, (data) => {
          send({ type: "oauth_redirect", url: data.url });
        });
      },
    },
    "Continue to login",
  );
  show(
    "OAUTH",
    [
      heading(`Log in at ${institution.name}`),
      h("p", {}, `You will be sent to ${institution.name} to log in, then back to ${clientName()} to finish.`),
      h("div", { class: "actions" }, go),
    ],
    go,
  );
}

function renderCredential(): void {
  const institution = state.institution!;
  const update = state.session?.mode === "update";
  state.exitStatus = "requires_credentials";
  state.rerender = renderCredential;
  const error = fieldError("credential-error");
  const username = h("input", {
    id: "username",
    name: "username",
    type: "text",
    autocomplete: "username",
    autocapitalize: "off",
    spellcheck: "false",
    required: true,
    "aria-describedby": "credential-error",
  });
  const password = h("input", {
    id: "password",
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
    "aria-describedby": "credential-error",
  });
  const canGoBack = !update && state.session?.institution === null;
  const form = h(
    "form",
    {
      novalidate: true,
      onsubmit: (event: Event) => {
        event.preventDefault();
        const missing = [username, password].find((i) => i.value === "");
        for (const input of [username, password]) input.setAttribute("aria-invalid", String(input.value === ""));
        if (missing) {
          setFieldError(error, "Enter your username and password.");
          missing.focus();
          return;
        }
        emit("SUBMIT_CREDENTIALS");
        const body = { institution_id: institution.institution_id, username: username.value, password: password.value };
        renderLoading(`Connecting to ${institution.name}…`);
        void call<Outcome>("credentials", body, handleOutcome);
      },
    },
    h("label", { for: "username" }, "Username"),
    username,
    h("label", { for: "password" }, "Password"),
    password,
    error,
    h("p", { class: "sandbox-note" }, "Sandbox: user_good / pass_good; mfa_device (code 1234); error_ITEM_LOCKED…"),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit", class: "primary" }, "Submit"),
      canGoBack && h("button", { type: "button", class: "secondary", onclick: () => void renderInstitutions() }, "Back"),
    ),
  );
  show(
    "CREDENTIAL",
    [
      heading(update ? `Log in again to ${institution.name}` : `Log in at ${institution.name}`),
      update ? h("p", {}, `Your connection to ${clientName()} needs to be refreshed. Enter your credentials to reconnect.`) : null,
      form,
    ].filter((n) => n !== null),
    username,
  );
}

function handleOutcome(data: Outcome): void {
  state.lastError = null;
  if (data.outcome === "mfa") {
    renderMfa(data.challenge);
  } else if (data.select_account) {
    renderAccounts(data.accounts);
  } else {
    // Update mode without account selection: straight on (the LOADING pane is still up).
    if (state.view !== "LOADING") renderLoading("Reconnecting your account…");
    void call<CompleteResult>("complete", {}, onComplete);
  }
}

function mfaTypeOf(challenge: Challenge): string {
  return challenge.type === "device" ? "code" : challenge.type;
}

function renderMfa(challenge: Challenge): void {
  const mfaType = mfaTypeOf(challenge);
  state.exitStatus = `requires_${mfaType}`;
  state.rerender = () => renderMfa(challenge);
  const error = fieldError("mfa-error");
  const fields: HTMLElement[] = [];
  const collect: (() => string | null)[] = [];
  let title: string;
  let intro: string | null = null;
  const round = challenge.rounds > 1 ? ` (${challenge.round} of ${challenge.rounds})` : "";
  if (challenge.type === "device") {
    title = "Verify your identity";
    intro = challenge.message;
    const input = h("input", {
      id: "mfa-code",
      name: "code",
      type: "text",
      inputmode: "numeric",
      autocomplete: "one-time-code",
      required: true,
      "aria-describedby": "mfa-error",
    });
    fields.push(h("label", { for: "mfa-code" }, "Verification code"), input);
    collect.push(() => input.value.trim() || null);
  } else if (challenge.type === "questions") {
    title = `Answer your security questions${round}`;
    challenge.questions.forEach((question, i) => {
      const id = `mfa-question-${i}`;
      const input = h("input", { id, name: id, type: "text", autocomplete: "off", required: true, "aria-describedby": "mfa-error" });
      fields.push(h("label", { for: id }, question), input);
      collect.push(() => input.value.trim() || null);
    });
  } else {
    title = `Answer your security question${round}`;
    challenge.selections.forEach((selection, i) => {
      const name = `mfa-selection-${i}`;
      const radios = selection.answers.map((answer, j) => {
        const id = `${name}-${j}`;
        const radio = h("input", { id, name, type: "radio", value: answer });
        return { radio, row: h("div", { class: "choice" }, radio, h("label", { for: id }, answer)) };
      });
      fields.push(h("fieldset", {}, h("legend", {}, selection.question), ...radios.map((r) => r.row)));
      collect.push(() => radios.find((r) => r.radio.checked)?.radio.value ?? null);
    });
  }
  const form = h(
    "form",
    {
      novalidate: true,
      onsubmit: (event: Event) => {
        event.preventDefault();
        const responses = collect.map((c) => c());
        if (responses.some((r) => r === null)) {
          setFieldError(error, challenge.type === "selections" ? "Choose an answer." : "Answer every field.");
          focusInto(null);
          return;
        }
        emit("SUBMIT_MFA", { mfa_type: mfaType });
        renderLoading("Verifying…");
        void call<Outcome>("mfa", { responses }, handleOutcome);
      },
    },
    ...fields,
    error,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Submit")),
  );
  show(
    "MFA",
    [heading(title), intro ? h("p", {}, intro) : null, form].filter((n) => n !== null),
    null,
    { mfa_type: mfaType },
  );
}

function accountLabel(account: AccountChoice): string {
  const kind = account.subtype ? account.subtype.replace(/\b\w/g, (c) => c.toUpperCase()) : account.type;
  const balance = money(account.balances.available ?? account.balances.current, account.balances.iso_currency_code);
  return [kind, balance ? `${balance} available` : null].filter(Boolean).join(" · ");
}

function renderAccounts(accounts: AccountChoice[]): void {
  state.exitStatus = "requires_account_selection";
  state.rerender = () => renderAccounts(accounts);
  const mode = state.session?.account_select ?? "one";
  const error = fieldError("account-error");
  const rows = accounts.map((account, i) => {
    const id = `account-${i}`;
    const input = h("input", {
      id,
      name: "account",
      type: mode === "one" ? "radio" : "checkbox",
      value: account.id,
      "aria-describedby": `${id}-detail`,
    });
    // "All accounts": every eligible account is shared, shown checked and fixed.
    if (mode === "all") {
      input.checked = true;
      input.disabled = true;
    }
    return {
      input,
      account,
      row: h(
        "div",
        { class: "choice account" },
        input,
        h("label", { for: id }, account.name, account.mask ? h("span", { class: "mask" }, ` ••••${account.mask}`) : null),
        h("span", { id: `${id}-detail`, class: "muted detail" }, accountLabel(account)),
      ),
    };
  });
  const continueButton = h("button", { type: "submit", class: "primary" }, "Continue");
  const form = h(
    "form",
    {
      novalidate: true,
      onsubmit: (event: Event) => {
        event.preventDefault();
        const chosen = rows.filter((r) => r.input.checked);
        if (chosen.length === 0) {
          setFieldError(error, mode === "one" ? "Select an account to continue." : "Select at least one account to continue.");
          rows[0]?.input.focus();
          return;
        }
        renderLoading("Connecting your account…");
        void call<CompleteResult>("complete", { account_ids: chosen.map((r) => r.account.id) }, onComplete);
      },
    },
    h("fieldset", {}, h("legend", {}, "Accounts"), ...rows.map((r) => r.row)),
    error,
    h("div", { class: "actions" }, continueButton),
  );
  const intro =
    mode === "one"
      ? `${clientName()} will only have access to the account you select.`
      : mode === "multiple"
        ? `${clientName()} will only have access to the accounts you select.`
        : `${clientName()} will have access to all of these accounts.`;
  show(
    "SELECT_ACCOUNT",
    [heading(mode === "one" ? "Select an account" : "Select accounts"), h("p", {}, intro), form],
    mode === "all" ? continueButton : (rows[0]?.input ?? null),
  );
}

function onComplete(result: CompleteResult): void {
  state.result = result;
  state.lastError = null;
  renderConnected();
}

function renderConnected(): void {
  state.rerender = renderConnected;
  const update = state.session?.mode === "update";
  const accountName = state.result?.metadata.accounts?.[0]?.name;
  const done = h("button", { type: "button", class: "primary", onclick: handoff }, "Continue");
  const text = update
    ? `Your account at ${state.institution?.name ?? "your bank"} has been reconnected to ${clientName()}.`
    : `Your ${accountName ?? ""} account at ${state.institution?.name ?? "your bank"} has been connected to ${clientName()}.`.replace(
        "Your  account",
        "Your account",
      );
  show("CONNECTED", [heading("Success"), h("p", {}, text), h("div", { class: "actions" }, done)], done);
}

const ERROR_TITLES: Record<string, string> = {
  INVALID_CREDENTIALS: "The username or password is incorrect",
  INVALID_MFA: "The code or answer is incorrect",
  INVALID_UPDATED_USERNAME: "This is a different login",
  ITEM_LOCKED: "Your account is locked",
  USER_SETUP_REQUIRED: "Your account needs attention",
  NO_ACCOUNTS: "No eligible accounts",
  NO_AUTH_ACCOUNTS: "No eligible accounts",
  INSTITUTION_DOWN: "This bank isn't available right now",
  INSTITUTION_NOT_RESPONDING: "This bank isn't available right now",
  INSTITUTION_NOT_AVAILABLE: "This bank isn't available right now",
  INSTITUTION_NO_LONGER_SUPPORTED: "This bank is no longer supported",
};
const RETRY_CREDENTIALS = new Set(["INVALID_CREDENTIALS", "INVALID_MFA", "INVALID_UPDATED_USERNAME", "INVALID_SEND_METHOD"]);

function renderError(error: LinkErrorObject): void {
  state.lastError = error;
  state.rerender = () => renderError(error);
  emit("ERROR", errorFields(error));
  const buttons: HTMLButtonElement[] = [];
  if (RETRY_CREDENTIALS.has(error.error_code) && state.institution) {
    buttons.push(h("button", { type: "button", class: "primary", onclick: renderCredential }, "Try again"));
  } else if (error.error_code.startsWith("INSTITUTION_") && state.session?.mode !== "update" && state.session?.institution === null) {
    buttons.push(h("button", { type: "button", class: "primary", onclick: () => void renderInstitutions() }, "Select another bank"));
  }
  buttons.push(h("button", { type: "button", class: buttons.length ? "secondary" : "primary", onclick: exitNow }, "Exit"));
  show(
    "ERROR",
    [
      heading(ERROR_TITLES[error.error_code] ?? "Something went wrong"),
      h("p", {}, error.display_message ?? error.error_message),
      h("p", { class: "muted" }, `Error code: ${error.error_code}`),
      h("div", { class: "actions" }, ...buttons),
    ],
    buttons[0]!,
    errorFields(error),
  );
}

function renderExitConfirm(): void {
  const back = state.rerender;
  const exit = h("button", { type: "button", class: "primary", onclick: exitNow }, "Exit");
  show(
    "EXIT",
    [
      heading("Are you sure you want to exit?"),
      h("p", {}, `Your account won't be connected to ${clientName()}, and you'll need to start over.`),
      h(
        "div",
        { class: "actions" },
        exit,
        h("button", { type: "button", class: "secondary", onclick: () => (back ? back() : exitNow()) }, "Go back"),
      ),
    ],
    exit,
  );
}

// ------------------------------------------------------------------ open / close

function resetView(): void {
  dialog.hidden = true;
  viewEl.replaceChildren();
  state.view = null;
}

async function onOpen(): Promise<void> {
  if (state.open) {
    focusInto(null);
    return;
  }
  state.generation++;
  state.open = true;
  state.session = null;
  state.linkSessionId = uuid();
  state.requestId = "";
  state.institution = null;
  state.exitStatus = null;
  state.lastError = null;
  state.rerender = null;
  state.result = null;
  renderBusy();
  const generation = state.generation;
  const result = await api<SessionInfo>("session", { link_token: linkToken, received_redirect_uri: receivedRedirectUri });
  if (generation !== state.generation || !state.open) return;
  if (!result.ok) {
    fatal(result.error);
    return;
  }
  state.session = result.data;
  state.linkSessionId = result.data.link_session_id;
  state.institution = result.data.institution;
  emit("OPEN");
  if (result.data.resume) handleOutcome(result.data.resume);
  else if (result.data.mode === "update") renderCredential();
  else renderConsent();
}

/** An error Link cannot continue after (invalid or expired link token): exits at once. */
function fatal(error: LinkErrorObject): void {
  state.lastError = error;
  emit("ERROR", errorFields(error));
  exitNow();
}

function exitNow(): void {
  if (!state.open) return;
  const error = state.lastError;
  const metadata = {
    institution: state.institution,
    status: state.exitStatus,
    link_session_id: state.linkSessionId,
    request_id: state.requestId,
  };
  emit("EXIT", { exit_status: state.exitStatus, ...errorFields(error) });
  state.open = false;
  state.generation++;
  resetView();
  send({ type: "exit", error, metadata });
}

function handoff(): void {
  if (!state.open || !state.result) return;
  const result = state.result;
  emit("HANDOFF");
  state.open = false;
  state.generation++;
  resetView();
  send({ type: "success", publicToken: result.public_token, metadata: result.metadata });
}

/** Close button, Escape, or exit() from the app. */
function requestClose(): void {
  if (!state.open) return;
  switch (state.view) {
    case "CONNECTED":
      handoff();
      return;
    case null:
    case "CONSENT":
    case "ERROR":
    case "EXIT":
    case "LOADING":
      exitNow();
      return;
    default:
      renderExitConfirm();
  }
}

// ------------------------------------------------------------------ wiring

closeButton.addEventListener("click", requestClose);

document.addEventListener("keydown", (event) => {
  if (!state.open) return;
  if (event.key === "Escape") {
    event.preventDefault();
    if (state.view === "CONNECTED") handoff();
    else exitNow();
    return;
  }
  if (event.key !== "Tab") return;
  const items = tabbables();
  const first = items[0];
  const last = items[items.length - 1];
  const active = document.activeElement;
  if (!first || !last) {
    event.preventDefault();
    return;
  }
  if (!(active instanceof HTMLElement) || !dialog.contains(active)) {
    event.preventDefault();
    (event.shiftKey ? last : first).focus();
  } else if (!event.shiftKey && active === last) {
    event.preventDefault();
    first.focus();
  } else if (event.shiftKey && active === first) {
    event.preventDefault();
    last.focus();
  }
});

window.addEventListener("message", (event: MessageEvent) => {
  if (!parentOrigin || event.origin !== parentOrigin || event.source !== window.parent) return;
  const message = event.data as ParentMessage | null;
  if (!message || typeof message !== "object" || message.source !== MESSAGE_SOURCE || message.channel !== channel) return;
  switch (message.type) {
    case "open":
      void onOpen();
      break;
    case "exit":
      if (message.force) exitNow();
      else requestClose();
      break;
    case "submit":
      // Layer's submit() (phone number / date of birth) is not emulated.
      break;
  }
});

if (!parentOrigin || window.parent === window) {
  dialog.hidden = false;
  viewEl.replaceChildren(
    heading("Plaid Link (local sandbox)"),
    h("p", {}, "This page is the Link iframe. Open it from your app through Plaid.create() in link-initialize.js."),
  );
} else {
  send({ type: "loaded" });
}
