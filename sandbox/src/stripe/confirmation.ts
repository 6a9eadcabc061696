import type Stripe from "stripe";
import { invalidRequest, resourceMissing } from "./errors.js";
import { activeMandate, createMandate, readMandateData, type CustomerAcceptance } from "./mandates.js";
import type { Params } from "./params.js";
import type { StoredBankAccount, StripeRuntime } from "./state.js";

/**
 * Rules shared by PaymentIntent and SetupIntent confirmation with a `ba_`
 * as payment method: it must be attached to the intent's customer, and a
 * debit needs a mandate (new from `mandate_data`, or the active one).
 */
export interface ConfirmOptions {
  paymentMethod?: string;
  acceptance?: CustomerAcceptance;
  mandate?: string;
  offSession?: boolean;
}

/** Reads `payment_method`, `mandate_data`, `mandate` and `off_session`; the last three need `confirm: true` on create/update. */
export function readConfirmOptions(params: Params, confirming: boolean): ConfirmOptions {
  const paymentMethod = params.string("payment_method");
  const acceptance = readMandateData(params);
  const mandate = params.string("mandate");
  const offSession = readOffSession(params);
  if (!confirming) {
    for (const [param, value] of [["mandate_data", acceptance], ["mandate", mandate], ["off_session", offSession]] as const) {
      if (value !== undefined) {
        throw invalidRequest(`You can only pass \`${param}\` when \`confirm\` is set to \`true\`.`, { param });
      }
    }
  }
  return { paymentMethod, acceptance, mandate, offSession };
}

/**
 * The payment method types an intent accepts. API 2026-10-28 (the SDK's)
 * names the parameter `allowed_payment_method_types`; older versions and
 * raw requests say `payment_method_types`. Both are accepted.
 */
export function readAllowedPaymentMethodTypes(params: Params): string[] | undefined {
  const allowed = params.stringList("allowed_payment_method_types");
  const legacy = params.stringList("payment_method_types");
  if (allowed !== undefined && legacy !== undefined) {
    throw invalidRequest("You may only specify one of these parameters: allowed_payment_method_types, payment_method_types.", { param: "payment_method_types" });
  }
  const types = allowed ?? legacy;
  if (types !== undefined && types.length === 0) {
    throw invalidRequest("allowed_payment_method_types must not be empty.", { param: allowed ? "allowed_payment_method_types" : "payment_method_types" });
  }
  return types;
}

/** The sandbox only debits bank accounts, so that is the default when no types are given. */
export const DEFAULT_PAYMENT_METHOD_TYPES = ["us_bank_account"];

/** `off_session` is a boolean, or "one_off"/"recurring" (both mean true). */
function readOffSession(params: Params): boolean | undefined {
  if (!params.has("off_session")) return undefined;
  const raw = params.string("off_session");
  if (raw === "one_off" || raw === "recurring") return true;
  if (raw === "true" || raw === "false") return raw === "true";
  throw invalidRequest(`Invalid boolean: ${raw}`, { param: "off_session" });
}

export function requireBankPaymentMethod(rt: StripeRuntime, id: string, customer: string | null, paymentMethodTypes: string[]): StoredBankAccount {
  const stored = rt.state.bankAccounts[id];
  if (!stored) throw resourceMissing("PaymentMethod", id, "payment_method");
  if (!paymentMethodTypes.includes("us_bank_account")) {
    throw invalidRequest(
      `The PaymentMethod provided (us_bank_account) is not allowed for this intent. Please attach a PaymentMethod of one of the following types: ${paymentMethodTypes.join(", ")}. Alternatively update the allowed payment_method_types to include "us_bank_account".`,
      { param: "payment_method" },
    );
  }
  const owner = stored.bankAccount.customer;
  if (typeof owner !== "string") {
    throw invalidRequest(
      "The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again.",
      { param: "payment_method" },
    );
  }
  if (customer === null) {
    throw invalidRequest(`The PaymentMethod provided (${id}) belongs to a Customer (${owner}). Please include the Customer in the \`customer\` parameter.`, {
      param: "customer",
    });
  }
  if (owner !== customer) {
    throw invalidRequest(`The PaymentMethod provided (${id}) does not belong to the Customer (${customer}).`, { param: "payment_method" });
  }
  return stored;
}

/** What confirming will do about the mandate, decided before any change. */
export type MandatePlan = { create: CustomerAcceptance } | { reuse: Stripe.Mandate };

export function planMandate(rt: StripeRuntime, bankAccount: StoredBankAccount, options: ConfirmOptions): MandatePlan {
  if (options.mandate !== undefined) {
    const mandate = rt.state.mandates[options.mandate];
    if (!mandate) throw resourceMissing("mandate", options.mandate, "mandate");
    if (mandate.payment_method !== bankAccount.bankAccount.id || mandate.status !== "active") {
      throw invalidRequest(`The mandate ${mandate.id} is not active for the payment method ${bankAccount.bankAccount.id}.`, { param: "mandate" });
    }
    return { reuse: mandate };
  }
  if (options.acceptance) return { create: options.acceptance };
  const existing = activeMandate(rt, bankAccount);
  if (existing) return { reuse: existing };
  throw invalidRequest(
    "This PaymentIntent requires a mandate, but no existing mandate was found. Collect mandate acceptance from the customer and try again, providing acceptance data in the mandate_data parameter.",
    { param: "mandate_data" },
  );
}

export function applyMandatePlan(rt: StripeRuntime, bankAccount: StoredBankAccount, plan: MandatePlan): Stripe.Mandate {
  return "reuse" in plan ? plan.reuse : createMandate(rt, bankAccount, plan.create);
}
