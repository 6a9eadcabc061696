import type Stripe from "stripe";
import { ACH_DISPUTE_FEE, recordBalanceTransaction } from "./balance-transactions.js";
import { blockAfterDisputes } from "./blocked-accounts.js";
import { readCreatedFilter } from "./created-filter.js";
import { emitEvent } from "./events.js";
import { newestFirst } from "./list.js";
import { requireRecord } from "./lookup.js";
import { deactivateMandate } from "./mandates.js";
import { listRoute, retrieveRoute } from "./resource-routes.js";
import type { Route } from "./router.js";
import { newId, unixNow, type StoredCharge, type StripeRuntime } from "./state.js";

/**
 * ACH disputes as Stripe handles them: the account holder told their bank
 * the debit was not authorized (return code R10). They are final, with no
 * evidence to submit, so the dispute is `lost` from the start; Stripe
 * withdraws the amount plus its $15.00 ACH dispute fee at once and revokes
 * the mandate. Events: `charge.dispute.created`, then
 * `charge.dispute.funds_withdrawn` (no `charge.dispute.closed`: the status
 * never changes).
 */
export function openDispute(rt: StripeRuntime, stored: StoredCharge): Stripe.Dispute {
  const { charge } = stored;
  if (charge.status !== "succeeded" || charge.disputed) throw new Error(`charge ${charge.id} cannot be disputed (${charge.status})`);
  const id = newId("dp");
  const withdrawal = recordBalanceTransaction(rt, {
    amount: -charge.amount,
    currency: charge.currency,
    fee: ACH_DISPUTE_FEE,
    feeDescription: "Dispute fee",
    type: "adjustment",
    reportingCategory: "dispute",
    source: id,
    description: `Chargeback withdrawal for ${charge.id}`,
    status: "available",
  });
  const dispute: Stripe.Dispute = {
    id,
    object: "dispute",
    amount: charge.amount,
    balance_transactions: [structuredClone(withdrawal)],
    charge: charge.id,
    created: unixNow(),
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: emptyEvidence(),
    evidence_details: {
      due_by: null,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
      submission_method: "not_submitted",
    },
    intended_submission_method: null,
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    network_reason_code: "R10",
    payment_intent: charge.payment_intent,
    reason: "debit_not_authorized",
    status: "lost",
  };
  rt.state.disputes[dispute.id] = dispute;
  charge.disputed = true;
  rt.changed();
  emitEvent(rt, "charge.dispute.created", dispute);
  emitEvent(rt, "charge.dispute.funds_withdrawn", dispute);
  emitEvent(rt, "charge.updated", charge, { disputed: false });
  const mandate = typeof charge.payment_method === "string" ? rt.state.bankAccounts[charge.payment_method]?.mandate : null;
  if (mandate) deactivateMandate(rt, mandate);
  const bankAccount = typeof charge.payment_method === "string" ? rt.state.bankAccounts[charge.payment_method] : undefined;
  if (bankAccount) blockAfterDisputes(rt, bankAccount);
  return dispute;
}

export function disputeRoutes(rt: StripeRuntime): Route[] {
  return [
    retrieveRoute("/v1/disputes/:id", (path) => requireRecord(rt.state.disputes, "dispute", path.id!, "dispute")),
    listRoute("/v1/disputes", (params) => {
      const charge = params.string("charge");
      const paymentIntent = params.string("payment_intent");
      const created = readCreatedFilter(params);
      return newestFirst(rt.state.disputes).filter(
        (d) =>
          (charge === undefined || d.charge === charge) &&
          (paymentIntent === undefined || d.payment_intent === paymentIntent) &&
          created(d.created),
      );
    }),
  ];
}

function emptyEvidence(): Stripe.Dispute.Evidence {
  return {
    access_activity_log: null,
    billing_address: null,
    cancellation_policy: null,
    cancellation_policy_disclosure: null,
    cancellation_rebuttal: null,
    customer_communication: null,
    customer_email_address: null,
    customer_name: null,
    customer_purchase_ip: null,
    customer_signature: null,
    duplicate_charge_documentation: null,
    duplicate_charge_explanation: null,
    duplicate_charge_id: null,
    enhanced_evidence: {},
    product_description: null,
    receipt: null,
    refund_policy: null,
    refund_policy_disclosure: null,
    refund_refusal_explanation: null,
    service_date: null,
    service_documentation: null,
    shipping_address: null,
    shipping_carrier: null,
    shipping_date: null,
    shipping_documentation: null,
    shipping_tracking_number: null,
    uncategorized_file: null,
    uncategorized_text: null,
  };
}
