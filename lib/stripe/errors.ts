import Stripe from "stripe";

/** A safe description of a Stripe failure for logs and link attempts. */
export function describeStripeFailure(err: unknown): { code: string; message: string } {
  if (err instanceof Stripe.errors.StripeError) return { code: err.code ?? err.type, message: err.message };
  return { code: "STRIPE_UNREACHABLE", message: "Stripe could not be reached" };
}
