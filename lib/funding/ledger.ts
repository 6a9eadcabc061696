import "server-only";
import { createId, type Db } from "@/lib/db";
import { AUDIT_INSERT } from "@/lib/audit";
import type { PaymentStatus } from "@/lib/generated/prisma/enums";

/**
 * The ledger: where a payment's status moves, where a succeeded debit is
 * credited to the user's balance, and where a disputed one is taken back
 * (refunds write their own entries: lib/funding/refunds.ts).
 *
 * A payment moves PENDING → PROCESSING → SUCCEEDED | FAILED | CANCELED,
 * never backwards and never out of a final state, so duplicated, late or
 * reordered Stripe events (and reconciliation racing a webhook) cannot undo
 * or double anything. Each ledger entry is unique per (payment, kind).
 */
const RANK: Record<PaymentStatus, number> = { PENDING: 0, PROCESSING: 1, SUCCEEDED: 2, FAILED: 2, CANCELED: 2 };

export function canMove(from: PaymentStatus, to: PaymentStatus): boolean {
  return RANK[to] > RANK[from];
}

/** The statuses a payment may move to `to` from (the same rule as canMove, for SQL). */
export function statusesMovableTo(to: PaymentStatus): PaymentStatus[] {
  return (Object.keys(RANK) as PaymentStatus[]).filter((from) => canMove(from, to));
}

/** A debit's state as observed at Stripe (lib/funding/stripe-debit.ts), in the ledger's terms. */
export interface ObservedStatus {
  status: PaymentStatus;
  failureCode?: string | null;
  failureMessage?: string | null;
  /** The ACH return code of a failed debit (lib/funding/ach-returns.ts). */
  returnCode?: string | null;
  chargeId?: string | null;
}

/** What the funding request learned from Stripe besides the status: stored with the transition. */
export interface SubmissionResult {
  stripePaymentIntentId?: string;
  /** The Stripe mandate the first debit created, for the acceptance that authorized it. */
  mandate?: { acceptanceId: string; stripeMandateId: string };
}

/**
 * Applies an observed status to the payment, if it moves it forward (and
 * stores the submission's ids either way). On SUCCEEDED the available
 * balance is credited through a ledger entry (unique per payment: exactly
 * once), and every move gets its audit entry.
 *
 * One statement, so one round trip and its own transaction: `prev` locks the
 * payment's row and reads its latest committed status (under READ COMMITTED
 * a locking read waits for a concurrent writer and then sees its version);
 * the UPDATE joins that row, so whether the status moves, the ledger credit
 * and the audit entry all follow from the status that was locked.
 */
export async function applyObservedStatus(
  db: Db,
  paymentId: string,
  observed: ObservedStatus,
  source: string,
  submission: SubmissionResult = {},
): Promise<{ changed: boolean; status: PaymentStatus }> {
  const now = new Date();
  const to = observed.status;
  // A failure or a cancellation keeps its reason, for the person and the admin.
  const failed = to === "FAILED" || to === "CANCELED";
  const credits = to === "SUCCEEDED";
  const intentId = submission.stripePaymentIntentId ?? null;
  const mandate = submission.mandate ?? null;
  const [row] = await db.$queryRaw<{ from_status: PaymentStatus; moves: boolean }[]>`
    WITH prev AS (
      SELECT "id", "status" FROM "payments" WHERE "id" = ${paymentId} FOR UPDATE
    ),
    decision AS (
      SELECT "id", "status" AS from_status, ("status"::text = ANY(${statusesMovableTo(to)}::text[])) AS moves FROM prev
    ),
    updated AS (
      UPDATE "payments" p SET
        "status" = CASE WHEN d.moves THEN ${to}::text::"PaymentStatus" ELSE p."status" END,
        "stripe_payment_intent_id" = COALESCE(${intentId}::text, p."stripe_payment_intent_id"),
        "stripe_charge_id" = CASE WHEN d.moves THEN COALESCE(${observed.chargeId ?? null}::text, p."stripe_charge_id") ELSE p."stripe_charge_id" END,
        "failure_code" = CASE WHEN d.moves AND ${failed}::boolean THEN ${observed.failureCode ?? null}::text ELSE p."failure_code" END,
        "failure_message" = CASE WHEN d.moves AND ${failed}::boolean THEN ${observed.failureMessage ?? null}::text ELSE p."failure_message" END,
        "return_code" = CASE WHEN d.moves AND ${failed}::boolean THEN ${observed.returnCode ?? null}::text ELSE p."return_code" END,
        "settled_at" = CASE WHEN d.moves AND ${credits}::boolean THEN ${now}::timestamp(3) ELSE p."settled_at" END,
        "updated_at" = ${now}::timestamp(3)
      FROM decision d
      WHERE p."id" = d."id" AND (d.moves OR ${intentId}::text IS NOT NULL OR ${mandate?.acceptanceId ?? null}::text IS NOT NULL)
      RETURNING p."id", p."user_id", p."amount_cents", d.from_status, d.moves
    ),
    ledger AS (
      INSERT INTO "ledger_entries" ("id", "user_id", "payment_id", "amount_cents", "created_at")
      SELECT ${createId()}::text, "user_id", "id", "amount_cents", ${now}::timestamp(3) FROM updated WHERE moves AND ${credits}::boolean
    ),
    audit AS (
      ${AUDIT_INSERT}
      SELECT ${createId()}::text, NULL, ${`payment.${to.toLowerCase()}`}::text, 'payment', "id",
             jsonb_strip_nulls(jsonb_build_object('from', from_status::text, 'source', ${source}::text, 'failureCode', ${observed.failureCode || null}::text,
                                                'returnCode', ${observed.returnCode || null}::text)),
             ${now}::timestamp(3)
      FROM updated WHERE moves
    ),
    mandate AS (
      -- A Stripe mandate id is unique: never let a second acceptance claim it and fail the whole transition.
      UPDATE "mandate_acceptances" SET "stripe_mandate_id" = ${mandate?.stripeMandateId ?? null}::text
      WHERE "id" = ${mandate?.acceptanceId ?? null}::text AND "stripe_mandate_id" IS NULL AND EXISTS (SELECT 1 FROM updated)
        AND NOT EXISTS (SELECT 1 FROM "mandate_acceptances" WHERE "stripe_mandate_id" = ${mandate?.stripeMandateId ?? null}::text)
    )
    SELECT from_status::text AS from_status, moves FROM decision`;
  if (!row) throw new Error(`payment ${paymentId} not found`);
  return { changed: row.moves, status: row.moves ? to : row.from_status };
}

