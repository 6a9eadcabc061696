import type Stripe from "stripe";
import { createId, type Db } from "@/lib/db";
import type { PaymentStatus } from "@/lib/generated/prisma/enums";

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

/** What the funding request learned from Stripe besides the status: stored with the transition. */
export interface SubmissionResult {
  stripePaymentIntentId?: string;
  /** The Stripe mandate the first debit created, for the acceptance that authorized it. */
  mandate?: { acceptanceId: string; stripeMandateId: string };
}

/**
 * Applies an observed status to the payment, if it moves it forward (and
 * stores the submission's ids either way). One transaction, four round
 * trips: BEGIN, the payment's row lock, one statement for the update, the
 * ledger credit and the audit entry, COMMIT. On SUCCEEDED the available
 * balance is credited through a ledger entry (unique per payment: exactly
 * once).
 */
export async function applyObservedStatus(
  db: Db,
  paymentId: string,
  observed: ObservedStatus,
  source: string,
  submission: SubmissionResult = {},
): Promise<{ changed: boolean; status: PaymentStatus }> {
  return db.$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ status: PaymentStatus }[]>`SELECT "status"::text AS "status" FROM "payments" WHERE "id" = ${paymentId} FOR UPDATE`;
    if (!locked) throw new Error(`payment ${paymentId} not found`);
    const moves = canMove(locked.status, observed.status);
    if (!moves && !submission.stripePaymentIntentId && !submission.mandate) return { changed: false, status: locked.status };

    const now = new Date();
    const status = moves ? observed.status : locked.status;
    const failed = moves && observed.status === "FAILED";
    const credits = moves && observed.status === "SUCCEEDED";
    const chargeId = moves ? (observed.chargeId ?? null) : null;
    const metadata = JSON.stringify({ from: locked.status, source, ...(observed.failureCode ? { failureCode: observed.failureCode } : {}) });
    await tx.$executeRaw`
      WITH updated AS (
        UPDATE "payments" SET
          "status" = ${status}::text::"PaymentStatus",
          "stripe_payment_intent_id" = COALESCE(${submission.stripePaymentIntentId ?? null}::text, "stripe_payment_intent_id"),
          "stripe_charge_id" = COALESCE(${chargeId}::text, "stripe_charge_id"),
          "failure_code" = CASE WHEN ${failed}::boolean THEN ${observed.failureCode ?? null}::text ELSE "failure_code" END,
          "failure_message" = CASE WHEN ${failed}::boolean THEN ${observed.failureMessage ?? null}::text ELSE "failure_message" END,
          "settled_at" = CASE WHEN ${credits}::boolean THEN ${now}::timestamp(3) ELSE "settled_at" END,
          "updated_at" = ${now}::timestamp(3)
        WHERE "id" = ${paymentId}
        RETURNING "id", "user_id", "amount_cents"
      ),
      ledger AS (
        INSERT INTO "ledger_entries" ("id", "user_id", "payment_id", "amount_cents", "created_at")
        SELECT ${createId()}::text, "user_id", "id", "amount_cents", ${now}::timestamp(3) FROM updated WHERE ${credits}::boolean
      ),
      audit AS (
        INSERT INTO "audit_logs" ("id", "actor_id", "action", "target_type", "target_id", "metadata", "created_at")
        SELECT ${createId()}::text, NULL, ${`payment.${observed.status.toLowerCase()}`}::text, 'payment', "id", ${metadata}::jsonb, ${now}::timestamp(3)
        FROM updated WHERE ${moves}::boolean
      ),
      mandate AS (
        -- A Stripe mandate id is unique: never let a second acceptance claim it and fail the whole transition.
        UPDATE "mandate_acceptances" SET "stripe_mandate_id" = ${submission.mandate?.stripeMandateId ?? null}::text
        WHERE "id" = ${submission.mandate?.acceptanceId ?? null}::text AND "stripe_mandate_id" IS NULL
          AND NOT EXISTS (SELECT 1 FROM "mandate_acceptances" WHERE "stripe_mandate_id" = ${submission.mandate?.stripeMandateId ?? null}::text)
      )
      SELECT 1 FROM updated`;
    return { changed: moves, status };
  });
}
