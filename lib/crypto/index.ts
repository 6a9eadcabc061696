/**
 * lib/crypto — AES-256-GCM envelope encryption with key ids and rotation.
 * Pure: no env, no DB. Build a Keyring with parseKeyring(process.env.X) at the edge.
 */
import "server-only";
export { DecryptionError, KeyringError, type DecryptionErrorReason } from "./errors";
export {
  KEY_BYTES,
  KID_PATTERN,
  createKeyring,
  generateKeyEntry,
  isValidKid,
  parseKeyring,
  type KeyEntry,
  type Keyring,
} from "./keyring";
export { decryptSecret, encryptSecret, isEncryptedValue, keyIdOf, type CryptoOptions } from "./envelope";
export { FORMAT_VERSION } from "./format";
export { needsRotation, reencrypt, rotateValue, type RotationResult } from "./rotation";
