/**
 * The Plaid emulator's service layer: every state change and lookup the API
 * routes and the Link stand-in need. Stateless itself (all state lives in the
 * store's "plaid" namespace), so any number of instances over one context
 * agree; use `getPlaidService(context)` to share one.
 *
 * Methods used by the API throw `PlaidApiError`; the Link-facing ones
 * (getLinkSession, accountChoices, completeLink) return `{ kind: "error" }`
 * results instead, ready for Link's onExit / error pane.
 */
import type { SandboxContext } from "../core/context.js";
import { alphanumeric, uuid } from "../core/ids.js";
import type { WebhookDelivery } from "../core/webhooks.js";
import { PlaidApiError, plaidError, type PlaidErrorBody } from "./errors.js";
import { findInstitution, isAuthEligible, SANDBOX_INSTITUTIONS, type AccountSeed, type SandboxInstitution } from "./sandbox-data.js";
import {
  newWebhookKey,
  plaidState,
  sandboxNow,
  type AccountRecord,
  type ItemRecord,
  type LinkTokenRecord,
  type PlaidState,
  type ProcessorTokenRecord,
  type PublicTokenRecord,
  type WebhookKeyRecord,
  type LinkSettings,
  ACCOUNT_SELECT_MODES,
} from "./state.js";
import { evaluateCredentials, loginBypassingMfa, runLogin, submitMfa, type CredentialOutcome, type MfaSubmission } from "./users.js";
import { publicJwk, signWebhookBody, webhookBody } from "./webhooks.js";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const LINK_TOKEN_TTL_MS = 4 * HOUR;
export const UPDATE_LINK_TOKEN_TTL_MS = 30 * MINUTE;
export const PUBLIC_TOKEN_TTL_MS = 30 * MINUTE;
/** Sandbox items need a new login (ITEM_LOGIN_REQUIRED) 30 days after the last one. */
export const ITEM_LOGIN_TTL_MS = 30 * DAY;

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const TOKEN_FORMAT = {
  link: new RegExp(`^link-sandbox-${UUID}$`),
  public: new RegExp(`^public-sandbox-${UUID}$`),
  access: new RegExp(`^access-sandbox-${UUID}$`),
  processor: new RegExp(`^processor-sandbox-${UUID}$`),
};

/** Webhook codes the emulator can send, by webhook_type. */
export const SUPPORTED_WEBHOOKS: Record<string, string[]> = {
  ITEM: [
    "ERROR",
    "LOGIN_REPAIRED",
    "PENDING_DISCONNECT",
    "PENDING_EXPIRATION",
    "USER_PERMISSION_REVOKED",
    "USER_ACCOUNT_REVOKED",
    "NEW_ACCOUNTS_AVAILABLE",
    "WEBHOOK_UPDATE_ACKNOWLEDGED",
  ],
  AUTH: ["DEFAULT_UPDATE"],
};

/**
 * What /sandbox/item/fire_webhook can send (its documented codes the emulator
 * has bodies for): no ITEM ERROR (its `ERROR` code is the Assets webhook) and
 * none of the codes Plaid only sends on real events.
 */
const FIREABLE_WEBHOOKS: Record<string, string[]> = {
  ITEM: ["LOGIN_REPAIRED", "PENDING_DISCONNECT", "USER_PERMISSION_REVOKED", "USER_ACCOUNT_REVOKED", "NEW_ACCOUNTS_AVAILABLE"],
  AUTH: ["DEFAULT_UPDATE"],
};

/** webhook_type of a code when the request leaves it out. */
const DEFAULT_WEBHOOK_TYPE: Record<string, string> = {
  DEFAULT_UPDATE: "AUTH",
  SMS_MICRODEPOSITS_VERIFICATION: "AUTH",
  SYNC_UPDATES_AVAILABLE: "TRANSACTIONS",
  RECURRING_TRANSACTIONS_UPDATE: "TRANSACTIONS",
  PRODUCT_READY: "ASSETS",
  ERROR: "ASSETS",
};

/** The product an item needs for each webhook type /sandbox/item/fire_webhook sends. */
const WEBHOOK_TYPE_PRODUCT: Record<string, string> = {
  AUTH: "auth",
  TRANSACTIONS: "transactions",
  ASSETS: "assets",
  HOLDINGS: "investments",
  INVESTMENTS_TRANSACTIONS: "investments",
  LIABILITIES: "liabilities",
};

export interface LinkSession {
  linkToken: string;
  clientName: string;
  language: string;
  countryCodes: string[];
  products: string[];
  webhook: string | null;
  redirectUri: string | null;
  /** ISO date-time */
  expiration: string;
  /** Institution preselected by the link token (institution_id), if any. */
  institutionId: string | null;
  mode: "create" | "update";
  /** Update mode: the item to repair. Link asks credentials for its institution only. */
  update: { itemId: string; institutionId: string; institutionName: string; accountSelectionEnabled: boolean } | null;
}

