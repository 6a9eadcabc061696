import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from "jose";

/**
 * Verification of Plaid webhooks, as Plaid documents it
 * (https://plaid.com/docs/api/webhooks/webhook-verification/):
 *
 * 1. the `Plaid-Verification` header is a JWS (compact JWT) whose protected
 *    header says `alg: "ES256"` (anything else, `none` included, is refused
 *    before any key is looked up) and names the signing key by `kid`;
 * 2. the key is the JWK `/webhook_verification_key/get` returns for that kid;
 *    keys with `expired_at` set are refused;
 * 3. the signature must verify with that key;
 * 4. the payload's `iat` must be at most 5 minutes old (replays);
 * 5. the payload's `request_body_sha256` must equal the SHA-256 of the raw
 *    body, compared in constant time.
 *
 * Pure apart from the injected key fetcher and clock, so it is unit-tested
 * with keys the test generates.
 */

/** The subset of Plaid's JWKPublicKey the verifier needs. */
export interface PlaidWebhookKey {
  alg: string;
  crv: string;
  kid: string;
  kty: string;
  use?: string;
  x: string;
  y: string;
  created_at?: number;
  expired_at: number | null;
}

/** Returns the key for a kid, or null when Plaid does not know it. Throws on transport failures. */
export type PlaidKeyFetcher = (kid: string) => Promise<PlaidWebhookKey | null>;

export type PlaidVerificationFailure =
  | "missing_header"
  | "malformed_token"
  | "unsupported_algorithm"
  | "unknown_key"
  | "expired_key"
  | "bad_signature"
  | "stale"
  | "body_mismatch";

export class PlaidWebhookVerificationError extends Error {
  constructor(
    readonly reason: PlaidVerificationFailure,
    message: string,
  ) {
    super(message);
    this.name = "PlaidWebhookVerificationError";
  }
}

/** Maximum age of a webhook's `iat` (Plaid: 5 minutes). */
export const MAX_WEBHOOK_AGE_SECONDS = 5 * 60;
/** Tolerated clock skew for an `iat` in the future. Not specified by Plaid; a minute covers ordinary drift. */
export const MAX_FUTURE_SKEW_SECONDS = 60;

export interface VerifyOptions {
  /** The `Plaid-Verification` header (null/undefined when absent). */
  header: string | null | undefined;
  /** The request body exactly as received. */
  rawBody: string;
  getKey: PlaidKeyFetcher;
  /** Current time in milliseconds (default Date.now). */
  now?: () => number;
}

export interface VerifiedPlaidWebhook {
  kid: string;
  iat: number;
}

export async function verifyPlaidWebhook(options: VerifyOptions): Promise<VerifiedPlaidWebhook> {
  const token = options.header?.trim();
  if (!token) throw new PlaidWebhookVerificationError("missing_header", "Missing Plaid-Verification header.");
  if (token.split(".").length !== 3) throw new PlaidWebhookVerificationError("malformed_token", "Plaid-Verification is not a signed JWT.");

  let header: { alg?: unknown; kid?: unknown };
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new PlaidWebhookVerificationError("malformed_token", "Plaid-Verification header could not be decoded.");
  }
  // Checked before any key lookup: `none`, HS256 (key confusion) and the rest never reach verification.
  if (header.alg !== "ES256")
    throw new PlaidWebhookVerificationError("unsupported_algorithm", "Plaid-Verification must be signed with ES256.");
  if (typeof header.kid !== "string" || header.kid === "")
    throw new PlaidWebhookVerificationError("malformed_token", "Plaid-Verification has no key id.");

  const jwk = await options.getKey(header.kid);
  if (!jwk) throw new PlaidWebhookVerificationError("unknown_key", "Plaid-Verification is signed with an unknown key.");
  if (jwk.expired_at !== null && jwk.expired_at !== undefined) {
    throw new PlaidWebhookVerificationError("expired_key", "Plaid-Verification is signed with an expired key.");
  }

  let payloadBytes: Uint8Array;
  try {
    const key = await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } satisfies JWK, "ES256");
    ({ payload: payloadBytes } = await compactVerify(token, key, { algorithms: ["ES256"] }));
  } catch {
    throw new PlaidWebhookVerificationError("bad_signature", "Plaid-Verification signature is invalid.");
  }

  let claims: { iat?: unknown; request_body_sha256?: unknown };
  try {
    claims = JSON.parse(new TextDecoder().decode(payloadBytes)) as typeof claims;
  } catch {
    throw new PlaidWebhookVerificationError("malformed_token", "Plaid-Verification payload is not JSON.");
  }
  if (typeof claims !== "object" || claims === null)
    throw new PlaidWebhookVerificationError("malformed_token", "Plaid-Verification payload is not an object.");

  const nowSeconds = Math.floor((options.now ?? Date.now)() / 1000);
  if (typeof claims.iat !== "number" || !Number.isFinite(claims.iat))
    throw new PlaidWebhookVerificationError("malformed_token", "Plaid-Verification has no issue time.");
  if (nowSeconds - claims.iat > MAX_WEBHOOK_AGE_SECONDS)
    throw new PlaidWebhookVerificationError("stale", "Plaid-Verification is more than 5 minutes old.");
  if (claims.iat - nowSeconds > MAX_FUTURE_SKEW_SECONDS)
    throw new PlaidWebhookVerificationError("stale", "Plaid-Verification is issued in the future.");

  if (typeof claims.request_body_sha256 !== "string")
    throw new PlaidWebhookVerificationError("malformed_token", "Plaid-Verification has no body hash.");
  const expected = Buffer.from(createHash("sha256").update(options.rawBody, "utf8").digest("hex"), "utf8");
  const claimed = Buffer.from(claims.request_body_sha256.toLowerCase(), "utf8");
  if (claimed.length !== expected.length || !timingSafeEqual(claimed, expected)) {
    throw new PlaidWebhookVerificationError("body_mismatch", "The webhook body does not match its signature.");
  }
  return { kid: header.kid, iat: claims.iat };
}