/**
 * A succeeded debit that the account holder disputed: Stripe took the money
 * back, so the balance gives it back too. Marks the payment disputed and
 * writes the ledger's reversal (minus the amount) if it was credited, with
 * an audit entry, once: the unique (payment_id, kind) makes a duplicated or
 * replayed dispute a no-op.
 *
 * The caller first applies the charge's own status (a dispute is only ever
 * on a succeeded charge), so the credit is committed before this statement
 * starts and its snapshot sees it; the payment's row lock orders it against
 * any concurrent status move.
 */
export async function applyDisputeReversal(
  db: Db,
  paymentId: string,
  dispute: { id: string; reason: string | null; at?: Date },
  source: string,
): Promise<{ newlyDisputed: boolean; reversed: boolean }> {
  const now = new Date();
  const disputedAt = dispute.at ?? now;
  const [row] = await db.$queryRaw<{ newly_disputed: boolean; reversed: boolean }[]>`
    WITH payment AS (
      SELECT "id", "user_id", "amount_cents", "disputed_at" FROM "payments" WHERE "id" = ${paymentId} FOR UPDATE
    ),
    marked AS (
      UPDATE "payments" p SET "disputed_at" = ${disputedAt}::timestamp(3), "updated_at" = ${now}::timestamp(3)
      FROM payment WHERE p."id" = payment."id" AND payment."disputed_at" IS NULL
      RETURNING p."id"
    ),
    reversal AS (
      INSERT INTO "ledger_entries" ("id", "user_id", "payment_id", "kind", "amount_cents", "created_at")
      SELECT ${createId()}::text, payment."user_id", payment."id", 'DISPUTE_REVERSAL', -payment."amount_cents", ${now}::timestamp(3)
      FROM payment
      WHERE EXISTS (SELECT 1 FROM "ledger_entries" c WHERE c."payment_id" = payment."id" AND c."kind" = 'CREDIT')
      ON CONFLICT ("payment_id", "kind") DO NOTHING
      RETURNING "id"
    ),
    audit AS (
      ${AUDIT_INSERT}
      SELECT ${createId()}::text, NULL, 'payment.disputed', 'payment', marked."id",
             jsonb_strip_nulls(jsonb_build_object('disputeId', ${dispute.id}::text, 'reason', ${dispute.reason}::text, 'source', ${source}::text,
                                                  'reversed', EXISTS (SELECT 1 FROM reversal))),
             ${now}::timestamp(3)
      FROM marked
    )
    SELECT EXISTS (SELECT 1 FROM marked) AS newly_disputed, EXISTS (SELECT 1 FROM reversal) AS reversed FROM payment`;
  if (!row) throw new Error(`payment ${paymentId} not found`);
  return { newlyDisputed: row.newly_disputed, reversed: row.reversed };
}
