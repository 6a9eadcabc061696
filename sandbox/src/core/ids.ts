import { randomBytes, randomUUID } from "node:crypto";

const ALPHANUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** Random alphanumeric string (Plaid item/account ids are 37 chars, Stripe ids 24 after the prefix). */
export function alphanumeric(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHANUM[bytes[i]! % ALPHANUM.length];
  return out;
}

export function uuid(): string {
  return randomUUID();
}

/** Plaid request ids are 15 characters. */
export function plaidRequestId(): string {
  return alphanumeric(15);
}

/** Stripe-style object id: `cus_` + 24 alphanumerics. */
export function stripeId(prefix: string): string {
  return `${prefix}_${alphanumeric(24)}`;
}
