import { isDeletedCustomer, type StripeRuntime } from "./state.js";

/** How many of the most recent objects of each kind the inspection page shows. */
const RECENT = 50;

function recent<T>(records: Record<string, T>): T[] {
  return Object.values(records).slice(-RECENT).reverse();
}

/** Compact summary for the inspection page: newest first, no full objects. */
export function inspectStripe(rt: StripeRuntime): Record<string, unknown> {
  const state = rt.state;
  return {
    customers: recent(state.customers).map((c) =>
      isDeletedCustomer(c)
        ? { id: c.id, deleted: true }
        : { id: c.id, email: c.email, name: c.name, default_source: c.default_source, created: c.created },
    ),
    bank_accounts: recent(state.bankAccounts).map(({ bankAccount: ba, mandate }) => ({
      id: ba.id,
      customer: ba.customer,
      bank_name: ba.bank_name,
      last4: ba.last4,
      status: ba.status,
      mandate,
      mandate_status: mandate ? state.mandates[mandate]?.status : null,
    })),
    payment_intents: recent(state.paymentIntents).map((pi) => ({
      id: pi.id,
      amount: pi.amount,
      currency: pi.currency,
      status: pi.status,
      customer: pi.customer,
      payment_method: pi.payment_method,
      latest_charge: pi.latest_charge,
      last_payment_error: pi.last_payment_error?.code ?? null,
      created: pi.created,
    })),
    charges: recent(state.charges).map(({ charge, settleAt }) => ({
      id: charge.id,
      amount: charge.amount,
      status: charge.status,
      failure_code: charge.failure_code,
      disputed: charge.disputed,
      refunded: charge.amount_refunded,
      payment_intent: charge.payment_intent,
      settles_at: settleAt ? new Date(settleAt).toISOString() : null,
    })),
    events: recent(state.events).map((e) => ({ id: e.id, type: e.type, created: e.created, pending_webhooks: e.pending_webhooks })),
    webhook_endpoints: Object.values(state.webhookEndpoints).map(({ endpoint }) => ({
      id: endpoint.id,
      url: endpoint.url,
      status: endpoint.status,
    })),
  };
}
