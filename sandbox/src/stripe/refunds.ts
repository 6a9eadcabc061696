import type Stripe from "stripe";
import { invalidRequest, parameterMissing } from "./errors.js";
import { emitEvent } from "./events.js";
import { newestFirst } from "./list.js";
import { requireCharge, requirePaymentIntent, requireRecord } from "./lookup.js";
import { mergeMetadata } from "./params.js";
import { listRoute, retrieveRoute } from "./resource-routes.js";
import type { Route } from "./router.js";
import { newId, unixNow, type StoredCharge, type StripeRuntime } from "./state.js";

export function refundRoutes(rt: StripeRuntime): Route[] {
  return [
    {
      method: "POST",
      pattern: "/v1/refunds",
      handler: ({ params }) => {
        const chargeId = params.string("charge");
        const paymentIntentId = params.string("payment_intent");
        const amount = params.integer("amount");
        const reason = params.enumeration("reason", ["duplicate", "fraudulent", "requested_by_customer"] as const) ?? null;
        const metadata = mergeMetadata({}, params.metadata());
        params.finish();
        const stored = refundedCharge(rt, chargeId, paymentIntentId);
        const { charge } = stored;
        if (charge.status !== "succeeded") {
          throw invalidRequest(`Charge ${charge.id} has a status of ${charge.status} and cannot be refunded until it succeeds.`, {
            param: "charge",
            code: "charge_not_refundable",
          });
        }
        if (charge.disputed)
          throw invalidRequest(`Charge ${charge.id} has been disputed and cannot be refunded.`, { code: "charge_disputed" });
        const remaining = charge.amount - charge.amount_refunded;
        const refundAmount = amount ?? remaining;
        if (remaining === 0) throw invalidRequest(`Charge ${charge.id} has already been refunded.`, { code: "charge_already_refunded" });
        if (refundAmount < 1 || refundAmount > remaining) {
          throw invalidRequest(
            `Refund amount ($${(refundAmount / 100).toFixed(2)}) is greater than unrefunded amount on charge ($${(remaining / 100).toFixed(2)})`,
            {
              param: "amount",
              code: "amount_too_large",
            },
          );
        }
        // ACH refunds take days on Stripe; the sandbox completes them at once.
        const refund: Stripe.Refund = {
          id: newId("pyr"),
          object: "refund",
          amount: refundAmount,
          balance_transaction: null,
          charge: charge.id,
          created: unixNow(),
          currency: charge.currency,
          customer: charge.customer,
          customer_account: null,
          metadata,
          payment_intent: charge.payment_intent,
          payment_method: charge.payment_method,
          reason,
          receipt_number: null,
          source_transfer_reversal: null,
          status: "succeeded",
          transfer_reversal: null,
        };
        rt.state.refunds[refund.id] = refund;
        charge.amount_refunded += refundAmount;
        charge.refunded = charge.amount_refunded === charge.amount;
        rt.changed();
        emitEvent(rt, "refund.created", refund);
        emitEvent(rt, "charge.refunded", charge);
        return refund;
      },
    },
    retrieveRoute("/v1/refunds/:id", (path) => requireRecord(rt.state.refunds, "refund", path.id!, "id")),
    listRoute(
      "/v1/refunds",
      (params) => {
        const charge = params.string("charge");
        const paymentIntent = params.string("payment_intent");
        return newestFirst(rt.state.refunds).filter(
          (r) => (charge === undefined || r.charge === charge) && (paymentIntent === undefined || r.payment_intent === paymentIntent),
        );
      },
      { filterCreated: true },
    ),
  ];
}

function refundedCharge(rt: StripeRuntime, chargeId: string | undefined, paymentIntentId: string | undefined): StoredCharge {
  if (chargeId !== undefined) return requireCharge(rt, chargeId, "charge");
  if (paymentIntentId === undefined) throw parameterMissing("charge");
  const intent = requirePaymentIntent(rt, paymentIntentId, "payment_intent");
  if (typeof intent.latest_charge !== "string") {
    throw invalidRequest(`PaymentIntent ${intent.id} does not have a successful charge to refund.`, { param: "payment_intent" });
  }
  return requireCharge(rt, intent.latest_charge, "payment_intent");
}
