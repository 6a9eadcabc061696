import type Stripe from "stripe";
import { ACH_RETURNS, type AchFailureCode } from "./ach.js";
import { paymentMethodView } from "./bank-accounts.js";
import { StripeApiError } from "./errors.js";
import { emitEvent } from "./events.js";
import type { StoredBankAccount, StripeRuntime } from "./state.js";

/**
 * Stripe's blocked bank accounts (docs: ACH Direct Debit, "Blocked bank
 * accounts"): after a return for any reason but insufficient funds, or a
 * second dispute, NACHA rules make Stripe block the account. A debit on it
 * then fails at once: confirming answers HTTP 402 `bank_account_unusable`
 * and the PaymentIntent records the failed attempt. The block shows on the
 * account (`status: "errored"` on the `ba_`, `status_details.blocked` on its
 * payment method view) and is never lifted in the sandbox.
 */

/** The return codes Stripe lists as `status_details.blocked.network_code`. */
const BLOCK_NETWORK_CODES = new Set(["R02", "R03", "R04", "R05", "R07", "R08", "R10", "R11", "R16", "R20", "R29", "R31"]);

const UNUSABLE_MESSAGE = "The bank account provided cannot be used. A different bank account must be used.";

/** Blocks the account after a return, unless it was for insufficient funds (Stripe never blocks for those). */
export function blockAfterReturn(rt: StripeRuntime, bankAccount: StoredBankAccount, code: AchFailureCode, returnCode: string | null): void {
  if (code === "insufficient_funds") return;
  const networkCode = returnCode ?? ACH_RETURNS[code].returnCode;
  block(rt, bankAccount, {
    reason: ACH_RETURNS[code].declineCode,
    network_code: networkCode !== null && BLOCK_NETWORK_CODES.has(networkCode) ? networkCode : null,
  });
}

/** A second dispute on the same account blocks it (the first only revokes the mandate). */
export function blockAfterDisputes(rt: StripeRuntime, bankAccount: StoredBankAccount): void {
  const id = bankAccount.bankAccount.id;
  const disputes = Object.values(rt.state.disputes).filter(
    (d) => typeof d.charge === "string" && rt.state.charges[d.charge]?.charge.payment_method === id,
  );
  if (disputes.length >= 2) block(rt, bankAccount, { reason: "debit_not_authorized", network_code: "R10" });
}

function block(rt: StripeRuntime, bankAccount: StoredBankAccount, details: { reason: string; network_code: string | null }): void {
  if (bankAccount.blocked) return;
  const previousStatus = bankAccount.bankAccount.status;
  bankAccount.blocked = details;
  bankAccount.bankAccount.status = "errored";
  rt.changed();
  if (typeof bankAccount.bankAccount.customer === "string") {
    emitEvent(rt, "customer.source.updated", bankAccount.bankAccount, { status: previousStatus });
  }
}

/** Confirming a SetupIntent with a blocked account fails the same way (`setup_intent.setup_failed`, `last_setup_error`). */
export function refuseSetupIfBlocked(rt: StripeRuntime, bankAccount: StoredBankAccount, intent: Stripe.SetupIntent): void {
  if (!bankAccount.blocked) return;
  const paymentMethod = paymentMethodView(rt, bankAccount.bankAccount.id);
  intent.last_setup_error = { ...unusable(paymentMethod), payment_method_type: "us_bank_account" };
  intent.payment_method = null;
  intent.status = "requires_payment_method";
  rt.changed();
  emitEvent(rt, "setup_intent.setup_failed", intent);
  throw new StripeApiError(402, { ...unusable(paymentMethod), setup_intent: structuredClone(intent) });
}

/**
 * Refuses a debit on a blocked account. With a PaymentIntent, the intent
 * records the failed attempt first (`requires_payment_method`,
 * `last_payment_error`, `payment_intent.payment_failed`), and the error
 * carries it, as Stripe's confirmation errors do.
 */
export function refuseIfBlocked(rt: StripeRuntime, bankAccount: StoredBankAccount, intent: Stripe.PaymentIntent | null): void {
  if (!bankAccount.blocked) return;
  const paymentMethod = paymentMethodView(rt, bankAccount.bankAccount.id);
  if (intent) {
    intent.last_payment_error = { ...unusable(paymentMethod), payment_method_type: "us_bank_account" };
    intent.payment_method = null;
    intent.status = "requires_payment_method";
    rt.changed();
    emitEvent(rt, "payment_intent.payment_failed", intent);
  }
  throw new StripeApiError(402, { ...unusable(paymentMethod), ...(intent ? { payment_intent: structuredClone(intent) } : {}) });
}

/** Stripe's error for a blocked account: the same fields on the intent's last error and on the 402 body. */
function unusable(paymentMethod: Stripe.PaymentMethod | null | undefined) {
  return {
    type: "card_error" as const,
    code: "bank_account_unusable",
    message: UNUSABLE_MESSAGE,
    ...(paymentMethod ? { payment_method: paymentMethod } : {}),
  };
}
