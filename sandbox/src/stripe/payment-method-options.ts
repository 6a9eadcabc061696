import type Stripe from "stripe";
import type { Params } from "./params.js";

type UsBankAccountOptions = Stripe.PaymentIntent.PaymentMethodOptions.UsBankAccount;

/**
 * `payment_method_options[us_bank_account]` on PaymentIntent create, update
 * and confirm, as the pinned version's params types have it. What the
 * PaymentIntent object shows back is kept; `networks` and
 * `financial_connections` only steer flows the sandbox does not emulate
 * (wires, Financial Connections), so they are accepted and not shown.
 */
export function readPaymentMethodOptions(params: Params): Stripe.PaymentIntent.PaymentMethodOptions | undefined {
  const options = params.object("payment_method_options");
  if (!options) return undefined;
  const bank = options.object("us_bank_account");
  if (!bank) return {};
  const out: UsBankAccountOptions = {};
  const setupFutureUsage = bank.enumeration("setup_future_usage", ["", "none", "off_session", "on_session"] as const);
  if (setupFutureUsage) out.setup_future_usage = setupFutureUsage;
  const verification = bank.enumeration("verification_method", ["automatic", "instant", "microdeposits"] as const);
  if (verification) out.verification_method = verification;
  const targetDate = bank.string("target_date");
  if (targetDate !== undefined) out.target_date = targetDate;
  const purpose = bank.enumeration("transaction_purpose", ["", "goods", "other", "services", "unspecified"] as const);
  if (purpose) out.transaction_purpose = purpose;
  const mandateOptions = bank.object("mandate_options");
  if (mandateOptions) {
    const collection = mandateOptions.enumeration("collection_method", ["", "paper"] as const);
    out.mandate_options = collection ? { collection_method: collection } : {};
  }
  bank.object("networks")?.enumerationList("requested", ["ach", "us_domestic_wire"] as const);
  const connections = bank.object("financial_connections");
  if (connections) {
    connections.enumerationList("permissions", ["balances", "ownership", "payment_method", "transactions"] as const);
    connections.enumerationList("prefetch", ["balances", "ownership", "transactions"] as const);
    connections.string("return_url");
    connections.object("filters")?.enumerationList("account_subcategories", ["checking", "savings"] as const);
  }
  return { us_bank_account: out };
}