/**
 * Thrown by the key cache instead of asking Plaid when this process has
 * used its key lookups for the minute: the webhook is answered 503 and a
 * genuine one is redelivered by Plaid.
 */
export class KeyLookupLimitedError extends Error {
  constructor() {
    super("Plaid verification key lookups are rate-limited");
    this.name = "KeyLookupLimitedError";
  }
}

export interface KeyCacheOptions {
  /** How long a known key is trusted before it is fetched again (default 1 hour). */
  ttlMs?: number;
  /** How long a kid Plaid does not know is answered unknown without asking again (default 5 minutes). */
  unknownTtlMs?: number;
  /** Upstream key requests per minute, this process, revalidations included (default 5). */
  lookupsPerMinute?: number;
  now?: () => number;
}

/**
 * In-memory cache of Plaid's verification keys by kid, as Plaid recommends:
 * an unknown kid is fetched (a new key after a rotation); when that happens
 * the cached keys that were still valid are fetched again too (at most once
 * a minute), so a key Plaid has since expired stops being trusted. Cached
 * entries are refreshed after `ttlMs`.
 *
 * Forged webhooks name made-up kids, and each would cost a request to
 * Plaid: a kid Plaid does not know is remembered as unknown for
 * `unknownTtlMs`; concurrent lookups of one kid share one request; and at
 * most `lookupsPerMinute` requests leave this process a minute (beyond
 * that a new kid throws KeyLookupLimitedError, and a cached key past its
 * TTL is still used). The unknown-kid map is bounded by that rate: expired
 * entries are dropped whenever another unknown kid is added.
 */
export function createKeyCache(fetch: PlaidKeyFetcher, options: KeyCacheOptions = {}): PlaidKeyFetcher & { clear(): void } {
  const ttl = options.ttlMs ?? 60 * 60 * 1000;
  const unknownTtl = options.unknownTtlMs ?? 5 * 60 * 1000;
  const perMinute = options.lookupsPerMinute ?? 5;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { key: PlaidWebhookKey; fetchedAt: number }>();
  const unknownUntil = new Map<string, number>();
  const inFlight = new Map<string, Promise<PlaidWebhookKey | null>>();
  let lastRevalidation = -Infinity;
  let windowStart = -Infinity;
  let used = 0;

  /** Takes one upstream request from this minute's budget. */
  const take = (): boolean => {
    if (now() - windowStart >= 60_000) {
      windowStart = now();
      used = 0;
    }
    if (used >= perMinute) return false;
    used++;
    return true;
  };

  const load = async (kid: string): Promise<PlaidWebhookKey | null> => {
    const key = await fetch(kid);
    if (key) {
      cache.set(kid, { key, fetchedAt: now() });
      unknownUntil.delete(kid);
    } else {
      cache.delete(kid);
      for (const [k, until] of unknownUntil) if (until <= now()) unknownUntil.delete(k);
      unknownUntil.set(kid, now() + unknownTtl);
    }
    return key;
  };

  const lookUp = async (kid: string, stale: PlaidWebhookKey | undefined): Promise<PlaidWebhookKey | null> => {
    if (!stale && now() - lastRevalidation >= 60_000) {
      // A new kid: Plaid may have rotated. Re-check the keys we still trust.
      lastRevalidation = now();
      const stillValid = [...cache.entries()].filter(([, entry]) => entry.key.expired_at === null).map(([k]) => k);
      await Promise.all(stillValid.filter(() => take()).map((k) => load(k).catch(() => undefined)));
    }
    if (!take()) {
      if (stale) return stale;
      throw new KeyLookupLimitedError();
    }
    return load(kid);
  };

  const get = async (kid: string): Promise<PlaidWebhookKey | null> => {
    const hit = cache.get(kid);
    if (hit && now() - hit.fetchedAt < ttl) return hit.key;
    const until = unknownUntil.get(kid);
    if (until !== undefined) {
      if (now() < until) return null;
      unknownUntil.delete(kid);
    }
    let pending = inFlight.get(kid);
    if (!pending) {
      pending = lookUp(kid, hit?.key).finally(() => inFlight.delete(kid));
      inFlight.set(kid, pending);
    }
    return pending;
  };
  return Object.assign(get, {
    clear: () => {
      cache.clear();
      unknownUntil.clear();
    },
  });
}
