import "server-only";
import type Stripe from "stripe";
import type { Db } from "@/lib/db";

/**
 * Stripe's fee and net for a succeeded debit, from its charge's balance
 * transaction (expanded in the same read), kept on the payment for the
 * admin. Recorded once, when the debit succeeds (webhooks) or later by
 * reconciliation for one whose transaction was not there yet. True when it
 * was recorded now.
 */
export async function recordChargeFees(db: Db, stripe: Stripe, payment: { id: string; stripeChargeId: string | null }): Promise<boolean> {
  if (!payment.stripeChargeId) return false;
  const charge = await stripe.charges.retrieve(payment.stripeChargeId, { expand: ["balance_transaction"] });
  const transaction = charge.balance_transaction;
  if (!transaction || typeof transaction === "string") return false;
  const { count } = await db.payment.updateMany({
    where: { id: payment.id, feeCents: null },
    data: { feeCents: transaction.fee, netCents: transaction.net },
  });
  return count > 0;
}
