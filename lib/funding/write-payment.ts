import { createId, type Db } from "@/lib/db";
import { checkRollingTotals, rollingWindows, type FundingLimits } from "./limits";
import { MANDATE_TEXT_VERSION } from "./mandate";

export interface PaymentToWrite {
  userId: string;
  bankAccountId: string;
  amountCents: number;
  requestId: string;
  /** The account's active ACH authorization, or the one accepted with this request. */
  mandate: { existingId: string } | { accept: { ip: string | null; userAgent: string | null } };
  ip: string | null;
}

export interface WrittenPayment {
  id: string;
  idempotencyKey: string;
  createdAt: Date;
  mandateAcceptanceId: string;
}

interface Row {
  day: bigint;
  thirty_day: bigint;
  payment_id: string | null;
}

/** Stripe's idempotency key for a funding request: one per user and client request id. */
export const fundingIdempotencyKey = (userId: string, requestId: string): string => `fund:${userId}:${requestId}`;

/**
 * Writes the payment down (before Stripe is called), within the user's
 * daily and 30-day limits, together with the ACH authorization accepted
 * with it and its audit entry.
 *
 * One transaction of four round trips: BEGIN, the user's row lock, one
 * statement that sums the rolling totals and inserts only if they allow it,
 * COMMIT. The lock is its own statement on purpose: under READ COMMITTED a
 * statement reads with the snapshot it started with, so totals read in the
 * locking statement itself could miss a payment committed by the request
 * that held the lock.
 *
 * Throws the limit's BankingError when the totals do not allow it, and lets
 * a unique violation on (user, request id) through (a concurrent twin).
 */
export async function writePaymentWithinLimits(db: Db, p: PaymentToWrite, limits: FundingLimits, now = new Date()): Promise<WrittenPayment> {
  const { dayStart, thirtyDayStart } = rollingWindows(now);
  const paymentId = createId();
  const idempotencyKey = fundingIdempotencyKey(p.userId, p.requestId);
  const newMandateId = "accept" in p.mandate ? createId() : null;
  const accepted = "accept" in p.mandate ? p.mandate.accept : { ip: null, userAgent: null };
  const mandateAcceptanceId = "existingId" in p.mandate ? p.mandate.existingId : newMandateId!;
  const auditMetadata = JSON.stringify({ amountCents: p.amountCents });

  const row = await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 FROM "users" WHERE "id" = ${p.userId} FOR UPDATE`;
    const [result] = await tx.$queryRaw<Row[]>`
      WITH totals AS (
        SELECT
          COALESCE(SUM("amount_cents") FILTER (WHERE "created_at" > ${dayStart}), 0)::bigint AS day,
          COALESCE(SUM("amount_cents"), 0)::bigint AS thirty_day
        FROM "payments"
        WHERE "user_id" = ${p.userId} AND "status" NOT IN ('FAILED', 'CANCELED') AND "created_at" > ${thirtyDayStart}
      ),
      allowed AS (
        SELECT 1 FROM totals
        WHERE day + ${p.amountCents}::int <= ${limits.dailyMaxCents}::bigint
          AND thirty_day + ${p.amountCents}::int <= ${limits.thirtyDayMaxCents}::bigint
      ),
      new_mandate AS (
        INSERT INTO "mandate_acceptances" ("id", "user_id", "bank_account_id", "text_version", "accepted_at", "ip_address", "user_agent", "created_at")
        SELECT ${newMandateId}::text, ${p.userId}::text, ${p.bankAccountId}::text, ${MANDATE_TEXT_VERSION}::text, ${now}::timestamp(3),
               ${accepted.ip}::text, ${accepted.userAgent}::text, ${now}::timestamp(3)
        FROM allowed WHERE ${newMandateId}::text IS NOT NULL
        RETURNING "id"
      ),
      payment AS (
        INSERT INTO "payments" ("id", "user_id", "bank_account_id", "amount_cents", "currency", "status", "request_id", "idempotency_key", "mandate_acceptance_id", "created_at", "updated_at")
        SELECT ${paymentId}::text, ${p.userId}::text, ${p.bankAccountId}::text, ${p.amountCents}::int, 'usd', 'PENDING', ${p.requestId}::text, ${idempotencyKey}::text,
               COALESCE((SELECT "id" FROM new_mandate), ${mandateAcceptanceId}::text), ${now}::timestamp(3), ${now}::timestamp(3)
        FROM allowed
        RETURNING "id"
      ),
      audit AS (
        INSERT INTO "audit_logs" ("id", "actor_id", "action", "target_type", "target_id", "metadata", "ip", "created_at")
        SELECT ${createId()}::text, ${p.userId}::text, 'payment.created', 'payment', "id", ${auditMetadata}::jsonb, ${p.ip}::text, ${now}::timestamp(3)
        FROM payment
      )
      SELECT totals.day, totals.thirty_day, payment."id" AS payment_id FROM totals LEFT JOIN payment ON TRUE`;
    return result!;
  });

  if (!row.payment_id) {
    checkRollingTotals({ dayCents: Number(row.day), thirtyDayCents: Number(row.thirty_day) }, p.amountCents, limits);
    throw new Error("payment not written although the rolling totals allow it");
  }
  return { id: paymentId, idempotencyKey, createdAt: now, mandateAcceptanceId };
}
