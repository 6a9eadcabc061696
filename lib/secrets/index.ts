import "server-only";
import { decryptSecret, encryptSecret, parseKeyring, type Keyring } from "@/lib/crypto";
import { getConfig } from "@/lib/config";
import { accessTokenAad, processorTokenAad, totpSecretAad } from "./contexts";

/**
 * The app's secrets at rest: lib/crypto bound to the configured keyring.
 * `aad` ties a ciphertext to its place (every context is in ./contexts.ts),
 * so a value copied into another row does not decrypt. Callers use the
 * accessors below rather than spelling a context themselves.
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

/** The Plaid access token of an item: the one way the app opens it. */
export function itemAccessToken(item: { id: string; accessTokenCiphertext: string }): string {
  return openSecret(item.accessTokenCiphertext, accessTokenAad(item.id));
}

/** Seals a Plaid access token for the plaid_items row `itemRowId`. */
export function sealItemAccessToken(itemRowId: string, accessToken: string): string {
  return sealSecret(accessToken, accessTokenAad(itemRowId));
}

/** A stored Plaid processor token, opened. */
export function openProcessorToken(row: { id: string; tokenCiphertext: string }): string {
  return openSecret(row.tokenCiphertext, processorTokenAad(row.id));
}

/** Seals a Plaid processor token for the processor_tokens row `processorTokenId`. */
export function sealProcessorToken(processorTokenId: string, token: string): string {
  return sealSecret(token, processorTokenAad(processorTokenId));
}

/** A user's TOTP secret (base32), opened. */
export function openTotpSecret(user: { id: string; totpSecretCiphertext: string }): string {
  return openSecret(user.totpSecretCiphertext, totpSecretAad(user.id));
}

/** Seals a TOTP secret for the users row `userId`. */
export function sealTotpSecret(userId: string, secret: string): string {
  return sealSecret(secret, totpSecretAad(userId));
}

export { ENCRYPTED_COLUMNS } from "./contexts";
