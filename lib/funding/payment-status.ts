import type Stripe from "stripe";
import type { Db, Prisma } from "@/lib/db";
import type { PaymentStatus } from "@/lib/generated/prisma/enums";
import { recordAudit } from "@/lib/audit";

/**
 * The payment ledger's state machine. A payment moves
 * PENDING → PROCESSING → SUCCEEDED | FAILED | CANCELED, never backwards and
 * never out of a final state, so duplicated, late or reordered Stripe events
 * (and reconciliation racing a webhook) cannot undo or double anything.
 */
const RANK: Record<PaymentStatus, number> = { PENDING: 0, PROCESSING: 1, SUCCEEDED: 2, FAILED: 2, CANCELED: 2 };

export function canMove(from: PaymentStatus, to: PaymentStatus): boolean {
  return RANK[to] > RANK[from];
}

export interface ObservedStatus {
  status: PaymentStatus;
  failureCode?: string | null;
  failureMessage?: string | null;
  chargeId?: string | null;
}

/** What a PaymentIntent says about the debit. */
export function observeIntent(intent: Stripe.PaymentIntent): ObservedStatus {
  const chargeId = typeof intent.latest_charge === "string" ? intent.latest_charge : (intent.latest_charge?.id ?? null);
  switch (intent.status) {
    case "processing":
      return { status: "PROCESSING", chargeId };
    case "succeeded":
      return { status: "SUCCEEDED", chargeId };
    case "canceled":
      return { status: "CANCELED", chargeId };
    case "requires_payment_method": {
      // After a confirm, this status with an error means the ACH debit failed.
      const error = intent.last_payment_error;
      if (!error) return { status: "PENDING", chargeId };
      return { status: "FAILED", failureCode: error.code ?? error.decline_code ?? "payment_failed", failureMessage: plainFailureReason(error.code, error.message), chargeId };
    }
    default:
      return { status: "PENDING", chargeId };
  }
}

/** What a legacy Charge says about the debit (STRIPE_USE_CHARGES). */
export function observeCharge(charge: Stripe.Charge): ObservedStatus {
  if (charge.status === "succeeded") return { status: "SUCCEEDED", chargeId: charge.id };
  if (charge.status === "failed") {
    return { status: "FAILED", failureCode: charge.failure_code ?? "payment_failed", failureMessage: plainFailureReason(charge.failure_code, charge.failure_message), chargeId: charge.id };
  }
  return { status: "PROCESSING", chargeId: charge.id };
}

const REASONS: Record<string, string> = {
  insufficient_funds: "Insufficient funds in the bank account.",
  account_closed: "The bank account is closed.",
  no_account: "The bank could not find this account.",
  debit_not_authorized: "The bank reported this debit as not authorized.",
  invalid_currency: "The bank account cannot accept US dollar debits.",
  bank_account_restricted: "The bank account does not allow debits.",
  account_frozen: "The bank account is frozen.",
  invalid_account_number: "The account number is invalid.",
};

/** Stripe's failure code in plain words for the person who sees it. */
export function plainFailureReason(code: string | null | undefined, fallback?: string | null): string {
  if (code && REASONS[code]) return REASONS[code]!;
  return fallback?.trim() || "The bank declined this debit.";
}

type Tx = Prisma.TransactionClient;

/**
 * Applies an observed status to the payment, if it moves it forward. Runs in
 * one transaction with a row lock; on SUCCEEDED the available balance is
 * credited through a ledger entry (unique per payment: exactly once).
 */
export async function applyObservedStatus(
  db: Db,
  paymentId: string,
  observed: ObservedStatus,
  source: string,
): Promise<{ changed: boolean; status: PaymentStatus }> {
  return db.$transaction(async (tx: Tx) => {
    const [locked] = await tx.$queryRaw<{ status: PaymentStatus }[]>`SELECT "status" FROM "payments" WHERE "id" = ${paymentId} FOR UPDATE`;
    if (!locked) throw new Error(`payment ${paymentId} not found`);
    if (!canMove(locked.status, observed.status)) return { changed: false, status: locked.status };
    const payment = await tx.payment.update({
      where: { id: paymentId },
      data: {
        status: observed.status,
        ...(observed.chargeId ? { stripeChargeId: observed.chargeId } : {}),
        ...(observed.status === "FAILED" ? { failureCode: observed.failureCode ?? null, failureMessage: observed.failureMessage ?? null } : {}),
        ...(observed.status === "SUCCEEDED" ? { settledAt: new Date() } : {}),
      },
    });
    if (observed.status === "SUCCEEDED") {
      await tx.ledgerEntry.create({ data: { userId: payment.userId, paymentId: payment.id, amountCents: payment.amountCents } });
    }
    await recordAudit(tx, {
      actorId: null,
      action: `payment.${observed.status.toLowerCase()}`,
      targetType: "payment",
      targetId: payment.id,
      metadata: { from: locked.status, source, ...(observed.failureCode ? { failureCode: observed.failureCode } : {}) },
    });
    return { changed: true, status: observed.status };
  });
}
