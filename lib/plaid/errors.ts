import "server-only";
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
  if (plaidError)
    return { code: plaidError.error_code, message: plaidError.error_message, displayMessage: plaidError.display_message ?? null };
  const code = (err as { code?: unknown } | null)?.code;
  return { code: typeof code === "string" ? code : "NETWORK_ERROR", message: "Plaid could not be reached", displayMessage: null };
}

/** INSTITUTION_ERROR codes that say "not now" rather than "never" (INSTITUTION_NO_LONGER_SUPPORTED, …). */
const TRANSIENT_INSTITUTION_CODES = new Set(["INSTITUTION_DOWN", "INSTITUTION_NOT_RESPONDING", "INSTITUTION_NOT_AVAILABLE"]);

/**
 * Whether retrying the same Plaid call later may succeed: no answer
 * (network, timeout), Plaid's own failure (API_ERROR, 5xx), rate limiting,
 * or the bank being down for now. The one rule for every Plaid call site.
 */
export function isTransientPlaidError(err: unknown): boolean {
  const plaidError = plaidErrorOf(err);
  if (!plaidError) return true;
  if (plaidError.error_type === "API_ERROR" || plaidError.error_type === "RATE_LIMIT_EXCEEDED") return true;
  if (TRANSIENT_INSTITUTION_CODES.has(plaidError.error_code)) return true;
  const status = (err as { response?: { status?: number } }).response?.status ?? 0;
  return status >= 500 || status === 429;
}
