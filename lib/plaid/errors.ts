import type { PlaidError } from "plaid";

/**
 * The PlaidError body of a failed SDK call, or null for network failures.
 * The SDK throws axios errors whose `config` holds the request (and so the
 * access token): never log or rethrow those as they are; use this instead.
 */
export function plaidErrorOf(err: unknown): PlaidError | null {
  const data = (err as { response?: { data?: unknown } } | null)?.response?.data;
  if (data && typeof data === "object" && "error_code" in data && "error_type" in data) return data as PlaidError;
  return null;
}

/** A safe one-line description of a Plaid failure (no tokens, no request config). */
export function describePlaidFailure(err: unknown): { code: string; message: string; displayMessage: string | null } {
  const plaidError = plaidErrorOf(err);
  if (plaidError) return { code: plaidError.error_code, message: plaidError.error_message, displayMessage: plaidError.display_message ?? null };
  const code = (err as { code?: unknown } | null)?.code;
  return { code: typeof code === "string" ? code : "NETWORK_ERROR", message: "Plaid could not be reached", displayMessage: null };
}