/** An account Link offers for selection (before the item exists). */
export interface AccountChoice {
  /** Selection key (`acct-<n>`), pass it back in completeLink's selectedAccountIds. */
  id: string;
  name: string;
  official_name: string | null;
  mask: string | null;
  type: string;
  subtype: string | null;
  balances: { available: number | null; current: number | null; iso_currency_code: string | null };
}

/** Link's onSuccess metadata: exactly the fields Plaid documents (LinkSessionSuccessMetadata). */
export interface LinkSuccessMetadata {
  institution: { name: string; institution_id: string };
  accounts: {
    id: string;
    name: string;
    mask: string | null;
    type: string;
    subtype: string | null;
    verification_status: null;
    class_type: null;
  }[];
  link_session_id: string;
  transfer_status: null;
}

export type LinkResult<T> = ({ kind: "ok" } & T) | { kind: "error"; error: PlaidErrorBody };

export interface CompleteLinkInput {
  linkToken: string;
  /** Ignored in update mode (the item's institution is used). */
  institutionId?: string;
  username: string;
  password: string;
  /** Answers of each MFA round, in order (see users.ts submitMfa). */
  mfaResponses?: string[][];
  /** Selection keys from accountChoices(); absent = every eligible account. */
  selectedAccountIds?: string[];
  linkSessionId?: string;
}

/** The link token's requested fields; update mode names its item by `access_token`. */
export type CreateLinkTokenInput = Omit<LinkTokenRecord, "link_token" | "created_at" | "expires_at" | "item_id"> & {
  access_token: string | null;
};

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function plaidItemId(): string {
  return alphanumeric(37);
}

const services = new WeakMap<SandboxContext, PlaidService>();

/** The shared service for a sandbox context (the Link module calls this). */
export function getPlaidService(context: SandboxContext): PlaidService {
  let service = services.get(context);
  if (!service) {
    service = new PlaidService(context);
    services.set(context, service);
  }
  return service;
}

export class PlaidService {
  constructor(readonly context: SandboxContext) {
    plaidState(context);
  }

  get state(): PlaidState {
    return plaidState(this.context);
  }

  private save(): void {
    this.context.store.changed();
  }

  /** Sandbox clock (ms). */
  now(): number {
    return sandboxNow(this.context);
  }

  /** Moves the sandbox clock forward (tests of token lifetimes), then applies time-based transitions. */
  advanceTime(ms: number): { now: string; offset_ms: number } {
    if (!Number.isFinite(ms) || ms < 0) throw new Error("advance_time: ms must be a non-negative number");
    this.state.clock_offset_ms += ms;
    this.save();
    this.sweep();
    return { now: iso(this.now()), offset_ms: this.state.clock_offset_ms };
  }

  /** Items whose last login is older than 30 days drop to ITEM_LOGIN_REQUIRED (with an ITEM ERROR webhook). */
  sweep(): void {
    const now = this.now();
    for (const item of Object.values(this.state.items)) {
      if (item.removed || item.error || now - item.last_login_at <= ITEM_LOGIN_TTL_MS) continue;
      this.setLoginRequired(item);
    }
  }

  // ---------------------------------------------------------------- institutions

  listInstitutions(query = ""): SandboxInstitution[] {
    const q = query.trim().toLowerCase();
    return SANDBOX_INSTITUTIONS.filter((i) => q === "" || i.name.toLowerCase().includes(q) || i.institution_id === q);
  }

  getInstitution(institutionId: string): SandboxInstitution {
    const institution = findInstitution(institutionId);
    if (!institution) throw new PlaidApiError("INVALID_INSTITUTION");
    return institution;
  }

  // ---------------------------------------------------------------- link tokens

  createLinkToken(input: CreateLinkTokenInput): LinkTokenRecord {
    const now = this.now();
    let itemId: string | null = null;
    if (input.access_token !== null) {
      itemId = this.itemForAccessToken(input.access_token, "any").item_id;
    } else if (input.products.length === 0) {
      throw new PlaidApiError("INVALID_FIELD", "products must contain at least one product (or pass access_token for update mode)");
    }
    if (input.institution_id !== null) this.getInstitution(input.institution_id);
    const record: LinkTokenRecord = {
      link_token: `link-sandbox-${uuid()}`,
      created_at: now,
      expires_at: now + (itemId ? UPDATE_LINK_TOKEN_TTL_MS : LINK_TOKEN_TTL_MS),
      client_name: input.client_name,
      language: input.language,
      country_codes: input.country_codes,
      products: itemId ? [] : input.products,
      webhook: input.webhook,
      redirect_uri: input.redirect_uri,
      client_user_id: input.client_user_id,
      account_filters: input.account_filters ?? null,
      item_id: itemId,
      account_selection_enabled: input.account_selection_enabled,
      institution_id: input.institution_id,
    };
    this.state.link_tokens[record.link_token] = record;
    this.save();
    return record;
  }

