import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import {
  createKeyCache,
  KeyLookupLimitedError,
  PlaidWebhookVerificationError,
  verifyPlaidWebhook,
  type PlaidKeyFetcher,
  type PlaidWebhookKey,
} from "@/lib/webhooks/plaid-verification";

// Keys and tokens made here the way Plaid makes them: ES256 over
// base64url(header).base64url(payload), signature in IEEE P1363 form.
function newKey(kid: string, expiredAt: number | null = null): { privateKey: KeyObject; jwk: PlaidWebhookKey } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const pub = publicKey.export({ format: "jwk" });
  return {
    privateKey,
    jwk: { alg: "ES256", crv: "P-256", kid, kty: "EC", use: "sig", x: pub.x!, y: pub.y!, created_at: 1_700_000_000, expired_at: expiredAt },
  };
}

const b64 = (v: string | Buffer) => Buffer.from(v).toString("base64url");
const sha256 = (body: string) => createHash("sha256").update(body).digest("hex");

function token(privateKey: KeyObject | null, header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
  const signature = privateKey ? sign("sha256", Buffer.from(input), { key: privateKey, dsaEncoding: "ieee-p1363" }) : Buffer.alloc(0);
  return `${input}.${b64(signature)}`;
}

const NOW = 1_800_000_000_000;
const now = () => NOW;
const nowSeconds = NOW / 1000;
const body = JSON.stringify(
  { webhook_type: "ITEM", webhook_code: "ERROR", item_id: "item123", error: { error_code: "ITEM_LOGIN_REQUIRED" }, environment: "sandbox" },
  null,
  2,
);

const good = newKey("kid-good");
const keys = new Map<string, PlaidWebhookKey>([[good.jwk.kid, good.jwk]]);
const getKey: PlaidKeyFetcher = async (kid) => keys.get(kid) ?? null;

function signed(
  overrides: { header?: Record<string, unknown>; payload?: Record<string, unknown>; key?: KeyObject | null; body?: string } = {},
): string {
  return token(
    overrides.key === undefined ? good.privateKey : overrides.key,
    { alg: "ES256", kid: good.jwk.kid, typ: "JWT", ...overrides.header },
    { iat: nowSeconds - 10, request_body_sha256: sha256(overrides.body ?? body), ...overrides.payload },
  );
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(PlaidWebhookVerificationError);
    return (err as PlaidWebhookVerificationError).reason;
  }
  throw new Error("verification unexpectedly succeeded");
}

