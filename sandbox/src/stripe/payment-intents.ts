import type Stripe from "stripe";
import { alphanumeric } from "../core/ids.js";
import { refuseIfBlocked } from "./blocked-accounts.js";
import { assertDebitable, createPendingCharge } from "./charges.js";
import {
  applyMandatePlan,
  CONFIRMABLE,
  planConfirmation,
  planCreateConfirmation,
  readAllowedPaymentMethodTypes,
  readConfirmRequest,
  readIntentCreateParams,
  requireBankPaymentMethod,
  type ConfirmPlan,
  type ConfirmRules,
} from "./confirmation.js";
import { invalidRequest } from "./errors.js";
import { emitEvent } from "./events.js";
import { newestFirst } from "./list.js";
import { requireCustomer, requirePaymentIntent } from "./lookup.js";
import { mergeMetadata } from "./params.js";
import { listRoute, retrieveRoute } from "./resource-routes.js";
import type { Route } from "./router.js";
import type { AchSettlement } from "./settlement.js";
import { newId, unixNow, type StripeRuntime } from "./state.js";

const UPDATABLE: readonly string[] = ["requires_payment_method", "requires_confirmation", "requires_action"];
const CANCELABLE: readonly string[] = ["requires_payment_method", "requires_capture", "requires_confirmation", "requires_action"];

const PARTICIPLE = { confirm: "confirmed", cancel: "canceled", update: "updated" } as const;

function unexpectedState(action: keyof typeof PARTICIPLE, intent: Stripe.PaymentIntent, allowed: readonly string[]) {
  return invalidRequest(
    `You cannot ${action} this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be ${PARTICIPLE[action]}: ${allowed.join(", ")}.`,
    { code: "payment_intent_unexpected_state" },
  );
}

function confirmRules(intent: Pick<Stripe.PaymentIntent, "amount" | "currency">): ConfirmRules {
  return {
    missingPaymentMethod: () =>
      invalidRequest(
        "You cannot confirm this PaymentIntent because it's missing a payment method. Update the PaymentIntent with a payment_method and then confirm it again.",
        {
          code: "payment_intent_unexpected_state",
          param: "payment_method",
        },
      ),
    checkBankAccount: (bankAccount) => assertDebitable(bankAccount, intent.amount, intent.currency),
  };
}

/** Starts the ACH debit: the intent is `processing` until its charge settles. */
function applyConfirmation(rt: StripeRuntime, settlement: AchSettlement, intent: Stripe.PaymentIntent, plan: ConfirmPlan): void {
  refuseIfBlocked(rt, plan.bankAccount, intent);
  const mandate = applyMandatePlan(rt, plan.bankAccount, plan.mandate);
  const previousStatus = intent.status;
  intent.payment_method = plan.bankAccount.bankAccount.id;
  intent.last_payment_error = null;
  intent.status = "processing";
  const { charge } = createPendingCharge(rt, settlement, {
    amount: intent.amount,
    currency: intent.currency,
    customer: typeof intent.customer === "string" ? intent.customer : null,
    bankAccount: plan.bankAccount,
    description: intent.description,
    metadata: intent.metadata,
    statementDescriptor: intent.statement_descriptor,
    paymentIntent: { id: intent.id, mandate: mandate.id },
  });
  intent.latest_charge = charge.id;
  rt.changed();
  emitEvent(rt, "payment_intent.processing", intent, { status: previousStatus });
}

