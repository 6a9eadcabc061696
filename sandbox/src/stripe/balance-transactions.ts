import type Stripe from "stripe";
import { readCreatedFilter } from "./created-filter.js";
import { newestFirst } from "./list.js";
import { requireRecord } from "./lookup.js";
import { retrieveRoute, listRoute } from "./resource-routes.js";
import type { Route } from "./router.js";
import { newId, unixNow, type StripeRuntime } from "./state.js";

/**
 * Balance transactions: every movement of the account's Stripe balance,
 * created when money moves (an ACH debit submitted, a refund, a failure, a
 * dispute) and shown on the object that moved it (`balance_transaction`,
 * `failure_balance_transaction`, a dispute's `balance_transactions`).
 */

/**
 * Stripe's ACH Direct Debit pricing (stripe.com/pricing/local-payment-methods,
 * "ACH Direct Debit"): 0.8% of the amount, capped at $5.00, and $15.00 for a
 * dispute.
 */
const ACH_FEE_RATE = 0.008;
const ACH_FEE_CAP = 500;
export const ACH_DISPUTE_FEE = 1500;

/** Funds of an ACH debit become available 4 (business) days after it is submitted, Stripe's standard ACH timing. */
const ACH_AVAILABLE_AFTER_S = 4 * 24 * 60 * 60;

export function achFee(amount: number): number {
  return Math.min(Math.round(amount * ACH_FEE_RATE), ACH_FEE_CAP);
}

interface Movement {
  amount: number;
  currency: string;
  /** Positive when assessed; negative when a fee is given back. */
  fee?: number;
  feeDescription?: string;
  type: Stripe.BalanceTransaction.Type;
  reportingCategory: string;
  /** The object that moved the money (charge, refund, dispute id). */
  source: string;
  description: string | null;
  /** Money in waits until the debit settles; money out leaves the available balance at once. */
  status: "pending" | "available";
}

export function recordBalanceTransaction(rt: StripeRuntime, movement: Movement): Stripe.BalanceTransaction {
  const created = unixNow();
  const fee = movement.fee ?? 0;
  const txn: Stripe.BalanceTransaction = {
    id: newId("txn"),
    object: "balance_transaction",
    amount: movement.amount,
    available_on: movement.status === "pending" ? created + ACH_AVAILABLE_AFTER_S : created,
    balance_type: "payments",
    created,
    currency: movement.currency,
    description: movement.description,
    exchange_rate: null,
    fee,
    fee_details:
      fee === 0
        ? []
        : [
            {
              amount: fee,
              application: null,
              currency: movement.currency,
              description: movement.feeDescription ?? "Stripe processing fees",
              type: "stripe_fee",
            },
          ],
    net: movement.amount - fee,
    reporting_category: movement.reportingCategory,
    source: movement.source,
    status: movement.status,
    type: movement.type,
  };
  rt.state.balanceTransactions[txn.id] = txn;
  rt.changed();
  return txn;
}

/** The submitted ACH debit's pending credit, net of Stripe's fee. */
export function recordPayment(rt: StripeRuntime, charge: Stripe.Charge): Stripe.BalanceTransaction {
  return recordBalanceTransaction(rt, {
    amount: charge.amount,
    currency: charge.currency,
    fee: achFee(charge.amount),
    type: "payment",
    reportingCategory: "charge",
    source: charge.id,
    description: charge.description,
    status: "pending",
  });
}

/**
 * The settled debit's funds are available. In the sandbox settling stands
 * for the days passing, so `available_on` moves up to now if it was later.
 */
export function makeAvailable(rt: StripeRuntime, id: string | null): void {
  const txn = id === null ? undefined : rt.state.balanceTransactions[id];
  if (!txn || txn.status === "available") return;
  txn.status = "available";
  txn.available_on = Math.min(txn.available_on, unixNow());
  rt.changed();
}

/** A returned debit: its credit is reversed, fee included (type `payment_failure_refund`). */
export function recordPaymentFailure(rt: StripeRuntime, charge: Stripe.Charge): Stripe.BalanceTransaction {
  const original = typeof charge.balance_transaction === "string" ? rt.state.balanceTransactions[charge.balance_transaction] : undefined;
  makeAvailable(rt, original?.id ?? null);
  return recordBalanceTransaction(rt, {
    amount: -charge.amount,
    currency: charge.currency,
    fee: -(original?.fee ?? 0),
    type: "payment_failure_refund",
    reportingCategory: "charge_failure",
    source: charge.id,
    description: null,
    status: "available",
  });
}

/** Lists newest first; `source`, `type`, `currency`, `created` and `payout` filter (no payouts exist, so `payout` matches none). */
export function balanceTransactionRoutes(rt: StripeRuntime): Route[] {
  return [
    retrieveRoute("/v1/balance_transactions/:id", (path) =>
      requireRecord(rt.state.balanceTransactions, "balance transaction", path.id!, "id"),
    ),
    listRoute("/v1/balance_transactions", (params) => {
      const source = params.string("source");
      const type = params.string("type");
      const currency = params.string("currency")?.toLowerCase();
      const payout = params.string("payout");
      const created = readCreatedFilter(params);
      if (payout !== undefined) return [];
      return newestFirst(rt.state.balanceTransactions).filter(
        (t) =>
          (source === undefined || t.source === source) &&
          (type === undefined || t.type === type) &&
          (currency === undefined || t.currency === currency) &&
          created(t.created),
      );
    }),
    retrieveRoute("/v1/balance", () => balance(rt)),
  ];
}

/** The account's balance: the net of every balance transaction, available or pending, by currency. */
function balance(rt: StripeRuntime): Stripe.Balance {
  const totals = new Map<string, { available: number; pending: number }>([["usd", { available: 0, pending: 0 }]]);
  for (const txn of Object.values(rt.state.balanceTransactions)) {
    const total = totals.get(txn.currency) ?? { available: 0, pending: 0 };
    if (txn.status === "available") total.available += txn.net;
    else total.pending += txn.net;
    totals.set(txn.currency, total);
  }
  const entries = [...totals.entries()];
  return {
    object: "balance",
    available: entries.map(([currency, t]) => ({ amount: t.available, currency, source_types: { bank_account: t.available } })),
    livemode: false,
    pending: entries.map(([currency, t]) => ({ amount: t.pending, currency, source_types: { bank_account: t.pending } })),
  };
}
