/**
 * lib/crypto — AES-256-GCM envelope encryption with key ids and rotation.
 * Pure: no env, no DB. Build a Keyring with parseKeyring(process.env.X) at the edge.
 */
import "server-only";
export { DecryptionError, KeyringError, type DecryptionErrorReason } from "./errors";
export { createKeyring, generateKeyEntry, parseKeyring, type Keyring } from "./keyring";
export { decryptSecret, encryptSecret, isEncryptedValue, keyIdOf } from "./envelope";
export { needsRotation, reencrypt, rotateValue } from "./rotation";