export function paymentIntentRoutes(rt: StripeRuntime, settlement: AchSettlement): Route[] {
  return [
    {
      method: "POST",
      pattern: "/v1/payment_intents",
      handler: ({ params }) => {
        const amount = params.requiredInteger("amount");
        const currency = params.requiredString("currency").toLowerCase();
        const create = readIntentCreateParams(params);
        const { customer, options } = create;
        const description = params.nullableString("description") ?? null;
        const metadata = mergeMetadata({}, params.metadata());
        const receiptEmail = params.nullableString("receipt_email") ?? null;
        const statementDescriptor = params.nullableString("statement_descriptor") ?? null;
        const statementDescriptorSuffix = params.nullableString("statement_descriptor_suffix") ?? null;
        const setupFutureUsage = params.enumeration("setup_future_usage", ["off_session", "on_session"] as const) ?? null;
        const captureMethod = params.enumeration("capture_method", ["automatic", "automatic_async"] as const) ?? "automatic";
        const confirmationMethod = params.enumeration("confirmation_method", ["automatic", "manual"] as const) ?? "automatic";
        params.finish();
        if (amount < 1)
          throw invalidRequest("This value must be greater than or equal to 1.", { param: "amount", code: "parameter_invalid_integer" });
        if (customer !== undefined) requireCustomer(rt, customer);

        const id = newId("pi");
        const intent: Stripe.PaymentIntent = {
          id,
          object: "payment_intent",
          allowed_payment_method_types: create.allowedTypes ?? null,
          amount,
          amount_capturable: 0,
          amount_received: 0,
          application: null,
          application_fee_amount: null,
          automatic_payment_methods: null,
          canceled_at: null,
          cancellation_reason: null,
          capture_method: captureMethod,
          client_secret: `${id}_secret_${alphanumeric(25)}`,
          confirmation_method: confirmationMethod,
          created: unixNow(),
          currency,
          customer: customer ?? null,
          customer_account: null,
          description,
          excluded_payment_method_types: null,
          last_payment_error: null,
          latest_charge: null,
          livemode: false,
          managed_payments: null,
          metadata,
          next_action: null,
          on_behalf_of: null,
          payment_method: options.paymentMethod ?? null,
          payment_method_configuration_details: null,
          payment_method_options: null,
          payment_method_types: create.paymentMethodTypes,
          payment_record: null,
          processing: null,
          receipt_email: receiptEmail,
          review: null,
          setup_future_usage: setupFutureUsage,
          shipping: null,
          source: null,
          statement_descriptor: statementDescriptor,
          statement_descriptor_suffix: statementDescriptorSuffix,
          status: options.paymentMethod ? "requires_confirmation" : "requires_payment_method",
          transfer_data: null,
          transfer_group: null,
        };
        const plan = planCreateConfirmation(rt, intent, create, confirmRules(intent));

        rt.state.paymentIntents[id] = intent;
        rt.changed();
        emitEvent(rt, "payment_intent.created", intent);
        if (plan) applyConfirmation(rt, settlement, intent, plan);
        return intent;
      },
    },
    // A client_secret is accepted (Stripe.js retrieves that way) and not checked.
    retrieveRoute("/v1/payment_intents/:intent", (path) => requirePaymentIntent(rt, path.intent!), ["client_secret"]),
    {
      method: "POST",
      pattern: "/v1/payment_intents/:intent",
      handler: ({ params, path }) => {
        const intent = requirePaymentIntent(rt, path.intent!);
        const amount = params.integer("amount");
        const currency = params.string("currency")?.toLowerCase();
        const customer = params.string("customer");
        const paymentMethod = params.string("payment_method");
        const paymentMethodTypes = readAllowedPaymentMethodTypes(params);
        const description = params.nullableString("description");
        const metadata = params.metadata();
        const receiptEmail = params.nullableString("receipt_email");
        params.finish();
        const paymentFieldsChange = [amount, currency, customer, paymentMethod, paymentMethodTypes].some((v) => v !== undefined);
        if (paymentFieldsChange && !UPDATABLE.includes(intent.status)) throw unexpectedState("update", intent, UPDATABLE);
        if (customer !== undefined) requireCustomer(rt, customer);
        if (paymentMethod !== undefined) {
          requireBankPaymentMethod(
            rt,
            paymentMethod,
            customer ?? (intent.customer as string | null),
            paymentMethodTypes ?? intent.payment_method_types,
          );
        }

        if (amount !== undefined) intent.amount = amount;
        if (currency !== undefined) intent.currency = currency;
        if (customer !== undefined) intent.customer = customer;
        if (paymentMethodTypes !== undefined) {
          intent.allowed_payment_method_types = paymentMethodTypes;
          intent.payment_method_types = paymentMethodTypes;
        }
        if (paymentMethod !== undefined) {
          intent.payment_method = paymentMethod;
          intent.status = "requires_confirmation";
        }
        if (description !== undefined) intent.description = description;
        if (receiptEmail !== undefined) intent.receipt_email = receiptEmail;
        intent.metadata = mergeMetadata(intent.metadata, metadata);
        rt.changed();
        return intent;
      },
    },
    {
      method: "POST",
      pattern: "/v1/payment_intents/:intent/confirm",
      handler: ({ params, path }) => {
        const intent = requirePaymentIntent(rt, path.intent!);
        const options = readConfirmRequest(params);
        if (!CONFIRMABLE.includes(intent.status)) throw unexpectedState("confirm", intent, CONFIRMABLE);
        applyConfirmation(rt, settlement, intent, planConfirmation(rt, intent, options, confirmRules(intent)));
        return intent;
      },
    },
    {
      method: "POST",
      pattern: "/v1/payment_intents/:intent/cancel",
      handler: ({ params, path }) => {
        const intent = requirePaymentIntent(rt, path.intent!);
        const reason =
          params.enumeration("cancellation_reason", ["abandoned", "duplicate", "fraudulent", "requested_by_customer"] as const) ?? null;
        params.finish();
        if (!CANCELABLE.includes(intent.status)) throw unexpectedState("cancel", intent, CANCELABLE);
        const previousStatus = intent.status;
        intent.status = "canceled";
        intent.canceled_at = unixNow();
        intent.cancellation_reason = reason;
        rt.changed();
        emitEvent(rt, "payment_intent.canceled", intent, { status: previousStatus });
        return intent;
      },
    },
    listRoute("/v1/payment_intents", (params) => {
      const customer = params.string("customer");
      return newestFirst(rt.state.paymentIntents).filter((pi) => customer === undefined || pi.customer === customer);
    }),
  ];
}