  /** The link token record, expired or not (for /link/token/get). */
  requireLinkToken(linkToken: string): LinkTokenRecord {
    if (!TOKEN_FORMAT.link.test(linkToken)) {
      throw new PlaidApiError(
        "INVALID_LINK_TOKEN",
        "provided link token is in an invalid format. expected format: link-<environment>-<identifier>",
      );
    }
    const record = this.state.link_tokens[linkToken];
    if (!record) throw new PlaidApiError("INVALID_LINK_TOKEN");
    return record;
  }

  private usableLinkToken(linkToken: string): LinkTokenRecord {
    const record = this.requireLinkToken(linkToken);
    // Sandbox link tokens are reusable until they expire.
    if (this.now() >= record.expires_at) throw new PlaidApiError("INVALID_LINK_TOKEN", "link token has expired");
    if (record.item_id) {
      const item = this.state.items[record.item_id];
      if (!item || item.removed) throw new PlaidApiError("ITEM_NOT_FOUND");
    }
    return record;
  }

  /** What Link needs to open: client name, products, mode (create or update). */
  getLinkSession(linkToken: string): LinkResult<{ session: LinkSession }> {
    return this.linkResult(() => {
      const record = this.usableLinkToken(linkToken);
      const item = record.item_id ? this.state.items[record.item_id]! : null;
      return {
        session: {
          linkToken: record.link_token,
          clientName: record.client_name,
          language: record.language,
          countryCodes: record.country_codes,
          products: item ? item.products : record.products,
          webhook: record.webhook,
          redirectUri: record.redirect_uri,
          expiration: iso(record.expires_at),
          institutionId: item ? item.institution_id : record.institution_id,
          mode: item ? "update" : "create",
          update: item
            ? {
                itemId: item.item_id,
                institutionId: item.institution_id,
                institutionName: item.institution_name,
                accountSelectionEnabled: record.account_selection_enabled,
              }
            : null,
        },
      };
    });
  }

  /** The Dashboard-like Link settings (Account Select mode). */
  linkSettings(): LinkSettings {
    return { account_select: this.state.link_settings?.account_select ?? "one" };
  }

  /** Changes the Link settings (control action `link_settings`); unknown modes are refused. */
  setLinkSettings(input: { account_select?: unknown }): LinkSettings {
    const settings = this.linkSettings();
    if (input.account_select !== undefined) {
      if (!ACCOUNT_SELECT_MODES.includes(input.account_select as never)) {
        throw new Error(`account_select must be one of ${ACCOUNT_SELECT_MODES.join(", ")}`);
      }
      settings.account_select = input.account_select as LinkSettings["account_select"];
    }
    this.state.link_settings = settings;
    this.save();
    return settings;
  }

  /** Records that Link opened a session with this token (shown by /link/token/get). */
  startLinkSession(linkToken: string, linkSessionId: string): void {
    const record = this.state.link_tokens[linkToken];
    if (!record) return;
    const sessions = (record.sessions ??= []);
    sessions.push({ link_session_id: linkSessionId, started_at: this.now(), finished_at: null, success: null });
    // Plaid keeps session data for a while only; the newest 20 are enough here.
    if (sessions.length > 20) sessions.splice(0, sessions.length - 20);
    this.save();
  }

  private finishLinkSession(record: LinkTokenRecord, linkSessionId: string, publicToken: string, metadata: LinkSuccessMetadata): void {
    const session = record.sessions?.find((s) => s.link_session_id === linkSessionId);
    if (!session) return;
    session.finished_at = this.now();
    session.success = { public_token: publicToken, metadata: { ...metadata } };
  }

  // ---------------------------------------------------------------- login (Link)

  /** Credentials step (pure; see users.ts). */
  evaluateCredentials(institutionId: string, username: string, password: string): CredentialOutcome {
    return evaluateCredentials(institutionId, username, password);
  }

  /** One MFA round (pure; see users.ts). */
  submitMfa(input: MfaSubmission): CredentialOutcome {
    return submitMfa(input);
  }

  /**
   * Accounts Link offers after a successful login, filtered by the link
   * token's products (auth: checking, savings, cash management only) and
   * account_filters. Error NO_AUTH_ACCOUNTS / NO_ACCOUNTS when none is left.
   */
  accountChoices(linkToken: string, accounts: AccountSeed[]): LinkResult<{ accounts: AccountChoice[] }> {
    return this.linkResult(() => {
      const record = this.usableLinkToken(linkToken);
      return {
        accounts: this.eligibleSeeds(record, accounts).map((a) => ({
          id: a.key,
          name: a.name,
          official_name: a.official_name,
          mask: a.mask,
          type: a.type,
          subtype: a.subtype,
          balances: { available: a.available, current: a.current, iso_currency_code: a.iso_currency_code },
        })),
      };
    });
  }

