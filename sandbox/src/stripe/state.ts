import type Stripe from "stripe";
import type { SandboxContext } from "../core/context.js";
import { alphanumeric, stripeId } from "../core/ids.js";
import type { IdempotencyRecord } from "./idempotency.js";

/** API version the emulator speaks: the one pinned by the installed stripe SDK (23.1.0). */
export const API_VERSION = "2026-10-28.endive";

/** A bank account and what Stripe knows but never returns (the full number decides ACH outcomes). */
export interface StoredBankAccount {
  bankAccount: Stripe.BankAccount;
  accountNumber: string;
  /** When it was attached (BankAccount has no `created`; PaymentMethod does). */
  created: number;
  /** Multi-use mandate accepted on the first debit or SetupIntent, reused afterwards. */
  mandate: string | null;
  /** Set when Stripe blocks the account after a return (see blocked-accounts.ts); new debits on it fail at once. */
  blocked?: StoredBlock | null;
}

/** Why Stripe blocked a bank account: `PaymentMethod.us_bank_account.status_details.blocked`. */
export interface StoredBlock {
  reason: string;
  network_code: string | null;
}

export interface StoredToken {
  token: Stripe.Token;
  accountNumber: string;
}

export interface StoredCharge {
  charge: Stripe.Charge;
  accountNumber: string;
  /** Epoch ms at which a pending ACH charge settles by itself; null = only on command. */
  settleAt: number | null;
}

export interface StoredWebhookEndpoint {
  endpoint: Stripe.WebhookEndpoint;
  /** Returned by the API only on create, but needed to sign every delivery. */
  secret: string;
}

/**
 * The Stripe namespace of the sandbox store. Objects are kept in their API
 * shape (expandable fields hold ids), so a response is a copy plus expansion.
 * Records keep insertion order, which is creation order (lists reverse it).
 */
export interface StripeState {
  customers: Record<string, Stripe.Customer | Stripe.DeletedCustomer>;
  tokens: Record<string, StoredToken>;
  bankAccounts: Record<string, StoredBankAccount>;
  mandates: Record<string, Stripe.Mandate>;
  setupIntents: Record<string, Stripe.SetupIntent>;
  paymentIntents: Record<string, Stripe.PaymentIntent>;
  charges: Record<string, StoredCharge>;
  refunds: Record<string, Stripe.Refund>;
  /** Epoch ms at which a pending refund settles by itself, by refund id (only while pending). */
  refundSettleAt: Record<string, number>;
  balanceTransactions: Record<string, Stripe.BalanceTransaction>;
  disputes: Record<string, Stripe.Dispute>;
  events: Record<string, Stripe.Event>;
  webhookEndpoints: Record<string, StoredWebhookEndpoint>;
  idempotency: Record<string, IdempotencyRecord>;
}

function emptyState(): StripeState {
  return {
    customers: {},
    tokens: {},
    bankAccounts: {},
    mandates: {},
    setupIntents: {},
    paymentIntents: {},
    charges: {},
    refunds: {},
    refundSettleAt: {},
    balanceTransactions: {},
    disputes: {},
    events: {},
    webhookEndpoints: {},
    idempotency: {},
  };
}

/**
 * Shared handle on the Stripe state. `state` is re-read from the store on
 * every access because a control `reset` replaces the namespace object.
 */
export class StripeRuntime {
  /** Bumped by every mutation; the idempotency layer uses it to tell whether a failed request had side-effects. */
  revision = 0;
  /**
   * The API request being handled, for `event.request`. Handlers run
   * synchronously, so no other request can interleave while it is set.
   */
  currentRequest: Stripe.Event.Request | null = null;

  constructor(readonly context: SandboxContext) {
    const state = context.store.namespace<StripeState>("stripe", emptyState);
    // A state file written before a collection existed gets it empty.
    for (const [key, value] of Object.entries(emptyState())) (state as unknown as Record<string, unknown>)[key] ??= value;
  }

  get state(): StripeState {
    return this.context.store.get<StripeState>("stripe");
  }

  changed(): void {
    this.revision += 1;
    this.context.store.changed();
  }
}

export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}

export function newId(prefix: string): string {
  return stripeId(prefix);
}

export function requestId(): string {
  return `req_${alphanumeric(14)}`;
}

export function isDeletedCustomer(customer: Stripe.Customer | Stripe.DeletedCustomer): customer is Stripe.DeletedCustomer {
  return customer.deleted === true;
}
