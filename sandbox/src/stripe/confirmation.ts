import type Stripe from "stripe";
import { invalidRequest, resourceMissing, type StripeApiError } from "./errors.js";
import { requireMandate } from "./lookup.js";
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
    for (const [param, value] of [
      ["mandate_data", acceptance],
      ["mandate", mandate],
      ["off_session", offSession],
    ] as const) {
      if (value !== undefined) {
        throw invalidRequest(`You can only pass \`${param}\` when \`confirm\` is set to \`true\`.`, { param });
      }
    }
  }
  return { paymentMethod, acceptance, mandate, offSession };
}

/**
 * The payment method types an intent accepts, `allowed_payment_method_types`.
 * Since 2026-08-26 (so under the SDK's pinned 2026-10-28.endive) Stripe no
 * longer accepts `payment_method_types` on create, update or confirm of
 * either intent: it answers 400 `payment_method_types_no_longer_supported`
 * (the field stays on the object, read-only).
 */
export function readAllowedPaymentMethodTypes(params: Params): string[] | undefined {
  if (params.has("payment_method_types")) {
    throw invalidRequest(
      "The `payment_method_types` parameter is no longer supported in this API version. Use `allowed_payment_method_types` to limit the payment methods this intent can use.",
      { param: "payment_method_types", code: "payment_method_types_no_longer_supported" },
    );
  }
  const types = params.stringList("allowed_payment_method_types");
  if (types !== undefined && types.length === 0) {
    throw invalidRequest("allowed_payment_method_types must not be empty.", { param: "allowed_payment_method_types" });
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

export function requireBankPaymentMethod(
  rt: StripeRuntime,
  id: string,
  customer: string | null,
  paymentMethodTypes: string[],
): StoredBankAccount {
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
    throw invalidRequest(
      `The PaymentMethod provided (${id}) belongs to a Customer (${owner}). Please include the Customer in the \`customer\` parameter.`,
      {
        param: "customer",
      },
    );
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
    const mandate = requireMandate(rt, options.mandate, "mandate");
    if (mandate.payment_method !== bankAccount.bankAccount.id || mandate.status !== "active") {
      throw invalidRequest(`The mandate ${mandate.id} is not active for the payment method ${bankAccount.bankAccount.id}.`, {
        param: "mandate",
      });
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

/** The statuses from which either intent type can be confirmed. */
export const CONFIRMABLE: readonly string[] = ["requires_payment_method", "requires_confirmation"];

/** What confirming will do, decided before any change. */
export interface ConfirmPlan {
  bankAccount: StoredBankAccount;
  mandate: MandatePlan;
}

/** What differs between PaymentIntent and SetupIntent confirmation. */
export interface ConfirmRules {
  missingPaymentMethod: () => StripeApiError;
  /** The intent type's own rule for the bank account, checked before the mandate. */
  checkBankAccount: (bankAccount: StoredBankAccount) => void;
}

type ConfirmableIntent = Pick<Stripe.SetupIntent, "customer" | "payment_method" | "payment_method_types">;

/** Every check of a confirmation, done before anything changes (so a 4xx leaves no trace). */
export function planConfirmation(rt: StripeRuntime, intent: ConfirmableIntent, options: ConfirmOptions, rules: ConfirmRules): ConfirmPlan {
  const paymentMethod = options.paymentMethod ?? (typeof intent.payment_method === "string" ? intent.payment_method : undefined);
  if (paymentMethod === undefined) throw rules.missingPaymentMethod();
  const customer = typeof intent.customer === "string" ? intent.customer : null;
  const bankAccount = requireBankPaymentMethod(rt, paymentMethod, customer, intent.payment_method_types);
  rules.checkBankAccount(bankAccount);
  return { bankAccount, mandate: planMandate(rt, bankAccount, options) };
}

/** The create parameters both intent types share, read in this order. */
export interface IntentCreateParams {
  customer: string | undefined;
  allowedTypes: string[] | undefined;
  paymentMethodTypes: string[];
  confirm: boolean;
  options: ConfirmOptions;
}

export function readIntentCreateParams(params: Params): IntentCreateParams {
  const customer = params.string("customer");
  const allowedTypes = readAllowedPaymentMethodTypes(params);
  const paymentMethodTypes = allowedTypes ?? [...DEFAULT_PAYMENT_METHOD_TYPES];
  const confirm = params.boolean("confirm") ?? false;
  const options = readConfirmOptions(params, confirm);
  return { customer, allowedTypes, paymentMethodTypes, confirm, options };
}

/** On create, a payment method is checked even without `confirm`; with it, the confirmation is planned. */
export function planCreateConfirmation(
  rt: StripeRuntime,
  intent: ConfirmableIntent,
  create: IntentCreateParams,
  rules: ConfirmRules,
): ConfirmPlan | undefined {
  if (!create.confirm) {
    if (create.options.paymentMethod !== undefined) {
      requireBankPaymentMethod(rt, create.options.paymentMethod, create.customer ?? null, create.paymentMethodTypes);
    }
    return undefined;
  }
  return planConfirmation(rt, intent, create.options, rules);
}

/** The body of `POST /v1/<intents>/:intent/confirm` (the caller reads its own extra parameters first). */
export function readConfirmRequest(params: Params): ConfirmOptions & { allowedTypes: string[] | undefined } {
  const allowedTypes = readAllowedPaymentMethodTypes(params);
  const options = readConfirmOptions(params, true);
  params.string("return_url");
  params.finish();
  return { ...options, allowedTypes };
}

/** `allowed_payment_method_types` given on confirm replaces the intent's (Stripe accepts it there too). */
export function applyAllowedTypes<T extends { allowed_payment_method_types: unknown; payment_method_types: string[] }>(
  intent: T,
  types: string[] | undefined,
): void {
  if (types === undefined) return;
  intent.allowed_payment_method_types = types as T["allowed_payment_method_types"];
  intent.payment_method_types = types;
}

export function applyMandatePlan(rt: StripeRuntime, bankAccount: StoredBankAccount, plan: MandatePlan): Stripe.Mandate {
  return "reuse" in plan ? plan.reuse : createMandate(rt, bankAccount, plan.create);
}
