import "server-only";
import Stripe from "stripe";

/**
 * Whether retrying the same Stripe call later may succeed: no answer
 * (network, timeout), Stripe's own 5xx, rate limiting, or the same
 * idempotency key still in use by a concurrent request. The one rule for
 * every Stripe call site.
 */
export function isTransientStripeError(err: unknown): boolean {
  if (!(err instanceof Stripe.errors.StripeError)) return false;
  if (
    err instanceof Stripe.errors.StripeConnectionError ||
    err instanceof Stripe.errors.StripeAPIError ||
    err instanceof Stripe.errors.StripeRateLimitError
  ) {
    return true;
  }
  if (err.code === "idempotency_key_in_use" || err.code === "lock_timeout" || err.code === "rate_limit") return true;
  return (err.statusCode ?? 0) >= 500 || err.statusCode === 429;
}

/** Stripe answered and refused the request itself (invalid request, declined): retrying the same call cannot succeed. */
export function isStripeRefusal(err: unknown): err is Stripe.errors.StripeInvalidRequestError | Stripe.errors.StripeCardError {
  return (
    (err instanceof Stripe.errors.StripeInvalidRequestError || err instanceof Stripe.errors.StripeCardError) && !isTransientStripeError(err)
  );
}

/** Stripe's error code, if the value is one of Stripe's errors. */
export function stripeErrorCode(err: unknown): string | undefined {
  return err instanceof Stripe.errors.StripeError ? err.code : undefined;
}
