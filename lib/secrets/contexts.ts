/**
 * Every encryption context (AAD) the app seals secrets with, and the column
 * each one protects. The context binds a ciphertext to its row: a value
 * copied into another row does not decrypt. Sealing and key rotation both
 * read them from here; a new secret column is added here and so rotates
 * with `npm run keys:rotate`.
 */

/** A Plaid access token, bound to its plaid_items row. */
import "server-only";
export const accessTokenAad = (plaidItemRowId: string): string => `plaid_items.access_token:${plaidItemRowId}`;

/** A Plaid processor token, bound to its processor_tokens row. */
export const processorTokenAad = (processorTokenId: string): string => `processor_tokens.token:${processorTokenId}`;

/** A user's TOTP secret, bound to the users row. */
export const totpSecretAad = (userId: string): string => `users.totp_secret:${userId}`;

/** A table column that holds lib/crypto ciphertexts, and the AAD each row's value was sealed with. */
export interface EncryptedColumn {
  table: string;
  idColumn: string;
  column: string;
  aad: (id: string) => string;
}

/** Every encrypted column in the schema. */
export const ENCRYPTED_COLUMNS: EncryptedColumn[] = [
  { table: "plaid_items", idColumn: "id", column: "access_token_ciphertext", aad: accessTokenAad },
  { table: "processor_tokens", idColumn: "id", column: "token_ciphertext", aad: processorTokenAad },
  { table: "users", idColumn: "id", column: "totp_secret_ciphertext", aad: totpSecretAad },
];
