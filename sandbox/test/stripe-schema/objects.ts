import type Stripe from "stripe";

/**
 * The SDK types the Stripe emulator's answers are checked against, by the
 * `object` field of each returned object. The schema is generated from these
 * at test time (generate.ts), so it follows the API version the SDK pins.
 * An object type the emulator starts returning must be added here.
 */
export interface StripeObjectTypes {
  balance: Stripe.Balance;
  balance_transaction: Stripe.BalanceTransaction;
  bank_account: Stripe.BankAccount | Stripe.DeletedBankAccount;
  charge: Stripe.Charge;
  customer: Stripe.Customer | Stripe.DeletedCustomer;
  dispute: Stripe.Dispute;
  event: Stripe.EventBase;
  mandate: Stripe.Mandate;
  payment_intent: Stripe.PaymentIntent;
  payment_method: Stripe.PaymentMethod;
  refund: Stripe.Refund;
  setup_intent: Stripe.SetupIntent;
  token: Stripe.Token;
  webhook_endpoint: Stripe.WebhookEndpoint | Stripe.DeletedWebhookEndpoint;
}

/** The `error` of Stripe's error answers. */
export type StripeError = Stripe.StripeRawError;
