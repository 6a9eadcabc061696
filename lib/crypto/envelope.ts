/**
 * AES-256-GCM envelope encryption.
 *
 * Each call draws a fresh random 256-bit data key (DEK), encrypts the payload
 * with it, then wraps the DEK with the keyring's active master key (KEK).
 * Why envelope: the KEK only ever encrypts 32 random bytes, so random 96-bit
 * nonces under it stay far from GCM's collision bounds, and the payload nonce
 * is used exactly once per DEK.
 *
 * Authenticated data:
 * - wrap:    "fundwell.dek.v1.<kid>"        — a wrapped DEK only opens under its own kid.
 * - payload: "<header>\0<caller aad>"       — header = "v1.<kid>.<wrappedKey>", so
 *            version/kid/wrapped key are bound to the payload, and the caller's AAD
 *            (e.g. "plaid_item.access_token:<rowId>") stops a value being copied to
 *            another row/column. The header never contains \0, so the split is unambiguous.
 * `aad: undefined` and `aad: ""` are the same thing.
 */
import "server-only";
import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from "node:crypto";
import { DecryptionError } from "./errors";
import { DEK_BYTES, FORMAT_VERSION, IV_BYTES, TAG_BYTES, envelopeHeader, parseEnvelope, serializeEnvelope } from "./format";
import { resolveKey, type Keyring } from "./keyring";

const ALG = "aes-256-gcm";

export interface CryptoOptions {
  /** Context the ciphertext is bound to; decryption must pass the same string. */
  aad?: string;
}

/** Encrypt a UTF-8 string under the keyring's active key. Returns the envelope string. */
export function encryptSecret(plaintext: string, keyring: Keyring, opts: CryptoOptions = {}): string {
  assertString(plaintext, "plaintext");
  const aad = opts.aad ?? "";
  assertString(aad, "aad");
  const kid = keyring.activeKid;
  const kek = resolveKey(keyring, kid);
  if (kek === undefined) throw new Error("lib/crypto: active key missing from keyring"); // unreachable by construction

  const dek = randomBytes(DEK_BYTES);
  const data = Buffer.from(plaintext, "utf8");
  try {
    const wrappedDek = wrapDek(kek, kid, dek);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALG, dek, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(payloadAad(envelopeHeader(kid, wrappedDek), aad));
    const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
    return serializeEnvelope({ kid, wrappedDek, iv, ciphertext, tag: cipher.getAuthTag() });
  } finally {
    dek.fill(0);
    data.fill(0);
  }
}

/**
 * Decrypt an envelope with any key in the keyring (active or read-only).
 * Throws DecryptionError; see DecryptionErrorReason for what each reason can mean.
 */
export function decryptSecret(value: string, keyring: Keyring, opts: CryptoOptions = {}): string {
  const aad = opts.aad ?? "";
  assertString(aad, "aad");
  const env = parseEnvelope(value);
  const kek = resolveKey(keyring, env.kid);
  if (kek === undefined) {
    throw new DecryptionError(
      "unknown-key-id",
      `encrypted value uses key id "${env.kid}", which is not in the keyring (have: ${keyring.kids.join(", ")})`,
      { kid: env.kid },
    );
  }

  let dek: Buffer;
  try {
    dek = unwrapDek(kek, env.kid, env.wrappedDek);
  } catch (cause) {
    throw new DecryptionError(
      "key-unwrap-failed",
      `could not unwrap the data key with key "${env.kid}": the configured key material differs from the one used to encrypt, or the value was tampered with`,
      { kid: env.kid, cause },
    );
  }

  let plain: Buffer;
  try {
    const decipher = createDecipheriv(ALG, dek, env.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(payloadAad(envelopeHeader(env.kid, env.wrappedDek), aad));
    decipher.setAuthTag(env.tag);
    plain = Buffer.concat([decipher.update(env.ciphertext), decipher.final()]);
  } catch (cause) {
    throw new DecryptionError(
      "auth-failed",
      `encrypted value (key "${env.kid}") failed authentication: it was tampered with, or the associated data does not match the one used to encrypt`,
      { kid: env.kid, cause },
    );
  } finally {
    dek.fill(0);
  }
  try {
    // Only authenticated bytes reach here and they were produced from a JS string, so this is valid UTF-8.
    return plain.toString("utf8");
  } finally {
    plain.fill(0);
  }
}

/** Kid of the master key that wrapped this value, without decrypting. Throws DecryptionError("malformed"...). */
export function keyIdOf(value: string): string {
  return parseEnvelope(value).kid;
}

/**
 * True if `value` parses as an envelope this build understands. Useful when
 * backfilling a column that may still hold legacy plaintext. (A plaintext that
 * happens to be a valid envelope is astronomically unlikely but possible.)
 */
export function isEncryptedValue(value: string): boolean {
  try {
    parseEnvelope(value);
    return true;
  } catch {
    return false;
  }
}

function wrapDek(kek: KeyObject, kid: string, dek: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALG, kek, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(wrapAad(kid));
  const enc = Buffer.concat([cipher.update(dek), cipher.final()]);
  return Buffer.concat([iv, enc, cipher.getAuthTag()]);
}

function unwrapDek(kek: KeyObject, kid: string, wrapped: Buffer): Buffer {
  const iv = wrapped.subarray(0, IV_BYTES);
  const enc = wrapped.subarray(IV_BYTES, IV_BYTES + DEK_BYTES);
  const tag = wrapped.subarray(IV_BYTES + DEK_BYTES);
  const decipher = createDecipheriv(ALG, kek, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(wrapAad(kid));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(enc), decipher.final()]);
}

function wrapAad(kid: string): Buffer {
  return Buffer.from(`fundwell.dek.${FORMAT_VERSION}.${kid}`, "utf8");
}

function payloadAad(header: string, aad: string): Buffer {
  return Buffer.concat([Buffer.from(header, "utf8"), Buffer.from([0]), Buffer.from(aad, "utf8")]);
}

/**
 * Strings are UTF-8 encoded; a lone UTF-16 surrogate would silently become
 * U+FFFD and the secret would not round-trip, so refuse it up front.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function assertString(value: unknown, what: string): asserts value is string {
  if (typeof value !== "string") throw new TypeError(`lib/crypto: ${what} must be a string`);
  if (LONE_SURROGATE.test(value)) throw new TypeError(`lib/crypto: ${what} contains a lone UTF-16 surrogate`);
}
