import type Stripe from "stripe";
import { invalidRequest, parameterMissing } from "./errors.js";
import { emitEvent } from "./events.js";
import { newestFirst } from "./list.js";
import { requireCharge, requirePaymentIntent, requireRecord } from "./lookup.js";
import { mergeMetadata } from "./params.js";
import { listRoute, retrieveRoute } from "./resource-routes.js";
import type { Route } from "./router.js";
import { newId, unixNow, type StoredCharge, type StripeRuntime } from "./state.js";
import { recordBalanceTransaction } from "./balance-transactions.js";
import { readCreatedFilter } from "./created-filter.js";

/** Why a refund failed, as Stripe reports it in `failure_reason`. */
const REFUND_FAILURE_REASONS = [
  "lost_or_stolen_card",
  "expired_or_canceled_card",
  "charge_for_pending_refund_disputed",
  "insufficient_funds",
  "declined",
  "merchant_request",
  "unknown",
] as const;
type RefundFailureReason = (typeof REFUND_FAILURE_REASONS)[number];

/**
 * Moves pending refunds to `succeeded` or `failed`: by itself after
 * `config.achSettleDelayMs` (then it succeeds), or on command through the
 * control actions `settle_refund` / `fail_refund`. Due times are stored, so
 * timers survive a restart.
 */
export class RefundSettlement {
  constructor(private readonly rt: StripeRuntime) {}

  schedule(refund: Stripe.Refund): void {
    const delay = this.rt.context.config.achSettleDelayMs;
    if (delay === null) return;
    const at = Date.now() + delay;
    this.rt.state.refundSettleAt[refund.id] = at;
    this.rt.changed();
    this.arm(refund.id, at);
  }

  resume(): void {
    for (const [id, at] of Object.entries(this.rt.state.refundSettleAt)) this.arm(id, at);
  }

  private arm(id: string, at: number): void {
    const timer = setTimeout(
      () => {
        const refund = this.rt.state.refunds[id];
        if (refund?.status === "pending") this.succeed(refund);
      },
      Math.max(0, at - Date.now()),
    );
    timer.unref();
  }

  succeed(refund: Stripe.Refund): void {
    this.assertPending(refund);
    refund.status = "succeeded";
    delete this.rt.state.refundSettleAt[refund.id];
    this.rt.changed();
    emitEvent(this.rt, "refund.updated", refund, { status: "pending" });
  }

  /** The bank refused the credit: the money comes back to the balance and the charge is no longer refunded by that amount. */
  fail(refund: Stripe.Refund, reason: RefundFailureReason): void {
    this.assertPending(refund);
    const stored = typeof refund.charge === "string" ? this.rt.state.charges[refund.charge] : undefined;
    refund.status = "failed";
    refund.failure_reason = reason;
    refund.failure_balance_transaction = recordBalanceTransaction(this.rt, {
      amount: refund.amount,
      currency: refund.currency,
      type: "refund_failure",
      reportingCategory: "refund_failure",
      source: refund.id,
      description: null,
      status: "available",
    }).id;
    delete this.rt.state.refundSettleAt[refund.id];
    if (stored) {
      stored.charge.amount_refunded -= refund.amount;
      stored.charge.refunded = stored.charge.amount_refunded === stored.charge.amount;
    }
    this.rt.changed();
    emitEvent(this.rt, "refund.updated", refund, { status: "pending" });
    emitEvent(this.rt, "refund.failed", refund);
  }

  /** Every pending refund succeeds. */
  settleAll(): { id: string; status: string | null }[] {
    const pending = Object.values(this.rt.state.refunds).filter((r) => r.status === "pending");
    for (const refund of pending) this.succeed(refund);
    return pending.map((r) => ({ id: r.id, status: r.status }));
  }

  private assertPending(refund: Stripe.Refund): void {
    if (refund.status !== "pending") throw new Error(`refund ${refund.id} is ${refund.status}, not pending`);
  }

  /** Control actions (POST /__sandbox/stripe/<action>, JSON body naming a `refund`). */
  controlActions(): Record<string, (body: Record<string, unknown>) => unknown> {
    return {
      settle_refund: (body) => {
        const refund = this.refundFromBody(body);
        this.succeed(refund);
        return { refund };
      },
      fail_refund: (body) => {
        const reason = body.failure_reason ?? "declined";
        if (typeof reason !== "string" || !(REFUND_FAILURE_REASONS as readonly string[]).includes(reason))
          throw new Error(`failure_reason must be one of ${REFUND_FAILURE_REASONS.join(", ")}`);
        const refund = this.refundFromBody(body);
        this.fail(refund, reason as RefundFailureReason);
        return { refund };
      },
    };
  }

  private refundFromBody(body: Record<string, unknown>): Stripe.Refund {
    if (typeof body.refund !== "string") throw new Error("pass refund");
    const refund = this.rt.state.refunds[body.refund];
    if (!refund) throw new Error(`no such refund ${body.refund}`);
    return refund;
  }
}

export function refundRoutes(rt: StripeRuntime, settlement: RefundSettlement): Route[] {
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
        // An ACH refund is a credit to the customer's bank: pending until it settles (see RefundSettlement).
        const id = newId("pyr");
        const refund: Stripe.Refund = {
          id,
          object: "refund",
          amount: refundAmount,
          // The balance is debited when the refund is created; a failure credits it back.
          balance_transaction: recordBalanceTransaction(rt, {
            amount: -refundAmount,
            currency: charge.currency,
            type: "payment_refund",
            reportingCategory: "refund",
            source: id,
            description: null,
            status: "available",
          }).id,
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
          status: "pending",
          transfer_reversal: null,
        };
        rt.state.refunds[refund.id] = refund;
        const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
        charge.amount_refunded += refundAmount;
        charge.refunded = charge.amount_refunded === charge.amount;
        rt.changed();
        emitEvent(rt, "refund.created", refund);
        emitEvent(rt, "charge.refunded", charge, previous);
        settlement.schedule(refund);
        return refund;
      },
    },
    retrieveRoute("/v1/refunds/:id", (path) => requireRecord(rt.state.refunds, "refund", path.id!, "id")),
    listRoute("/v1/refunds", (params) => {
      const charge = params.string("charge");
      const paymentIntent = params.string("payment_intent");
      const created = readCreatedFilter(params);
      return newestFirst(rt.state.refunds).filter(
        (r) =>
          (charge === undefined || r.charge === charge) &&
          (paymentIntent === undefined || r.payment_intent === paymentIntent) &&
          created(r.created),
      );
    }),
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
