/**
 * Key rotation primitives for the "re-encrypt every column" command.
 *
 * Rotation procedure: prepend a new key to ENCRYPTION_KEYS (new writes use it,
 * old values still decrypt), run the command (rotateValue on every value),
 * then drop the old key once nothing references it (keyIdOf lets the command
 * count stragglers).
 */
import "server-only";
import { decryptSecret, encryptSecret, type CryptoOptions } from "./envelope";
import { FORMAT_VERSION, parseEnvelope } from "./format";
import type { Keyring } from "./keyring";

export interface RotationResult {
  /** True when `value` is a new ciphertext that must be written back. */
  changed: boolean;
  value: string;
}

/**
 * True when the value was not written by the active key (or by an older
 * format version). Does not decrypt. Throws DecryptionError for malformed input.
 */
export function needsRotation(value: string, keyring: Keyring): boolean {
  const env = parseEnvelope(value);
  return env.kid !== keyring.activeKid || env.version !== FORMAT_VERSION;
}

/**
 * Same value if already current (returned as-is, without decrypting),
 * otherwise decrypt with whichever key it names and encrypt afresh under the
 * active key with the same AAD (new DEK, new nonces). Throws DecryptionError
 * when the old value cannot be decrypted — a wrong `aad` surfaces here.
 */
export function reencrypt(value: string, keyring: Keyring, opts: CryptoOptions = {}): string {
  return rotateValue(value, keyring, opts).value;
}

/** reencrypt, telling the caller whether a DB write is needed. */
export function rotateValue(value: string, keyring: Keyring, opts: CryptoOptions = {}): RotationResult {
  if (!needsRotation(value, keyring)) return { changed: false, value };
  const plaintext = decryptSecret(value, keyring, opts);
  return { changed: true, value: encryptSecret(plaintext, keyring, opts) };
}
