/**
 * The app's error type: an HTTP status, a stable code and the message a
 * person sees. Route wrappers (lib/http/route.ts) turn it into
 * `{ error: { message, code } }`; the browser matches on `ErrorCode`
 * (imported as a type only), never on message text.
 */
export type AppErrorCode =
  | "SIGNED_OUT"
  | "NOT_FOUND"
  | "UPSTREAM_UNAVAILABLE"
  | "TRANSFER_CONFIRMING"
  // request bodies (lib/http/body.ts)
  | "BODY_TOO_LARGE"
  // funding
  | "AMOUNT_TOO_SMALL"
  | "AMOUNT_TOO_LARGE"
  | "DAILY_LIMIT"
  | "THIRTY_DAY_LIMIT"
  | "ACCOUNT_BLOCKED"
  | "ACCOUNT_UNUSABLE"
  | "ACCOUNT_NOT_ACTIVE"
  | "ACCOUNT_UNDER_REVIEW"
  | "MANDATE_REQUIRED"
  | "INSUFFICIENT_BALANCE"
  | "REQUEST_REUSED"
  | "PAYMENT_REJECTED"
  // linking
  | "ACCOUNT_NOT_ELIGIBLE"
  | "SINGLE_ACCOUNT_REQUIRED"
  | "INVALID_PUBLIC_TOKEN"
  | "INVALID_ACCOUNT_ID"
  | "DUPLICATE_ACCOUNT"
  | "ITEM_REMOVED"
  | "ITEM_NOT_RECONNECTABLE"
  | "LINK_FAILED"
  | "STRIPE_REJECTED"
  | "PLAID_ERROR"
  // account
  | "PASSWORD_NOT_SET"
  | "WRONG_PASSWORD"
  | "INVALID_RESET_LINK"
  | "INVALID_VERIFICATION_LINK"
  | "EMAIL_NOT_VERIFIED"
  | "TOO_MANY_REQUESTS"
  // two-factor (lib/auth/two-factor.ts)
  | "SECOND_FACTOR_REQUIRED"
  | "INVALID_CODE"
  | "TWO_FACTOR_ALREADY_ON"
  | "TWO_FACTOR_OFF"
  | "TWO_FACTOR_REQUIRED"
  | "STEP_UP_REQUIRED"
  // admin
  | "CANNOT_DISABLE_SELF"
  | "REASON_REQUIRED"
  | "NOT_REFUNDABLE"
  | "REFUND_REJECTED";

/** A provider's own code passed on to the caller as it is (Plaid's `error_code`, Stripe's `code`). */
export type ProviderErrorCode = string & { readonly __provider: true };

export type ErrorCode = AppErrorCode | ProviderErrorCode;

/** Marks a code that comes from Plaid or Stripe rather than from the app. */
export const providerCode = (code: string): ProviderErrorCode => code as ProviderErrorCode;

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    /** For a 429 or 503: when to try again (the route wrappers send it as Retry-After). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "AppError";
  }
}

/** A limit was reached: 429 with Retry-After, and `what` plus when to try again in words. */
export function tooManyRequests(what: string, until: Date, now = new Date()): AppError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  const minutes = Math.ceil(seconds / 60);
  const when = seconds < 60 ? `${seconds} second${seconds === 1 ? "" : "s"}` : `${minutes} minute${minutes === 1 ? "" : "s"}`;
  return new AppError(429, "TOO_MANY_REQUESTS", `${what} Try again in ${when}.`, seconds);
}

/** The actor a hot path confirmed in SQL (lib/auth/actor.ts) may no longer act: disabled, or signed out everywhere. */
export const signedOut = () => new AppError(401, "SIGNED_OUT", "Please sign in.");
export const notFound = (what: string) => new AppError(404, "NOT_FOUND", `${what} not found.`);
export const upstreamUnavailable = (who: "bank" | "payment processor") =>
  new AppError(502, "UPSTREAM_UNAVAILABLE", `We couldn't reach your ${who} just now. Please try again in a moment.`);

/**
 * Stripe has (or may be taking) the debit, but its answer could not be
 * written down yet (the database failed after the call, or a twin request
 * still holds the idempotency key). Retryable: the same request id finds the
 * payment again, and reconciliation finishes it meanwhile. Never "unreachable".
 */
export const transferConfirming = () =>
  new AppError(
    503,
    "TRANSFER_CONFIRMING",
    "We're confirming your transfer with the payment processor. Please check again in a moment; it will not be taken twice.",
    2,
  );
