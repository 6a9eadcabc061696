import "server-only";
import type Stripe from "stripe";
import type { Db } from "@/lib/db";
import { recordAudit } from "@/lib/audit";
import { logger } from "@/lib/log";
import { isStorableText } from "@/lib/safe-text";
import { applyDisputeReversal } from "./ledger";
import { revokeMandates } from "./mandates";
import { readCharge, readDispute } from "./stripe-debit";
import { paymentForDebit, syncPayment } from "./sync";

/**
 * A disputed ACH debit: the account holder told the bank it was not
 * authorized, Stripe took the money back and revoked the mandate.
 *
 * Only the event's dispute id is taken from the payload: the dispute is read
 * from Stripe, and its charge, amount and status are what count. A dispute
 * Stripe does not have (a forged or altered event) is acknowledged and
 * audited, and nothing is reversed; an inquiry (`warning_*`: no money taken)
 * reverses nothing either. Otherwise the payment is brought to the charge's
 * status first (succeeded: credited once, whatever order the events came
 * in), then reversed from the balance (applyDisputeReversal: once per
 * payment), and every authorization in force for that bank account is
 * revoked, so the next debit asks again. The dispute's id, reason and the
 * fee its balance transactions withdrew are kept on the payment for the
 * admin (updated by later reports: the fee may come after the dispute). A
 * failure to read from Stripe is thrown (the webhook answers 500 and Stripe
 * delivers it again). Used by webhooks and reconciliation alike.
 */
export async function applyDispute(db: Db, stripe: Stripe, claimedId: unknown, source: string, eventId?: string): Promise<string[]> {
  const dispute = await readDispute(stripe, claimedId);
  if (!dispute) {
    const disputeId = typeof claimedId === "string" && claimedId.length <= 255 && isStorableText(claimedId) ? claimedId : null;
    logger.warn({ eventId, disputeId }, "dispute event names a dispute Stripe does not have; nothing reversed");
    await recordAudit(db, {
      actorId: null,
      action: "stripe.dispute_unknown",
      targetType: "stripe_event",
      targetId: eventId ?? disputeId ?? "unknown",
      metadata: { disputeId, source },
    });
    return [];
  }
  if (dispute.status.startsWith("warning_")) {
    logger.info({ disputeId: dispute.id, status: dispute.status }, "dispute is an inquiry (no funds withdrawn); nothing reversed");
    return [];
  }
  const chargeId = typeof dispute.charge === "string" ? dispute.charge : dispute.charge.id;
  // The charge, not its intent: only a succeeded charge can be disputed, and the charge says so.
  const debit = await readCharge(stripe, chargeId);
  const changed: string[] = [];
  if (debit.mandateId) {
    const revoked = await db.$transaction((tx) => revokeMandates(tx, { stripeMandateId: debit.mandateId! }, "dispute", { source }));
    changed.push(...revoked.map((m) => m.id));
  }
  const payment = await paymentForDebit(db, debit);
  if (!payment) {
    logger.info({ chargeId, disputeId: dispute.id }, "dispute for an unknown payment");
    return changed;
  }
  const synced = await syncPayment(db, payment, debit, source);
  if (synced?.changed) changed.push(payment.id);
  if (dispute.amount !== payment.amountCents) {
    logger.warn(
      { paymentId: payment.id, disputeId: dispute.id },
      "dispute amount differs from the payment; the payment's amount is reversed",
    );
  }
  const { newlyDisputed, reversed } = await applyDisputeReversal(
    db,
    payment.id,
    { id: dispute.id, reason: dispute.reason ?? null, at: new Date(dispute.created * 1000) },
    source,
  );
  if (await recordDisputeDetails(db, payment.id, dispute)) changed.push(payment.id);
  if (newlyDisputed && !reversed)
    logger.warn({ paymentId: payment.id, disputeId: dispute.id }, "disputed payment was never credited; nothing to reverse");
  if (newlyDisputed) changed.push(payment.id);
  const revoked = await db.$transaction((tx) => revokeMandates(tx, { bankAccountId: payment.bankAccountId }, "dispute", { source }));
  if (revoked.length > 0) changed.push(payment.bankAccountId);
  return changed;
}

/** The fee Stripe withdrew for a dispute: the sum of its balance transactions' fees (null while it has none). */
export function disputeFeeOf(dispute: Pick<Stripe.Dispute, "balance_transactions">): number | null {
  const transactions = dispute.balance_transactions ?? [];
  return transactions.length ? transactions.reduce((sum, t) => sum + t.fee, 0) : null;
}

/** Keeps the dispute's id, reason and fee on the payment; true when any of them changed. */
async function recordDisputeDetails(db: Db, paymentId: string, dispute: Stripe.Dispute): Promise<boolean> {
  const details = { stripeDisputeId: dispute.id, disputeReason: dispute.reason ?? null, disputeFeeCents: disputeFeeOf(dispute) };
  const current = await db.payment.findUnique({
    where: { id: paymentId },
    select: { stripeDisputeId: true, disputeReason: true, disputeFeeCents: true },
  });
  if (!current || (Object.keys(details) as (keyof typeof details)[]).every((k) => current[k] === details[k])) return false;
  await db.payment.update({ where: { id: paymentId }, data: details });
  return true;
}
