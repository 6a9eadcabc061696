import type Stripe from "stripe";
import { alphanumeric } from "../core/ids.js";
import { refuseSetupIfBlocked } from "./blocked-accounts.js";
import {
  applyMandatePlan,
  CONFIRMABLE,
  planConfirmation,
  planCreateConfirmation,
  readConfirmRequest,
  readIntentCreateParams,
  type ConfirmPlan,
  type ConfirmRules,
} from "./confirmation.js";
import { invalidRequest } from "./errors.js";
import { emitEvent } from "./events.js";
import { newestFirst } from "./list.js";
import { requireCustomer, requireSetupIntent } from "./lookup.js";
import { mergeMetadata } from "./params.js";
import { listRoute, retrieveRoute } from "./resource-routes.js";
import type { Route } from "./router.js";
import { newId, unixNow, type StripeRuntime } from "./state.js";

const CANCELABLE: readonly string[] = ["requires_payment_method", "requires_confirmation", "requires_action"];

/** A verified `ba_` needs no further verification: confirming only records the mandate. */
const SETUP_RULES: ConfirmRules = {
  missingPaymentMethod: () =>
    invalidRequest("You cannot confirm this SetupIntent because it's missing a payment method.", {
      code: "setup_intent_unexpected_state",
      param: "payment_method",
    }),
  checkBankAccount: (bankAccount) => {
    if (bankAccount.bankAccount.status !== "verified" && !bankAccount.blocked) {
      throw invalidRequest("The customer's bank account must be verified in order to set it up for payments.", { param: "payment_method" });
    }
  },
};

function applySetup(rt: StripeRuntime, intent: Stripe.SetupIntent, plan: ConfirmPlan): void {
  refuseSetupIfBlocked(rt, plan.bankAccount, intent);
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
  return invalidRequest(
    `You cannot ${action} this SetupIntent because it has a status of ${intent.status}. Allowed statuses: ${allowed.join(", ")}.`,
    {
      code: "setup_intent_unexpected_state",
    },
  );
}

export function setupIntentRoutes(rt: StripeRuntime): Route[] {
  return [
    {
      method: "POST",
      pattern: "/v1/setup_intents",
      handler: ({ params }) => {
        const create = readIntentCreateParams(params);
        const { customer, options } = create;
        const usage = params.enumeration("usage", ["off_session", "on_session"] as const) ?? "off_session";
        const description = params.nullableString("description") ?? null;
        const metadata = mergeMetadata({}, params.metadata());
        params.finish();
        if (customer !== undefined) requireCustomer(rt, customer);

        const id = newId("seti");
        const intent: Stripe.SetupIntent = {
          id,
          object: "setup_intent",
          allowed_payment_method_types: create.allowedTypes ?? null,
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
          payment_method_types: create.paymentMethodTypes,
          single_use_mandate: null,
          status: options.paymentMethod ? "requires_confirmation" : "requires_payment_method",
          usage,
        };
        const plan = planCreateConfirmation(rt, intent, create, SETUP_RULES);

        rt.state.setupIntents[id] = intent;
        rt.changed();
        emitEvent(rt, "setup_intent.created", intent);
        if (plan) applySetup(rt, intent, plan);
        return intent;
      },
    },
    // A client_secret is accepted (Stripe.js retrieves that way) and not checked.
    retrieveRoute("/v1/setup_intents/:intent", (path) => requireSetupIntent(rt, path.intent!), ["client_secret"]),
    {
      method: "POST",
      pattern: "/v1/setup_intents/:intent/confirm",
      handler: ({ params, path }) => {
        const intent = requireSetupIntent(rt, path.intent!);
        const options = readConfirmRequest(params);
        if (!CONFIRMABLE.includes(intent.status)) throw unexpectedState("confirm", intent, CONFIRMABLE);
        applySetup(rt, intent, planConfirmation(rt, intent, options, SETUP_RULES));
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
    listRoute("/v1/setup_intents", (params) => {
      const customer = params.string("customer");
      return newestFirst(rt.state.setupIntents).filter((si) => customer === undefined || si.customer === customer);
    }),
  ];
}