  /**
   * Finishes Link: replays the login (credentials + MFA answers), creates the
   * item with the selected accounts (or, in update mode, repairs the item) and
   * mints a public token. Returns Link's onSuccess arguments.
   */
  completeLink(input: CompleteLinkInput): LinkResult<{ publicToken: string; metadata: LinkSuccessMetadata }> {
    return this.linkResult(() => {
      const record = this.usableLinkToken(input.linkToken);
      const updateItem = record.item_id ? this.state.items[record.item_id]! : null;
      const institutionId = updateItem ? updateItem.institution_id : (input.institutionId ?? record.institution_id);
      if (!institutionId) throw new PlaidApiError("INVALID_INSTITUTION", "an institution must be selected");
      const institution = this.getInstitution(institutionId);
      if (updateItem && updateItem.username !== input.username) throw new PlaidApiError("INVALID_UPDATED_USERNAME");
      const outcome = runLogin(institutionId, input.username, input.password, input.mfaResponses ?? []);
      if (outcome.kind === "error") throw new PlaidApiError(outcome.error);
      if (outcome.kind === "mfa") throw new PlaidApiError("INVALID_MFA", "the MFA rounds were not all answered");
      const eligible = this.eligibleSeeds(record, outcome.accounts);
      const selected = this.selectSeeds(eligible, input.selectedAccountIds);
      const linkSessionId = input.linkSessionId ?? uuid();

      let item: ItemRecord;
      if (updateItem) {
        item = updateItem;
        item.error = null;
        item.last_login_at = this.now();
        if (record.account_selection_enabled && input.selectedAccountIds !== undefined) {
          item.accounts = selected.map((seed) => item.accounts.find((a) => a.seed_key === seed.key) ?? this.accountFromSeed(seed));
        }
      } else {
        item = this.createItem({
          institution,
          seeds: selected,
          products: record.products,
          webhook: record.webhook,
          username: input.username,
          clientUserId: record.client_user_id,
        });
      }
      const publicToken = this.createPublicToken(item.item_id);
      const metadata: LinkSuccessMetadata = {
        institution: { name: institution.name, institution_id: institution.institution_id },
        accounts: item.accounts.map((a) => ({
          id: a.account_id,
          name: a.name,
          mask: a.mask,
          type: a.type,
          subtype: a.subtype,
          verification_status: null,
          class_type: null,
        })),
        link_session_id: linkSessionId,
        transfer_status: null,
      };
      this.finishLinkSession(record, linkSessionId, publicToken.public_token, metadata);
      this.save();
      return { publicToken: publicToken.public_token, metadata };
    });
  }

  private linkResult<T extends object>(run: () => T): LinkResult<T> {
    try {
      return { kind: "ok", ...run() };
    } catch (err) {
      if (err instanceof PlaidApiError) return { kind: "error", error: err.body };
      throw err;
    }
  }

  private eligibleSeeds(record: LinkTokenRecord, seeds: AccountSeed[]): AccountSeed[] {
    const products = record.item_id ? (this.state.items[record.item_id]?.products ?? []) : record.products;
    let eligible = seeds;
    if (products.includes("auth")) eligible = eligible.filter(isAuthEligible);
    const filters = record.account_filters as Record<string, { account_subtypes?: string[] }> | null;
    if (filters && typeof filters === "object" && Object.keys(filters).length > 0) {
      eligible = eligible.filter((a) => {
        const filter = filters[a.type];
        if (!filter) return false;
        const subtypes = filter.account_subtypes ?? ["all"];
        return subtypes.includes("all") || (a.subtype !== null && subtypes.includes(a.subtype));
      });
    }
    if (eligible.length === 0) throw new PlaidApiError(products.includes("auth") ? "NO_AUTH_ACCOUNTS" : "NO_ACCOUNTS");
    return eligible;
  }

  private selectSeeds(eligible: AccountSeed[], keys: string[] | undefined): AccountSeed[] {
    if (keys === undefined) return eligible;
    if (keys.length === 0) throw new PlaidApiError("INVALID_ACCOUNT_ID", "at least one account must be selected");
    return keys.map((key) => {
      const seed = eligible.find((s) => s.key === key);
      if (!seed) throw new PlaidApiError("INVALID_ACCOUNT_ID");
      return seed;
    });
  }

  // ---------------------------------------------------------------- items & tokens

  private accountFromSeed(seed: AccountSeed): AccountRecord {
    return {
      account_id: alphanumeric(37),
      seed_key: seed.key,
      name: seed.name,
      official_name: seed.official_name,
      mask: seed.mask,
      type: seed.type,
      subtype: seed.subtype,
      balances: {
        available: seed.available,
        current: seed.current,
        limit: seed.limit,
        iso_currency_code: seed.iso_currency_code,
        unofficial_currency_code: null,
      },
      numbers: seed.numbers ? { ...seed.numbers, stripe: { ...seed.numbers.stripe } } : null,
      owners: structuredClone(seed.owners),
    };
  }

