import type Stripe from "stripe";
import { alphanumeric } from "../core/ids.js";
import {
  applyMandatePlan,
  DEFAULT_PAYMENT_METHOD_TYPES,
  planMandate,
  readAllowedPaymentMethodTypes,
  readConfirmOptions,
  requireBankPaymentMethod,
  type ConfirmOptions,
  type MandatePlan,
} from "./confirmation.js";
import { invalidRequest } from "./errors.js";
import { emitEvent } from "./events.js";
import { newestFirst, paginate } from "./list.js";
import { requireCustomer, requireSetupIntent } from "./lookup.js";
import { mergeMetadata } from "./params.js";
import type { Route } from "./router.js";
import { newId, unixNow, type StoredBankAccount, type StripeRuntime } from "./state.js";

const CONFIRMABLE: readonly string[] = ["requires_payment_method", "requires_confirmation"];
const CANCELABLE: readonly string[] = ["requires_payment_method", "requires_confirmation", "requires_action"];

interface SetupPlan {
  bankAccount: StoredBankAccount;
  mandate: MandatePlan;
}

/** A verified `ba_` needs no further verification: confirming only records the mandate. */
function planSetup(rt: StripeRuntime, intent: Stripe.SetupIntent, options: ConfirmOptions): SetupPlan {
  const paymentMethod = options.paymentMethod ?? (typeof intent.payment_method === "string" ? intent.payment_method : undefined);
  if (paymentMethod === undefined) {
    throw invalidRequest("You cannot confirm this SetupIntent because it's missing a payment method.", {
      code: "setup_intent_unexpected_state",
      param: "payment_method",
    });
  }
  const customer = typeof intent.customer === "string" ? intent.customer : null;
  const bankAccount = requireBankPaymentMethod(rt, paymentMethod, customer, intent.payment_method_types);
  if (bankAccount.bankAccount.status !== "verified") {
    throw invalidRequest("The customer's bank account must be verified in order to set it up for payments.", { param: "payment_method" });
  }
  return { bankAccount, mandate: planMandate(rt, bankAccount, options) };
}

function applySetup(rt: StripeRuntime, intent: Stripe.SetupIntent, plan: SetupPlan): void {
  const mandate = applyMandatePlan(rt, plan.bankAccount, plan.mandate);
  const previousStatus = intent.status;
  intent.payment_method = plan.bankAccount.bankAccount.id;
  intent.mandate = mandate.id;
  intent.last_setup_error = null;
  intent.status = "succeeded";
  rt.changed();
  emitEvent(rt, "setup_intent.succeeded", intent, { status: previousStatus });
}

function unexpectedState(action: "confirm" | "cancel", intent: Stripe.SetupIntent, allowed: readonly string[]) {
  return invalidRequest(`You cannot ${action} this SetupIntent because it has a status of ${intent.status}. Allowed statuses: ${allowed.join(", ")}.`, {
    code: "setup_intent_unexpected_state",
  });
}

export function setupIntentRoutes(rt: StripeRuntime): Route[] {
  return [
    {
      method: "POST",
      pattern: "/v1/setup_intents",
      handler: ({ params }) => {
        const customer = params.string("customer");
        const allowedTypes = readAllowedPaymentMethodTypes(params);
        const paymentMethodTypes = allowedTypes ?? [...DEFAULT_PAYMENT_METHOD_TYPES];
        const confirm = params.boolean("confirm") ?? false;
        const options = readConfirmOptions(params, confirm);
        const usage = params.enumeration("usage", ["off_session", "on_session"] as const) ?? "off_session";
        const description = params.nullableString("description") ?? null;
        const metadata = mergeMetadata({}, params.metadata());
        params.finish();
        if (customer !== undefined) requireCustomer(rt, customer);

        const id = newId("seti");
        const intent: Stripe.SetupIntent = {
          id,
          object: "setup_intent",
          allowed_payment_method_types: allowedTypes ?? null,
          application: null,
          automatic_payment_methods: null,
          cancellation_reason: null,
          client_secret: `${id}_secret_${alphanumeric(25)}`,
          created: unixNow(),
          customer: customer ?? null,
          description,
          excluded_payment_method_types: null,
          last_setup_error: null,
          latest_attempt: null,
          livemode: false,
          mandate: null,
          metadata,
          next_action: null,
          on_behalf_of: null,
          payment_method: options.paymentMethod ?? null,
          payment_method_configuration_details: null,
          payment_method_options: null,
          payment_method_types: paymentMethodTypes,
          single_use_mandate: null,
          status: options.paymentMethod ? "requires_confirmation" : "requires_payment_method",
          usage,
        };
        if (options.paymentMethod !== undefined && !confirm) {
          requireBankPaymentMethod(rt, options.paymentMethod, customer ?? null, paymentMethodTypes);
        }
        const plan = confirm ? planSetup(rt, intent, options) : undefined;

        rt.state.setupIntents[id] = intent;
        rt.changed();
        emitEvent(rt, "setup_intent.created", intent);
        if (plan) applySetup(rt, intent, plan);
        return intent;
      },
    },
    {
      method: "GET",
      pattern: "/v1/setup_intents/:intent",
      handler: ({ params, path }) => {
        params.string("client_secret");
        params.finish();
        return requireSetupIntent(rt, path.intent!);
      },
    },
    {
      method: "POST",
      pattern: "/v1/setup_intents/:intent/confirm",
      handler: ({ params, path }) => {
        const intent = requireSetupIntent(rt, path.intent!);
        const options = readConfirmOptions(params, true);
        params.string("return_url");
        params.finish();
        if (!CONFIRMABLE.includes(intent.status)) throw unexpectedState("confirm", intent, CONFIRMABLE);
        applySetup(rt, intent, planSetup(rt, intent, options));
        return intent;
      },
    },
    {
      method: "POST",
      pattern: "/v1/setup_intents/:intent/cancel",
      handler: ({ params, path }) => {
        const intent = requireSetupIntent(rt, path.intent!);
        const reason = params.enumeration("cancellation_reason", ["abandoned", "duplicate", "requested_by_customer"] as const) ?? null;
        params.finish();
        if (!CANCELABLE.includes(intent.status)) throw unexpectedState("cancel", intent, CANCELABLE);
        const previousStatus = intent.status;
        intent.status = "canceled";
        intent.cancellation_reason = reason;
        rt.changed();
        emitEvent(rt, "setup_intent.canceled", intent, { status: previousStatus });
        return intent;
      },
    },
    {
      method: "GET",
      pattern: "/v1/setup_intents",
      handler: ({ params }) => {
        const customer = params.string("customer");
        const intents = newestFirst(rt.state.setupIntents).filter((si) => customer === undefined || si.customer === customer);
        const list = paginate(intents, params, "/v1/setup_intents");
        params.finish();
        return list;
      },
    },
  ];
}