describe("verifyPlaidWebhook", () => {
  it("accepts a webhook signed with a current key over the exact body", async () => {
    await expect(verifyPlaidWebhook({ header: signed(), rawBody: body, getKey, now })).resolves.toEqual({
      kid: "kid-good",
      iat: nowSeconds - 10,
    });
  });

  it("accepts an iat right at the 5-minute limit", async () => {
    await expect(
      verifyPlaidWebhook({ header: signed({ payload: { iat: nowSeconds - 300 } }), rawBody: body, getKey, now }),
    ).resolves.toBeTruthy();
  });

  it("rejects a missing or malformed header", async () => {
    expect(await failure(verifyPlaidWebhook({ header: null, rawBody: body, getKey, now }))).toBe("missing_header");
    expect(await failure(verifyPlaidWebhook({ header: "", rawBody: body, getKey, now }))).toBe("missing_header");
    expect(await failure(verifyPlaidWebhook({ header: "not-a-jwt", rawBody: body, getKey, now }))).toBe("malformed_token");
    expect(await failure(verifyPlaidWebhook({ header: "a.b.c", rawBody: body, getKey, now }))).toBe("malformed_token");
  });

  it("rejects other algorithms without looking up a key", async () => {
    const fetcher = vi.fn(getKey);
    const hs256 = signed({ header: { alg: "HS256" } });
    const rs256 = signed({ header: { alg: "RS256" } });
    expect(await failure(verifyPlaidWebhook({ header: hs256, rawBody: body, getKey: fetcher, now }))).toBe("unsupported_algorithm");
    expect(await failure(verifyPlaidWebhook({ header: rs256, rawBody: body, getKey: fetcher, now }))).toBe("unsupported_algorithm");
    expect(fetcher).not.toHaveBeenCalled();
  });

  it("rejects alg none (unsigned token)", async () => {
    const unsigned = signed({ header: { alg: "none" }, key: null });
    expect(await failure(verifyPlaidWebhook({ header: unsigned, rawBody: body, getKey, now }))).toBe("unsupported_algorithm");
    const noneWithSignature = signed({ header: { alg: "none" } });
    expect(await failure(verifyPlaidWebhook({ header: noneWithSignature, rawBody: body, getKey, now }))).toBe("unsupported_algorithm");
  });

  it("rejects a tampered body", async () => {
    const tampered = body.replace("ERROR", "LOGIN_REPAIRED");
    expect(await failure(verifyPlaidWebhook({ header: signed(), rawBody: tampered, getKey, now }))).toBe("body_mismatch");
    // Whitespace matters: the hash is of the raw bytes, not of re-serialized JSON.
    expect(await failure(verifyPlaidWebhook({ header: signed(), rawBody: JSON.stringify(JSON.parse(body)), getKey, now }))).toBe(
      "body_mismatch",
    );
    // A hash of a different length (no timingSafeEqual throw).
    expect(
      await failure(verifyPlaidWebhook({ header: signed({ payload: { request_body_sha256: "abc" } }), rawBody: body, getKey, now })),
    ).toBe("body_mismatch");
  });

  it("rejects a tampered payload (signature no longer matches)", async () => {
    const [h, , s] = signed().split(".");
    const forgedPayload = b64(JSON.stringify({ iat: nowSeconds, request_body_sha256: sha256("{}") }));
    expect(await failure(verifyPlaidWebhook({ header: `${h}.${forgedPayload}.${s}`, rawBody: "{}", getKey, now }))).toBe("bad_signature");
  });

  it("rejects a signature made with another key under a known kid", async () => {
    const attacker = newKey("kid-good");
    expect(await failure(verifyPlaidWebhook({ header: signed({ key: attacker.privateKey }), rawBody: body, getKey, now }))).toBe(
      "bad_signature",
    );
  });

  it("rejects a stale iat (older than 5 minutes), a future one and a missing one", async () => {
    expect(await failure(verifyPlaidWebhook({ header: signed({ payload: { iat: nowSeconds - 301 } }), rawBody: body, getKey, now }))).toBe(
      "stale",
    );
    expect(await failure(verifyPlaidWebhook({ header: signed({ payload: { iat: nowSeconds + 3600 } }), rawBody: body, getKey, now }))).toBe(
      "stale",
    );
    expect(await failure(verifyPlaidWebhook({ header: signed({ payload: { iat: "yesterday" } }), rawBody: body, getKey, now }))).toBe(
      "malformed_token",
    );
  });

  it("rejects an unknown kid", async () => {
    const stranger = newKey("kid-unknown");
    const header = signed({ key: stranger.privateKey, header: { kid: "kid-unknown" } });
    expect(await failure(verifyPlaidWebhook({ header, rawBody: body, getKey, now }))).toBe("unknown_key");
    expect(await failure(verifyPlaidWebhook({ header: signed({ header: { kid: undefined } }), rawBody: body, getKey, now }))).toBe(
      "malformed_token",
    );
  });

  it("rejects a key that has expired_at set, even with a valid signature", async () => {
    const old = newKey("kid-old", nowSeconds - 60);
    const header = signed({ key: old.privateKey, header: { kid: "kid-old" } });
    const fetcher: PlaidKeyFetcher = async (kid) => (kid === "kid-old" ? old.jwk : null);
    expect(await failure(verifyPlaidWebhook({ header, rawBody: body, getKey: fetcher, now }))).toBe("expired_key");
  });
});

