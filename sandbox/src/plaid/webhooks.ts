/**
 * Plaid webhook signing: header Plaid-Verification = ES256 JWT
 * {alg, kid, typ: "JWT"} . {iat, request_body_sha256}. Signed synchronously with
 * node:crypto (the dispatcher re-signs at every attempt, so `iat` is fresh on
 * retries); verifiable with jose and the JWK from /webhook_verification_key/get.
 */
import { createHash, createPrivateKey, sign } from "node:crypto";
import type { JWKPublicKey } from "plaid";
import type { WebhookKeyRecord } from "./state.js";

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString("base64url");
}

export function signWebhookBody(key: WebhookKeyRecord, body: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  const header = { alg: "ES256", kid: key.kid, typ: "JWT" };
  const payload = { iat: nowSeconds, request_body_sha256: createHash("sha256").update(body).digest("hex") };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const privateKey = createPrivateKey({ key: key.private_jwk, format: "jwk" });
  const signature = sign("sha256", Buffer.from(input), { key: privateKey, dsaEncoding: "ieee-p1363" });
  return `${input}.${b64url(signature)}`;
}

export function publicJwk(key: WebhookKeyRecord): JWKPublicKey {
  return {
    alg: "ES256",
    crv: "P-256",
    kid: key.kid,
    kty: "EC",
    use: "sig",
    x: String(key.public_jwk.x),
    y: String(key.public_jwk.y),
    created_at: key.created_at,
    expired_at: key.expired_at,
  };
}

/** Plaid sends webhook bodies pretty-printed with a 2-space indent. */
export function webhookBody(payload: Record<string, unknown>): string {
  return JSON.stringify(payload, null, 2);
}
