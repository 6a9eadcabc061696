import type Stripe from "stripe";
import { resourceMissing } from "./errors.js";
import { isDeletedCustomer, type StoredBankAccount, type StoredCharge, type StripeRuntime } from "./state.js";

/** Lookups that throw Stripe's 404 `resource_missing` ("No such customer: 'cus_x'"). */

export function requireRecord<T>(records: Record<string, T>, noun: string, id: string, param: string): T {
  const record = records[id];
  if (!record) throw resourceMissing(noun, id, param);
  return record;
}

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
  return requireRecord(rt.state.paymentIntents, "payment_intent", id, param);
}

export function requireSetupIntent(rt: StripeRuntime, id: string, param = "intent"): Stripe.SetupIntent {
  return requireRecord(rt.state.setupIntents, "setup_intent", id, param);
}

export function requireCharge(rt: StripeRuntime, id: string, param = "charge"): StoredCharge {
  return requireRecord(rt.state.charges, "charge", id, param);
}

export function requireMandate(rt: StripeRuntime, id: string, param = "mandate"): Stripe.Mandate {
  return requireRecord(rt.state.mandates, "mandate", id, param);
}
