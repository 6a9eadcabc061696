/**
 * JSON endpoints the Link iframe calls (POST /link/api/<name>, same origin as
 * the iframe). They hold one in-memory login session per Link session
 * (link_session_id) and use the Plaid service layer for everything else, so
 * the item Link creates is the one the Plaid API then serves.
 */
import type { SandboxContext } from "../core/context.js";
import { json, type SandboxRequest, type SandboxResponse } from "../core/http.js";
import { plaidRequestId, uuid } from "../core/ids.js";
import { plaidError, type PlaidErrorBody } from "../plaid/errors.js";
import { getPlaidService, type AccountChoice, type PlaidService } from "../plaid/service.js";
import type { CredentialOutcome, MfaChallenge } from "../plaid/users.js";
import type { AccountSelectMode } from "../plaid/state.js";

interface LoginSession {
  id: string;
  linkToken: string;
  createdAt: number;
  mode: "create" | "update";
  /** Whether Link asks the user to pick an account (always in create mode). */
  selectAccount: boolean;
  /** The Account Select setting when the session opened: one account, one or more, or all. */
  accountSelect: AccountSelectMode;
  institutionId: string | null;
  username: string | null;
  password: string | null;
  challenge: MfaChallenge | null;
  mfaResponses: string[][];
  choices: AccountChoice[] | null;
}

/** A login at an OAuth bank, from Link's OAuth pane to the redirect back to the app (keyed by oauth_state_id). */
interface OAuthState {
  id: string;
  linkToken: string;
  institutionId: string;
  createdAt: number;
  /** Set once the person logged in at the bank. */
  username: string | null;
  password: string | null;
  redirectUri: string;
}

const MAX_SESSIONS = 1_000;
const SESSION_TTL_MS = 4 * 60 * 60 * 1000;

/** The error object Link hands to onExit / onEvent (Plaid's public fields). */
export function linkError(body: PlaidErrorBody): {
  error_type: string;
  error_code: string;
  error_message: string;
  display_message: string | null;
} {
  return {
    error_type: body.error_type,
    error_code: body.error_code,
    error_message: body.error_message,
    display_message: body.display_message ?? null,
  };
}

type Body = Record<string, unknown>;

function str(body: Body, name: string): string | null {
  const value = body[name];
  return typeof value === "string" ? value : null;
}

/**
 * The accounts chosen on the Account Select pane (`account_ids`), checked
 * against the mode: exactly one, at least one, or every offered account.
 */
function selectedAccounts(body: Body, choices: AccountChoice[], mode: AccountSelectMode): { ids: string[] } | { error: PlaidErrorBody } {
  if (mode === "all") return { ids: choices.map((c) => c.id) };
  const raw = body.account_ids;
  const ids = Array.isArray(raw) && raw.every((v) => typeof v === "string") ? [...new Set(raw as string[])] : [];
  if (ids.length === 0 || !ids.every((id) => choices.some((c) => c.id === id))) {
    return { error: plaidError("INVALID_ACCOUNT_ID", mode === "one" ? "select one account" : "select at least one account") };
  }
  if (mode === "one" && ids.length !== 1) return { error: plaidError("INVALID_ACCOUNT_ID", "select one account") };
  return { ids };
}

export class LinkApi {
  private readonly sessions = new Map<string, LoginSession>();
  private readonly oauthStates = new Map<string, OAuthState>();
  private readonly plaid: PlaidService;

  constructor(context: SandboxContext) {
    this.plaid = getPlaidService(context);
  }

  async handle(name: string, req: SandboxRequest): Promise<SandboxResponse | undefined> {
    const requestId = plaidRequestId();
    const headers = { "cache-control": "no-store" };
    if (req.method !== "POST") return json(405, { error: linkError(plaidError("NOT_FOUND", "use POST")), request_id: requestId }, headers);
    let body: Body;
    try {
      const parsed: unknown = JSON.parse(req.rawBody.toString("utf8") || "{}");
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
      body = parsed as Body;
    } catch {
      return json(400, { error: linkError(plaidError("INVALID_BODY")), request_id: requestId }, headers);
    }
    let result: Body | { error: PlaidErrorBody };
    switch (name) {
      case "session":
        result = this.open(body);
        break;
      case "institutions":
        result = this.institutions(body);
        break;
      case "credentials":
        result = this.credentials(body);
        break;
      case "mfa":
        result = this.mfa(body);
        break;
      case "complete":
        result = this.complete(body);
        break;
      case "oauth":
        result = this.oauthStart(body);
        break;
      default:
        return undefined;
    }
    if ("error" in result && result.error) {
      // 200: a Plaid error is an outcome of the flow (shown in the error pane), not a failed request.
      return json(200, { error: linkError(result.error as PlaidErrorBody), request_id: requestId }, headers);
    }
    return json(200, { ...result, request_id: requestId }, headers);
  }