  createItem(input: {
    institution: SandboxInstitution;
    seeds: AccountSeed[];
    products: string[];
    webhook: string | null;
    username: string;
    clientUserId: string | null;
  }): ItemRecord {
    const now = this.now();
    const item: ItemRecord = {
      item_id: plaidItemId(),
      institution_id: input.institution.institution_id,
      institution_name: input.institution.name,
      webhook: input.webhook,
      products: [...new Set(input.products)],
      accounts: input.seeds.map((s) => this.accountFromSeed(s)),
      error: null,
      created_at: iso(now),
      last_login_at: now,
      access_token: null,
      removed: false,
      username: input.username,
      client_user_id: input.clientUserId,
      last_webhook: null,
    };
    this.state.items[item.item_id] = item;
    this.save();
    return item;
  }

  createPublicToken(itemId: string): PublicTokenRecord {
    const now = this.now();
    const record: PublicTokenRecord = {
      public_token: `public-sandbox-${uuid()}`,
      item_id: itemId,
      created_at: now,
      expires_at: now + PUBLIC_TOKEN_TTL_MS,
      exchanged_at: null,
    };
    this.state.public_tokens[record.public_token] = record;
    this.save();
    return record;
  }

  /** Logs in with sandbox credentials without Link (MFA answered automatically). */
  private loginWithoutLink(
    institutionId: string,
    username: string,
    password: string,
  ): { institution: SandboxInstitution; seeds: AccountSeed[] } {
    const institution = this.getInstitution(institutionId);
    const outcome = loginBypassingMfa(institutionId, username, password);
    if (outcome.kind === "error") throw new PlaidApiError(outcome.error);
    if (outcome.kind === "mfa") throw new PlaidApiError("INVALID_MFA");
    return { institution, seeds: outcome.accounts };
  }

  /** /sandbox/public_token/create: an item for any sandbox credentials, without Link. */
  sandboxPublicToken(input: {
    institution_id: string;
    initial_products: string[];
    webhook?: string | null;
    username?: string;
    password?: string;
  }): PublicTokenRecord {
    const institution = this.getInstitution(input.institution_id);
    const unsupported = input.initial_products.filter((p) => !institution.products.includes(p));
    if (institution.login_error === null && unsupported.length > 0) {
      throw new PlaidApiError(
        "PRODUCTS_NOT_SUPPORTED",
        `the following products are not supported by this institution: ${unsupported.join(", ")}`,
      );
    }
    const { seeds } = this.loginWithoutLink(input.institution_id, input.username ?? "user_good", input.password ?? "pass_good");
    const item = this.createItem({
      institution,
      seeds,
      products: input.initial_products,
      webhook: input.webhook ?? null,
      username: input.username ?? "user_good",
      clientUserId: null,
    });
    return this.createPublicToken(item.item_id);
  }

  exchangePublicToken(publicToken: string): { access_token: string; item_id: string } {
    if (!TOKEN_FORMAT.public.test(publicToken)) {
      throw new PlaidApiError(
        "INVALID_PUBLIC_TOKEN",
        "provided public token is in an invalid format. expected format: public-<environment>-<identifier>",
      );
    }
    const record = this.state.public_tokens[publicToken];
    if (!record) throw new PlaidApiError("INVALID_PUBLIC_TOKEN");
    if (record.exchanged_at !== null) {
      throw new PlaidApiError(
        "INVALID_PUBLIC_TOKEN",
        "provided public token has already been exchanged. public tokens can only be exchanged once",
      );
    }
    if (this.now() >= record.expires_at) {
      throw new PlaidApiError(
        "INVALID_PUBLIC_TOKEN",
        "provided public token is expired. Public tokens expire 30 minutes after creation at which point they can no longer be exchanged",
      );
    }
    const item = this.state.items[record.item_id];
    if (!item || item.removed) throw new PlaidApiError("ITEM_NOT_FOUND");
    record.exchanged_at = this.now();
    if (!item.access_token) {
      // Update mode reuses the item's access token; a new item gets its first one.
      const accessToken = `access-sandbox-${uuid()}`;
      item.access_token = accessToken;
      this.state.access_tokens[accessToken] = { access_token: accessToken, item_id: item.item_id, created_at: this.now() };
    }
    this.save();
    return { access_token: item.access_token, item_id: item.item_id };
  }

