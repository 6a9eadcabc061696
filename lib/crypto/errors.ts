/**
 * Typed errors for lib/crypto.
 *
 * Rule for every message in this module: it may name key ids, segment names,
 * lengths and counts, but NEVER plaintext, AAD values, key bytes or raw config
 * entries. Messages end up in logs and error trackers.
 */

/**
 * Why a decryption failed. AES-GCM authenticates and cannot tell *which* input
 * was wrong, so the reasons only distinguish what we can honestly distinguish:
 *
 * - "malformed":           not a well-formed envelope string (wrong number of
 *                          segments, bad base64url, wrong segment length, bad kid).
 * - "unsupported-version": well-formed version tag, but not one this code reads.
 * - "unknown-key-id":      the kid in the envelope is not in the keyring.
 * - "key-unwrap-failed":   the data key could not be unwrapped: the key material
 *                          configured under that kid differs from the one used to
 *                          encrypt, OR the kid / wrapped-key segment was tampered.
 * - "auth-failed":         data key unwrapped fine, but the payload failed
 *                          authentication: iv/ciphertext/tag tampered OR the AAD
 *                          differs from the one used to encrypt (e.g. the value was
 *                          copied into another row/column). GCM cannot tell these apart.
 */
import "server-only";
export type DecryptionErrorReason = "malformed" | "unsupported-version" | "unknown-key-id" | "key-unwrap-failed" | "auth-failed";

export class DecryptionError extends Error {
  override readonly name = "DecryptionError";
  readonly reason: DecryptionErrorReason;
  /** Key id from the envelope, when it could be parsed. Safe to log. */
  readonly kid: string | undefined;

  constructor(reason: DecryptionErrorReason, message: string, opts: { kid?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.reason = reason;
    this.kid = opts.kid;
  }
}

/** Invalid keyring configuration (bad ENCRYPTION_KEYS, bad kid, bad key length, ...). */
export class KeyringError extends Error {
  override readonly name = "KeyringError";
}
