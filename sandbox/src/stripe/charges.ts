import type Stripe from "stripe";
import { recordPayment } from "./balance-transactions.js";
import { refuseIfBlocked } from "./blocked-accounts.js";
import { invalidRequest } from "./errors.js";
import { emitEvent } from "./events.js";
import { newestFirst } from "./list.js";
import { requireCharge, requireCustomer } from "./lookup.js";
import { mergeMetadata } from "./params.js";
import { listRoute, retrieveRoute } from "./resource-routes.js";
import type { Route } from "./router.js";
import type { AchSettlement } from "./settlement.js";
import { newId, unixNow, type StoredBankAccount, type StoredCharge, type StripeRuntime } from "./state.js";

/** Stripe's minimum for USD payments, in cents. */
const MINIMUM_AMOUNT = 50;

/** Checks shared by PaymentIntents and legacy charges before debiting a bank account. */
export function assertDebitable(bankAccount: StoredBankAccount, amount: number, currency: string): void {
  if (currency !== "usd") {
    throw invalidRequest(
      `The currency provided (${currency}) is invalid. Payments with us_bank_account support the following currencies: usd.`,
      {
        param: "currency",
      },
    );
  }
  if (amount < MINIMUM_AMOUNT) {
    throw invalidRequest("Amount must be at least $0.50 usd", { param: "amount", code: "amount_too_small" });
  }
  // A blocked account (`errored`) was verified; its debit is refused later, with Stripe's 402 (blocked-accounts.ts).
  if (bankAccount.bankAccount.status !== "verified" && !bankAccount.blocked) {
    throw invalidRequest("The customer's bank account must be verified in order to create an ACH payment.", {
      param: "source",
      code: "bank_account_unverified",
    });
  }
}

export interface DebitInput {
  amount: number;
  currency: string;
  customer: string | null;
  bankAccount: StoredBankAccount;
  description: string | null;
  metadata: Record<string, string>;
  statementDescriptor: string | null;
  /** Set for PaymentIntent debits (which carry a mandate); null for the legacy Charges API. */
  paymentIntent: { id: string; mandate: string } | null;
}

/** A new ACH charge: `pending` until it settles (see settlement.ts). */
export function createPendingCharge(rt: StripeRuntime, settlement: AchSettlement, input: DebitInput): StoredCharge {
  const ba = input.bankAccount.bankAccount;
  const bankDetails = {
    account_holder_type: ba.account_holder_type as "individual" | "company" | null,
    bank_name: ba.bank_name,
    fingerprint: ba.fingerprint,
    last4: ba.last4,
    routing_number: ba.routing_number,
  };
  const paymentMethodDetails: Stripe.Charge.PaymentMethodDetails = input.paymentIntent
    ? {
        type: "us_bank_account",
        us_bank_account: { ...bankDetails, account_type: ba.account_type, mandate: input.paymentIntent.mandate, payment_reference: null },
      }
    : { type: "ach_debit", ach_debit: { ...bankDetails, country: ba.country } };
  const charge: Stripe.Charge = {
    id: newId("py"),
    object: "charge",
    amount: input.amount,
    amount_captured: input.amount,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: null,
    billing_details: { address: null, email: null, name: ba.account_holder_name, phone: null, tax_id: null },
    calculated_statement_descriptor: input.statementDescriptor ?? "FUNDWELL SANDBOX",
    captured: true,
    created: unixNow(),
    currency: input.currency,
    customer: input.customer,
    description: input.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    fraud_details: {},
    livemode: false,
    metadata: input.metadata,
    on_behalf_of: null,
    outcome: null,
    paid: false,
    payment_intent: input.paymentIntent?.id ?? null,
    payment_method: ba.id,
    payment_method_details: paymentMethodDetails,
    receipt_email: null,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    review: null,
    shipping: null,
    source: structuredClone(ba),
    source_transfer: null,
    statement_descriptor: input.statementDescriptor,
    statement_descriptor_suffix: null,
    status: "pending",
    transfer_data: null,
    transfer_group: null,
  };
  const stored: StoredCharge = { charge, accountNumber: input.bankAccount.accountNumber, settleAt: null };
  // Stripe records the pending credit when it submits the debit to the bank.
  charge.balance_transaction = recordPayment(rt, charge).id;
  rt.state.charges[charge.id] = stored;
  rt.changed();
  emitEvent(rt, "charge.pending", charge);
  settlement.schedule(stored);
  return stored;
}

export function chargeRoutes(rt: StripeRuntime, settlement: AchSettlement): Route[] {
  return [
    {
      // Legacy path: debit a customer's `ba_` source directly (no mandate object).
      method: "POST",
      pattern: "/v1/charges",
      handler: ({ params }) => {
        const amount = params.requiredInteger("amount");
        const currency = params.requiredString("currency").toLowerCase();
        const customerId = params.string("customer");
        const source = params.string("source");
        const description = params.nullableString("description") ?? null;
        const metadata = mergeMetadata({}, params.metadata());
        const statementDescriptor = params.string("statement_descriptor") ?? null;
        params.finish();
        if (customerId === undefined) {
          throw invalidRequest("Bank account payments require a customer: pass `customer` with the `ba_` source attached to it.", {
            param: "customer",
            code: "parameter_missing",
          });
        }
        const customer = requireCustomer(rt, customerId);
        const sourceId = source ?? (typeof customer.default_source === "string" ? customer.default_source : undefined);
        if (sourceId === undefined)
          throw invalidRequest("Cannot charge a customer that has no active bank account", { param: "source", code: "missing" });
        const bankAccount = rt.state.bankAccounts[sourceId];
        if (!bankAccount || bankAccount.bankAccount.customer !== customer.id) {
          throw invalidRequest(`Customer ${customer.id} does not have a linked source with ID ${sourceId}.`, {
            param: "source",
            code: "missing",
          });
        }
        assertDebitable(bankAccount, amount, currency);
        refuseIfBlocked(rt, bankAccount, null);
        return createPendingCharge(rt, settlement, {
          amount,
          currency,
          customer: customer.id,
          bankAccount,
          description,
          metadata,
          statementDescriptor,
          paymentIntent: null,
        }).charge;
      },
    },
    retrieveRoute("/v1/charges/:id", (path) => requireCharge(rt, path.id!, "id").charge),
    {
      method: "POST",
      pattern: "/v1/charges/:id",
      handler: ({ params, path }) => {
        const { charge } = requireCharge(rt, path.id!, "id");
        const description = params.nullableString("description");
        const metadata = params.metadata();
        params.finish();
        const previous: Partial<Stripe.Charge> = { description: charge.description, metadata: charge.metadata };
        if (description !== undefined) charge.description = description;
        charge.metadata = mergeMetadata(charge.metadata, metadata);
        rt.changed();
        emitEvent(rt, "charge.updated", charge, previous);
        return charge;
      },
    },
    listRoute("/v1/charges", (params) => {
      const customer = params.string("customer");
      const paymentIntent = params.string("payment_intent");
      return newestFirst(rt.state.charges)
        .map((s) => s.charge)
        .filter(
          (c) => (customer === undefined || c.customer === customer) && (paymentIntent === undefined || c.payment_intent === paymentIntent),
        );
    }),
  ];
}