  /**
   * The item behind an access token. mode "data": also fails when the item is
   * in an error state (ITEM_LOGIN_REQUIRED...), as Plaid's data endpoints do.
   */
  itemForAccessToken(accessToken: string, mode: "data" | "any"): ItemRecord {
    if (!TOKEN_FORMAT.access.test(accessToken)) {
      throw new PlaidApiError(
        "INVALID_ACCESS_TOKEN",
        "provided access token is in an invalid format. expected format: access-<environment>-<identifier>",
      );
    }
    const record = this.state.access_tokens[accessToken];
    if (!record) throw new PlaidApiError("INVALID_ACCESS_TOKEN");
    const item = this.state.items[record.item_id];
    if (!item || item.removed) throw new PlaidApiError("ITEM_NOT_FOUND");
    if (mode === "data" && item.error) throw new PlaidApiError(item.error);
    return item;
  }

  getItem(itemId: string): ItemRecord {
    const item = this.state.items[itemId];
    if (!item || item.removed) throw new PlaidApiError("ITEM_NOT_FOUND");
    return item;
  }

  /** Accounts of the item, or those named by account_ids (INVALID_ACCOUNT_ID for ids of other items). */
  selectAccounts(item: ItemRecord, accountIds: string[] | undefined): AccountRecord[] {
    if (accountIds === undefined) return item.accounts;
    return accountIds.map((id) => {
      const account = item.accounts.find((a) => a.account_id === id);
      if (!account) throw new PlaidApiError("INVALID_ACCOUNT_ID");
      return account;
    });
  }

  /** Records a product as billed (Plaid adds a product the first time its endpoint is called). */
  useProduct(item: ItemRecord, product: string): void {
    if (!item.products.includes(product)) {
      item.products.push(product);
      this.save();
    }
  }

  /** /item/access_token/invalidate: a new access token for the item; the old one stops working at once. */
  rotateAccessToken(accessToken: string): string {
    const item = this.itemForAccessToken(accessToken, "any");
    delete this.state.access_tokens[accessToken];
    const fresh = `access-sandbox-${uuid()}`;
    item.access_token = fresh;
    this.state.access_tokens[fresh] = { access_token: fresh, item_id: item.item_id, created_at: this.now() };
    this.save();
    return fresh;
  }

  removeItem(accessToken: string): void {
    const item = this.itemForAccessToken(accessToken, "any");
    item.removed = true;
    for (const token of Object.values(this.state.processor_tokens)) {
      if (token.item_id === item.item_id) delete this.state.processor_tokens[token.processor_token];
    }
    this.save();
  }

  private setLoginRequired(item: ItemRecord): void {
    item.error = plaidError("ITEM_LOGIN_REQUIRED");
    this.save();
    this.sendWebhook(item, "ITEM", "ERROR");
  }

  /** /sandbox/item/reset_login: the item needs a new login; fires ITEM ERROR. */
  resetLogin(itemId: string): ItemRecord {
    const item = this.getItem(itemId);
    this.setLoginRequired(item);
    return item;
  }

  /** Sets the webhook URL of an item (control / tests). */
  setItemWebhook(itemId: string, webhook: string | null): ItemRecord {
    const item = this.getItem(itemId);
    item.webhook = webhook;
    this.save();
    return item;
  }

  /**
   * Sends a webhook for an item. `/sandbox/item/fire_webhook` only sends it
   * (Plaid: the endpoint is for testing webhook handling; the item is
   * unchanged). The control action also simulates the event (`simulate`):
   * ITEM ERROR moves the item to ITEM_LOGIN_REQUIRED and LOGIN_REPAIRED clears
   * its error, so what the app reads back matches what it was told.
   */
  fireWebhook(itemId: string, webhookType: string | undefined, webhookCode: string, options: { simulate: boolean }): WebhookDelivery {
    const item = this.getItem(itemId);
    // The control action's `ERROR` is the ITEM one (what the app handles); Plaid's endpoint's is the Assets one.
    const defaults = options.simulate ? { DEFAULT_UPDATE: "AUTH" } : DEFAULT_WEBHOOK_TYPE;
    const type = webhookType ?? (defaults as Record<string, string>)[webhookCode] ?? "ITEM";
    const product = WEBHOOK_TYPE_PRODUCT[type];
    // Plaid: a product webhook for an item without that product is SANDBOX_PRODUCT_NOT_ENABLED.
    if (!options.simulate && product !== undefined && !item.products.includes(product)) {
      throw new PlaidApiError("SANDBOX_PRODUCT_NOT_ENABLED");
    }
    const supported = options.simulate ? SUPPORTED_WEBHOOKS : FIREABLE_WEBHOOKS;
    if (!supported[type]?.includes(webhookCode)) {
      throw new PlaidApiError(
        "INVALID_FIELD",
        `webhook_type ${type} with webhook_code ${webhookCode} is not supported by the local sandbox`,
      );
    }
    if (!item.webhook) throw new PlaidApiError("SANDBOX_WEBHOOK_INVALID");
    if (options.simulate && type === "ITEM" && webhookCode === "ERROR") {
      item.error = plaidError("ITEM_LOGIN_REQUIRED");
    } else if (options.simulate && type === "ITEM" && webhookCode === "LOGIN_REPAIRED") {
      item.error = null;
      item.last_login_at = this.now();
    }
    this.save();
    return this.sendWebhook(item, type, webhookCode)!;
  }