  /** Number of live login sessions (inspection). */
  get size(): number {
    return this.sessions.size;
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, s] of this.sessions) {
      if (now - s.createdAt > SESSION_TTL_MS || this.sessions.size > MAX_SESSIONS) this.sessions.delete(id);
    }
    for (const [id, s] of this.oauthStates) {
      if (now - s.createdAt > SESSION_TTL_MS || this.oauthStates.size > MAX_SESSIONS) this.oauthStates.delete(id);
    }
  }

  /** Starts a Link session: validates the link token (INVALID_LINK_TOKEN, ITEM_NOT_FOUND). */
  private open(body: Body): Body | { error: PlaidErrorBody } {
    const linkToken = str(body, "link_token") ?? "";
    const result = this.plaid.getLinkSession(linkToken);
    if (result.kind === "error") return { error: result.error };
    const { session } = result;
    this.prune();
    const id = uuid();
    const institutionId = session.update?.institutionId ?? session.institutionId;
    const accountSelect = this.plaid.linkSettings().account_select;
    this.plaid.startLinkSession(linkToken, id);
    this.sessions.set(id, {
      id,
      linkToken,
      createdAt: Date.now(),
      mode: session.mode,
      selectAccount: session.mode === "create" || (session.update?.accountSelectionEnabled ?? false),
      accountSelect,
      institutionId,
      username: null,
      password: null,
      challenge: null,
      mfaResponses: [],
      choices: null,
    });
    const resumed = this.resumeOAuth(this.sessions.get(id)!, str(body, "received_redirect_uri"));
    if (resumed && "error" in resumed) return resumed;
    const loginSession = this.sessions.get(id)!;
    const shownInstitutionId = loginSession.institutionId;
    const institution = shownInstitutionId ? this.plaid.listInstitutions().find((i) => i.institution_id === shownInstitutionId) : undefined;
    return {
      ...(resumed ? { resume: resumed } : {}),
      oauth_redirect: session.redirectUri !== null,
      link_session_id: id,
      client_name: session.clientName,
      mode: session.mode,
      products: session.products,
      institution: institution ? { institution_id: institution.institution_id, name: institution.name } : null,
      select_account: session.mode === "create" || (session.update?.accountSelectionEnabled ?? false),
      account_select: accountSelect,
    };
  }

  /**
   * Link re-opened with `receivedRedirectUri` after an OAuth bank: the login
   * done at the bank (oauth_state_id) continues at account selection. Null
   * when there is nothing to resume (no URI, or a state of another token).
   */
  private resumeOAuth(session: LoginSession, receivedRedirectUri: string | null): Body | { error: PlaidErrorBody } | null {
    if (!receivedRedirectUri) return null;
    let stateId: string | null;
    try {
      stateId = new URL(receivedRedirectUri).searchParams.get("oauth_state_id");
    } catch {
      return null;
    }
    const oauth = stateId ? this.oauthStates.get(stateId) : undefined;
    if (!oauth || oauth.linkToken !== session.linkToken || oauth.username === null || oauth.password === null) return null;
    this.oauthStates.delete(oauth.id);
    session.institutionId = oauth.institutionId;
    const outcome = this.plaid.evaluateCredentials(oauth.institutionId, oauth.username, oauth.password);
    if (outcome.kind !== "error") {
      session.username = oauth.username;
      session.password = oauth.password;
    }
    return this.outcome(session, outcome);
  }

  /** OAuth pane's "Continue": the bank's login page for this session (a sandbox page the app's window goes to). */
  private oauthStart(body: Body): Body | { error: PlaidErrorBody } {
    const found = this.session(body);
    if ("error" in found) return found;
    const { session } = found;
    const institutionId = str(body, "institution_id") ?? "";
    const institution = this.plaid.listInstitutions().find((i) => i.institution_id === institutionId);
    const check = this.plaid.getLinkSession(session.linkToken);
    if (check.kind === "error") return { error: check.error };
    if (!institution?.oauth || !check.session.redirectUri) {
      return { error: plaidError("INVALID_FIELD", "OAuth needs an OAuth institution and a link token with redirect_uri") };
    }
    session.institutionId = institutionId;
    const id = uuid();
    this.oauthStates.set(id, {
      id,
      linkToken: session.linkToken,
      institutionId,
      createdAt: Date.now(),
      username: null,
      password: null,
      redirectUri: check.session.redirectUri,
    });
    return { url: `/link/oauth/authorize?state=${encodeURIComponent(id)}` };
  }

  /** The bank's login page: which bank, or null for an unknown / used state. */
  oauthInstitution(stateId: string): string | null {
    const oauth = this.oauthStates.get(stateId);
    if (!oauth || oauth.username !== null) return null;
    return this.plaid.listInstitutions().find((i) => i.institution_id === oauth.institutionId)?.name ?? null;
  }

  /**
   * The bank's login form: on good credentials (MFA users are answered as the
   * bank would), the redirect back to the app with oauth_state_id; otherwise
   * the error to show on the bank's page.
   */
  oauthAuthorize(stateId: string, username: string, password: string): { redirect: string } | { error: string } {
    const oauth = this.oauthStates.get(stateId);
    if (!oauth || oauth.username !== null) return { error: "This login request has expired. Go back to the app and try again." };
    const outcome = this.plaid.evaluateCredentials(oauth.institutionId, username, password);
    if (outcome.kind === "error") return { error: outcome.error.display_message ?? outcome.error.error_message };
    oauth.username = username;
    oauth.password = password;
    const back = new URL(oauth.redirectUri);
    back.searchParams.set("oauth_state_id", oauth.id);
    return { redirect: back.toString() };
  }

  /** The session, after checking the link token is still usable (it may expire mid-flow). */
  private session(body: Body): { session: LoginSession } | { error: PlaidErrorBody } {
    const id = str(body, "link_session_id") ?? "";
    const session = this.sessions.get(id);
    if (!session) return { error: plaidError("INVALID_LINK_TOKEN", "the Link session is unknown or has ended; open Link again") };
    const check = this.plaid.getLinkSession(session.linkToken);
    if (check.kind === "error") return { error: check.error };
    return { session };
  }

  private institutions(body: Body): Body | { error: PlaidErrorBody } {
    const found = this.session(body);
    if ("error" in found) return found;
    const query = str(body, "query") ?? "";
    return {
      institutions: this.plaid
        .listInstitutions(query)
        .map((i) => ({ institution_id: i.institution_id, name: i.name, oauth: i.oauth, health: i.health })),
    };
  }

  private credentials(body: Body): Body | { error: PlaidErrorBody } {
    const found = this.session(body);
    if ("error" in found) return found;
    const { session } = found;
    const username = str(body, "username") ?? "";
    const password = str(body, "password") ?? "";
    const institutionId = session.mode === "update" ? session.institutionId : (str(body, "institution_id") ?? session.institutionId);
    if (!institutionId) return { error: plaidError("INVALID_INSTITUTION", "an institution must be selected") };
    session.institutionId = institutionId;
    session.username = null;
    session.password = null;
    session.challenge = null;
    session.mfaResponses = [];
    session.choices = null;
    if (session.mode === "update") {
      const check = this.plaid.getLinkSession(session.linkToken);
      const itemId = check.kind === "ok" ? check.session.update?.itemId : undefined;
      if (itemId && this.plaid.getItem(itemId).username !== username) return { error: plaidError("INVALID_UPDATED_USERNAME") };
    }
    const outcome = this.plaid.evaluateCredentials(institutionId, username, password);
    if (outcome.kind !== "error") {
      session.username = username;
      session.password = password;
    }
    return this.outcome(session, outcome);
  }

  private mfa(body: Body): Body | { error: PlaidErrorBody } {
    const found = this.session(body);
    if ("error" in found) return found;
    const { session } = found;
    const responses = body.responses;
    if (!session.challenge || !session.institutionId || session.username === null || session.password === null) {
      return { error: plaidError("INVALID_MFA", "no MFA challenge is pending in this Link session") };
    }
    if (!Array.isArray(responses) || !responses.every((r) => typeof r === "string")) {
      return { error: plaidError("INVALID_MFA", "responses must be an array of strings") };
    }
    const outcome = this.plaid.submitMfa({
      institutionId: session.institutionId,
      username: session.username,
      password: session.password,
      challenge: session.challenge,
      responses: responses as string[],
    });
    if (outcome.kind !== "error") session.mfaResponses.push(responses as string[]);
    return this.outcome(session, outcome);
  }

  private outcome(session: LoginSession, outcome: CredentialOutcome): Body | { error: PlaidErrorBody } {
    if (outcome.kind === "error") return { error: outcome.error };
    if (outcome.kind === "mfa") {
      session.challenge = outcome.challenge;
      return { outcome: "mfa", challenge: outcome.challenge };
    }
    session.challenge = null;
    const choices = this.plaid.accountChoices(session.linkToken, outcome.accounts);
    if (choices.kind === "error") return { error: choices.error };
    session.choices = choices.accounts;
    return { outcome: "accounts", select_account: session.selectAccount, accounts: session.selectAccount ? choices.accounts : [] };
  }

  private complete(body: Body): Body | { error: PlaidErrorBody } {
    const found = this.session(body);
    if ("error" in found) return found;
    const { session } = found;
    if (!session.choices || session.username === null || session.password === null) {
      return { error: plaidError("INVALID_FIELD", "log in before finishing Link") };
    }
    let selected: string[] | undefined;
    if (session.selectAccount) {
      const picked = selectedAccounts(body, session.choices, session.accountSelect);
      if ("error" in picked) return picked;
      selected = picked.ids;
    }
    const result = this.plaid.completeLink({
      linkToken: session.linkToken,
      institutionId: session.institutionId ?? undefined,
      username: session.username,
      password: session.password,
      mfaResponses: session.mfaResponses,
      selectedAccountIds: selected,
      linkSessionId: session.id,
    });
    if (result.kind === "error") return { error: result.error };
    this.sessions.delete(session.id);
    return { public_token: result.publicToken, metadata: result.metadata };
  }
}
