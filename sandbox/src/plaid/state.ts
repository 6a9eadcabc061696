/**
 * Plaid emulator state: one JSON-serialisable document in the store's "plaid"
 * namespace. Always read it through `plaidState(context)` (never cache the
 * object: `store.reset()` replaces it) and call `context.store.changed()` after
 * a mutation. Mutations are synchronous so concurrent requests stay consistent.
 */
import { generateKeyPairSync, type JsonWebKey } from "node:crypto";
import type { SandboxContext } from "../core/context.js";
import { uuid } from "../core/ids.js";
import type { PlaidErrorBody } from "./errors.js";

export interface OwnerRecord {
  names: string[];
  phone_numbers: { data: string; primary: boolean; type: string }[];
  emails: { data: string; primary: boolean; type: string }[];
  addresses: {
    data: { city: string | null; region: string | null; street: string; postal_code: string | null; country: string | null };
    primary: boolean;
  }[];
}

export interface AccountNumbersRecord {
  account: string;
  routing: string;
  wire_routing: string | null;
  /**
   * What /processor/stripe/bank_account_token/create hands Stripe. Plaid's
   * default sandbox numbers map to Stripe's success test account
   * (000123456789 / 110000000); a user_custom override passes through.
   */
  stripe: { account: string; routing: string };
}

export interface AccountRecord {
  account_id: string;
  /** The AccountSeed key it was created from (update mode keeps ids by key). */
  seed_key: string;
  name: string;
  official_name: string | null;
  mask: string | null;
  type: string;
  subtype: string | null;
  balances: {
    available: number | null;
    current: number | null;
    limit: number | null;
    iso_currency_code: string | null;
    unofficial_currency_code: string | null;
  };
  numbers: AccountNumbersRecord | null;
  owners: OwnerRecord[];
}

export interface ItemRecord {
  item_id: string;
  institution_id: string;
  institution_name: string;
  webhook: string | null;
  products: string[];
  accounts: AccountRecord[];
  error: PlaidErrorBody | null;
  /** ISO date-time */
  created_at: string;
  /** Sandbox clock (ms) of the last successful login; items need a new login after 30 days. */
  last_login_at: number;
  access_token: string | null;
  removed: boolean;
  username: string;
  client_user_id: string | null;
  last_webhook: { sent_at: string; code_sent: string } | null;
}

export interface LinkTokenRecord {
  link_token: string;
  created_at: number;
  expires_at: number;
  client_name: string;
  language: string;
  country_codes: string[];
  products: string[];
  webhook: string | null;
  redirect_uri: string | null;
  client_user_id: string | null;
  account_filters: unknown;
  /** Update mode: the item being repaired. */
  item_id: string | null;
  account_selection_enabled: boolean;
  institution_id: string | null;
  /** Link sessions opened with this token (for /link/token/get's link_sessions), oldest first. */
  sessions?: LinkSessionRecord[];
}

/** One Link session of a link token: opened, and finished by onSuccess (exits are not reported to the server). */
export interface LinkSessionRecord {
  link_session_id: string;
  started_at: number;
  finished_at: number | null;
  /** onSuccess's arguments when the session linked an item. */
  success: { public_token: string; metadata: Record<string, unknown> } | null;
}

export interface PublicTokenRecord {
  public_token: string;
  item_id: string;
  created_at: number;
  expires_at: number;
  exchanged_at: number | null;
}

export interface AccessTokenRecord {
  access_token: string;
  item_id: string;
  created_at: number;
}

export interface ProcessorTokenRecord {
  processor_token: string;
  item_id: string;
  account_id: string;
  processor: string;
  /** Empty = all products. */
  products: string[];
  created_at: number;
}

export interface WebhookKeyRecord {
  kid: string;
  /** Unix seconds */
  created_at: number;
  expired_at: number | null;
  public_jwk: JsonWebKey;
  private_jwk: JsonWebKey;
}

export interface PlaidState {
  version: 1;
  /** Added to Date.now() for every lifetime check (control action `advance_time`). */
  clock_offset_ms: number;
  link_tokens: Record<string, LinkTokenRecord>;
  public_tokens: Record<string, PublicTokenRecord>;
  access_tokens: Record<string, AccessTokenRecord>;
  items: Record<string, ItemRecord>;
  processor_tokens: Record<string, ProcessorTokenRecord>;
  webhook_keys: WebhookKeyRecord[];
  /** What Plaid's Dashboard would configure (control action `link_settings`); absent = defaults. */
  link_settings?: LinkSettings;
}

/**
 * Account Select as the Dashboard offers it: the user picks exactly one
 * account (the default), one or more, or every eligible account is shared.
 */
export type AccountSelectMode = "one" | "multiple" | "all";
export const ACCOUNT_SELECT_MODES: readonly AccountSelectMode[] = ["one", "multiple", "all"];

export interface LinkSettings {
  account_select: AccountSelectMode;
}

export const PLAID_NAMESPACE = "plaid";

export function newWebhookKey(): WebhookKeyRecord {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    kid: uuid(),
    created_at: Math.floor(Date.now() / 1000),
    expired_at: null,
    public_jwk: publicKey.export({ format: "jwk" }),
    private_jwk: privateKey.export({ format: "jwk" }),
  };
}

export function initialPlaidState(): PlaidState {
  return {
    version: 1,
    clock_offset_ms: 0,
    link_tokens: {},
    public_tokens: {},
    access_tokens: {},
    items: {},
    processor_tokens: {},
    webhook_keys: [newWebhookKey()],
  };
}

/** Registers the namespace (idempotent) and returns the current state object. */
export function plaidState(context: SandboxContext): PlaidState {
  return context.store.namespace<PlaidState>(PLAID_NAMESPACE, initialPlaidState);
}

/** Sandbox clock in ms: real time plus the offset set by `advance_time`. */
export function sandboxNow(context: SandboxContext): number {
  return Date.now() + plaidState(context).clock_offset_ms;
}