  webhookPayload(item: ItemRecord, type: string, code: string): Record<string, unknown> {
    const base = { webhook_type: type, webhook_code: code, item_id: item.item_id };
    const env = { environment: "sandbox" };
    const firstAuth = item.accounts.find((a) => a.numbers !== null) ?? item.accounts[0];
    switch (`${type}:${code}`) {
      case "ITEM:ERROR":
        return { ...base, error: item.error ?? plaidError("ITEM_LOGIN_REQUIRED"), ...env };
      case "ITEM:PENDING_DISCONNECT":
        return { ...base, reason: "INSTITUTION_MIGRATION", disconnect_time: iso(this.now() + 7 * DAY), ...env };
      case "ITEM:PENDING_EXPIRATION":
        return { ...base, consent_expiration_time: iso(this.now() + 7 * DAY), ...env };
      case "ITEM:USER_PERMISSION_REVOKED":
        return { ...base, error: plaidError("USER_PERMISSION_REVOKED"), ...env };
      case "ITEM:USER_ACCOUNT_REVOKED":
        return { ...base, account_id: firstAuth?.account_id ?? "", ...env };
      case "ITEM:NEW_ACCOUNTS_AVAILABLE":
        return { ...base, error: null, ...env };
      case "ITEM:WEBHOOK_UPDATE_ACKNOWLEDGED":
        return { ...base, new_webhook_url: item.webhook ?? "", error: null, ...env };
      case "AUTH:DEFAULT_UPDATE":
        return {
          ...base,
          account_ids_with_new_auth: [],
          account_ids_with_updated_auth: firstAuth ? { [firstAuth.account_id]: ["ACCOUNT_NUMBER"] } : {},
          error: null,
          ...env,
        };
      default:
        return { ...base, ...env };
    }
  }

  /** Signs and sends a webhook to the item's URL; undefined when the item has none. */
  sendWebhook(item: ItemRecord, type: string, code: string): WebhookDelivery | undefined {
    if (!item.webhook) return undefined;
    const body = webhookBody(this.webhookPayload(item, type, code));
    item.last_webhook = { sent_at: iso(this.now()), code_sent: code };
    this.save();
    return this.context.webhooks.send({
      source: "plaid",
      url: item.webhook,
      type: `${type}:${code}`,
      body,
      sign: (raw) => ({ "Plaid-Verification": signWebhookBody(this.currentWebhookKey(), raw) }),
    });
  }

  // ---------------------------------------------------------------- processor tokens

  private newProcessorToken(item: ItemRecord, accountId: string, processor: string): ProcessorTokenRecord {
    const record: ProcessorTokenRecord = {
      processor_token: `processor-sandbox-${uuid()}`,
      item_id: item.item_id,
      account_id: accountId,
      processor,
      products: [],
      created_at: this.now(),
    };
    this.state.processor_tokens[record.processor_token] = record;
    this.save();
    return record;
  }

  createProcessorToken(accessToken: string, accountId: string, processor: string): ProcessorTokenRecord {
    const item = this.itemForAccessToken(accessToken, "any");
    const [account] = this.selectAccounts(item, [accountId]);
    return this.newProcessorToken(item, account!.account_id, processor);
  }

  requireProcessorToken(processorToken: string): ProcessorTokenRecord {
    if (!TOKEN_FORMAT.processor.test(processorToken)) {
      throw new PlaidApiError(
        "INVALID_PROCESSOR_TOKEN",
        "provided processor token is in an invalid format. expected format: processor-<environment>-<identifier>",
      );
    }
    const record = this.state.processor_tokens[processorToken];
    if (!record) throw new PlaidApiError("INVALID_PROCESSOR_TOKEN");
    const item = this.state.items[record.item_id];
    if (!item || item.removed) throw new PlaidApiError("ITEM_NOT_FOUND");
    return record;
  }

  setProcessorPermissions(processorToken: string, products: string[]): void {
    const record = this.requireProcessorToken(processorToken);
    record.products = [...new Set(products)];
    this.save();
  }

  /** /sandbox/processor_token/create: item for sandbox credentials, token for its first checking/savings account. */
  sandboxProcessorToken(input: { institution_id: string; username?: string; password?: string }): ProcessorTokenRecord {
    const username = input.username ?? "user_good";
    const { institution, seeds } = this.loginWithoutLink(input.institution_id, username, input.password ?? "pass_good");
    const item = this.createItem({ institution, seeds, products: ["auth"], webhook: null, username, clientUserId: null });
    const account = item.accounts.find(isAuthEligible) ?? item.accounts[0];
    if (!account) throw new PlaidApiError("NO_ACCOUNTS");
    return this.newProcessorToken(item, account.account_id, "sandbox");
  }

