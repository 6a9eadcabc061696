import type Stripe from "stripe";
import { resourceMissing } from "./errors.js";
import { isDeletedCustomer, type StoredBankAccount, type StoredCharge, type StripeRuntime } from "./state.js";

/** Lookups that throw Stripe's 404 `resource_missing` ("No such customer: 'cus_x'"). */

export function requireCustomer(rt: StripeRuntime, id: string, param = "customer"): Stripe.Customer {
  const customer = rt.state.customers[id];
  if (!customer || isDeletedCustomer(customer)) throw resourceMissing("customer", id, param);
  return customer;
}

/** A bank account attached to `customer` (Stripe calls it a source). */
export function requireCustomerBankAccount(rt: StripeRuntime, customer: string, id: string, param = "id"): StoredBankAccount {
  const stored = rt.state.bankAccounts[id];
  if (!stored || stored.bankAccount.customer !== customer) throw resourceMissing("source", id, param);
  return stored;
}

export function requirePaymentIntent(rt: StripeRuntime, id: string, param = "intent"): Stripe.PaymentIntent {
  const intent = rt.state.paymentIntents[id];
  if (!intent) throw resourceMissing("payment_intent", id, param);
  return intent;
}

export function requireSetupIntent(rt: StripeRuntime, id: string, param = "intent"): Stripe.SetupIntent {
  const intent = rt.state.setupIntents[id];
  if (!intent) throw resourceMissing("setup_intent", id, param);
  return intent;
}

export function requireCharge(rt: StripeRuntime, id: string, param = "charge"): StoredCharge {
  const stored = rt.state.charges[id];
  if (!stored) throw resourceMissing("charge", id, param);
  return stored;
}

export function requireMandate(rt: StripeRuntime, id: string, param = "mandate"): Stripe.Mandate {
  const mandate = rt.state.mandates[id];
  if (!mandate) throw resourceMissing("mandate", id, param);
  return mandate;
}
