import { decryptSecret, encryptSecret, parseKeyring, type Keyring } from "@/lib/crypto";
import { getConfig } from "@/lib/config";

/**
 * The app's secrets at rest: lib/crypto bound to the configured keyring.
 * `aad` ties a ciphertext to its place (e.g. "plaid_items.access_token:<id>"),
 * so a value copied into another row does not decrypt.
 */
let keyring: Keyring | undefined;

export function getKeyring(): Keyring {
  keyring ??= parseKeyring(getConfig().encryptionKeys, { name: "ENCRYPTION_KEYS" });
  return keyring;
}

export function sealSecret(plaintext: string, aad: string): string {
  return encryptSecret(plaintext, getKeyring(), { aad });
}

export function openSecret(ciphertext: string, aad: string): string {
  return decryptSecret(ciphertext, getKeyring(), { aad });
}

export { ENCRYPTED_COLUMNS, accessTokenAad, rotateStoredSecrets, type EncryptedColumn } from "./rotate";