  /**
   * /processor/stripe/bank_account_token/create: mints a single-use btok_ in the
   * Stripe emulator for the account's numbers (Plaid's default sandbox numbers
   * map to Stripe's success test account 000123456789 / 110000000).
   */
  createStripeBankAccountToken(accessToken: string, accountId: string): string {
    const item = this.itemForAccessToken(accessToken, "data");
    const [account] = this.selectAccounts(item, [accountId]);
    if (!account!.numbers || !isAuthEligible(account!)) {
      // Not confirmed which code Plaid uses for a non-depository account here; NO_AUTH_ACCOUNTS says what is wrong.
      throw new PlaidApiError("NO_AUTH_ACCOUNTS", "the account is not a checking or savings account; Stripe bank account tokens need one");
    }
    const stripe = this.context.stripe;
    // Not confirmed: Plaid most likely answers INVALID_PRODUCT when the Stripe integration is not enabled.
    if (!stripe)
      throw new PlaidApiError(
        "INVALID_PRODUCT",
        "the Stripe integration is not enabled for this client (the Stripe emulator is not running)",
      );
    try {
      const token = stripe.createBankAccountToken({
        accountNumber: account!.numbers.stripe.account,
        routingNumber: account!.numbers.stripe.routing,
        accountHolderName: account!.owners[0]?.names[0] ?? "Plaid Sandbox User",
        accountHolderType: "individual",
        accountType: account!.subtype === "savings" ? "savings" : "checking",
        bankName: item.institution_name,
      });
      this.useProduct(item, "auth");
      return token.id;
    } catch (err) {
      throw new PlaidApiError(
        "INVALID_STRIPE_ACCOUNT",
        `Stripe rejected the bank account: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  // ---------------------------------------------------------------- webhook keys

  currentWebhookKey(): WebhookKeyRecord {
    const keys = this.state.webhook_keys;
    let key = keys.find((k) => k.expired_at === null);
    if (!key) {
      key = newWebhookKey();
      keys.push(key);
      this.save();
    }
    return key;
  }

  webhookVerificationKey(keyId: string) {
    const key = this.state.webhook_keys.find((k) => k.kid === keyId);
    if (!key) throw new PlaidApiError("INVALID_WEBHOOK_VERIFICATION_KEY_ID");
    return publicJwk(key);
  }

  /** Expires the current key and makes a new one (control `rotate_webhook_key`). */
  rotateWebhookKey(): { expired: string | null; current: string } {
    const old = this.state.webhook_keys.find((k) => k.expired_at === null);
    if (old) old.expired_at = Math.floor(this.now() / 1000);
    const fresh = newWebhookKey();
    this.state.webhook_keys.push(fresh);
    this.save();
    return { expired: old?.kid ?? null, current: fresh.kid };
  }

  // ---------------------------------------------------------------- inspection

  inspect(): Record<string, unknown> {
    const now = this.now();
    const short = (token: string) => `${/^[a-z]+-sandbox-/.exec(token)?.[0] ?? ""}…${token.slice(-4)}`;
    const state = this.state;
    return {
      clock: { now: iso(now), offset_ms: state.clock_offset_ms },
      items: Object.values(state.items).map((item) => ({
        item_id: item.item_id,
        institution: `${item.institution_name} (${item.institution_id})`,
        status: item.removed ? "removed" : (item.error?.error_code ?? "good"),
        products: item.products,
        webhook: item.webhook,
        access_token: item.access_token ? short(item.access_token) : null,
        created_at: item.created_at,
        accounts: item.accounts.map((a) => ({
          account_id: a.account_id,
          name: a.name,
          mask: a.mask,
          type: a.type,
          subtype: a.subtype,
          balances: { available: a.balances.available, current: a.balances.current },
        })),
      })),
      link_tokens: Object.values(state.link_tokens).map((t) => ({
        link_token: short(t.link_token),
        mode: t.item_id ? "update" : "create",
        item_id: t.item_id,
        expires_at: iso(t.expires_at),
        expired: now >= t.expires_at,
      })),
      public_tokens: Object.values(state.public_tokens).map((t) => ({
        public_token: short(t.public_token),
        item_id: t.item_id,
        state: t.exchanged_at !== null ? "exchanged" : now >= t.expires_at ? "expired" : "valid",
      })),
      processor_tokens: Object.values(state.processor_tokens).map((t) => ({
        processor_token: short(t.processor_token),
        processor: t.processor,
        item_id: t.item_id,
        account_id: t.account_id,
        products: t.products,
      })),
      webhook_keys: state.webhook_keys.map((k) => ({ kid: k.kid, created_at: k.created_at, expired_at: k.expired_at })),
    };
  }
}