describe("createKeyCache", () => {
  it("fetches a kid once; an unknown kid is not looked up again for 5 minutes", async () => {
    let clock = NOW;
    const fetcher = vi.fn(getKey);
    const cached = createKeyCache(fetcher, { now: () => clock });
    await cached("kid-good");
    await cached("kid-good");
    expect(fetcher).toHaveBeenCalledTimes(1);
    expect(await cached("nope")).toBeNull();
    clock += 4 * 60_000;
    expect(await cached("nope")).toBeNull();
    expect(fetcher.mock.calls.filter(([kid]) => kid === "nope")).toHaveLength(1);
    clock += 61_000;
    expect(await cached("nope")).toBeNull();
    expect(fetcher.mock.calls.filter(([kid]) => kid === "nope")).toHaveLength(2);
  });

  it("30 forgeries with distinct unknown kids make at most 5 upstream lookups a minute (refusals beyond: KeyLookupLimitedError)", async () => {
    let clock = NOW;
    const fetcher = vi.fn(getKey);
    const cached = createKeyCache(fetcher, { now: () => clock });
    await cached("kid-good"); // a trusted key, re-checked when a new kid appears: counts too
    const forger = newKey("forger");
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        verifyPlaidWebhook({
          header: signed({ key: forger.privateKey, header: { kid: `forged-${i}` } }),
          rawBody: body,
          getKey: cached,
          now,
        }).then(
          () => "verified",
          (err: unknown) => (err instanceof KeyLookupLimitedError ? "limited" : (err as PlaidWebhookVerificationError).reason),
        ),
      ),
    );
    expect(fetcher).toHaveBeenCalledTimes(5);
    expect(outcomes).not.toContain("verified");
    expect(outcomes.filter((o) => o === "unknown_key").length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o === "limited").length).toBeGreaterThan(20);
    // The trusted key still verifies from the cache, without a lookup.
    await verifyPlaidWebhook({ header: signed(), rawBody: body, getKey: cached, now });
    expect(fetcher).toHaveBeenCalledTimes(5);

    // A minute later a new kid (Plaid's rotation) is looked up again.
    clock += 60_000;
    const next = newKey("kid-next");
    keys.set("kid-next", next.jwk);
    try {
      expect(await cached("kid-next")).toEqual(next.jwk);
    } finally {
      keys.delete("kid-next");
    }
  });

  it("concurrent lookups of one kid make one upstream call", async () => {
    const fetcher = vi.fn(getKey);
    const cached = createKeyCache(fetcher, { now });
    expect(await Promise.all(Array.from({ length: 30 }, () => cached("same-forged")))).toEqual(Array(30).fill(null));
    expect(fetcher).toHaveBeenCalledTimes(1);
  });

  it("a cached key past its TTL is still used while the lookup budget is spent", async () => {
    let clock = NOW;
    const fetcher = vi.fn(getKey);
    const cached = createKeyCache(fetcher, { now: () => clock, ttlMs: 1000, lookupsPerMinute: 2 });
    await cached("kid-good");
    await cached("forged-a").catch(() => null);
    clock += 1001;
    expect(await cached("kid-good")).toEqual(good.jwk);
    expect(fetcher).toHaveBeenCalledTimes(2);
  });

  it("re-checks trusted keys when a new kid appears, so a rotated-out key stops verifying", async () => {
    let clock = NOW;
    const current = new Map<string, PlaidWebhookKey>([[good.jwk.kid, { ...good.jwk }]]);
    const cached = createKeyCache(async (kid) => current.get(kid) ?? null, { now: () => clock });
    await verifyPlaidWebhook({ header: signed(), rawBody: body, getKey: cached, now });

    // Plaid rotates: the old key is now expired, a new one signs.
    const next = newKey("kid-next");
    current.set(good.jwk.kid, { ...good.jwk, expired_at: nowSeconds });
    current.set("kid-next", next.jwk);
    clock += 2 * 60_000;
    await verifyPlaidWebhook({ header: signed({ key: next.privateKey, header: { kid: "kid-next" } }), rawBody: body, getKey: cached, now });
    expect(await failure(verifyPlaidWebhook({ header: signed(), rawBody: body, getKey: cached, now }))).toBe("expired_key");
  });

  it("refreshes cached keys after the TTL", async () => {
    let clock = NOW;
    const fetcher = vi.fn(getKey);
    const cached = createKeyCache(fetcher, { now: () => clock, ttlMs: 1000 });
    await cached("kid-good");
    clock += 1001;
    await cached("kid-good");
    expect(fetcher).toHaveBeenCalledTimes(2);
  });
});
