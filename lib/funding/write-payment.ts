import "server-only";
import { createId, type Db } from "@/lib/db";
import type { Actor } from "@/lib/auth/actor";
import { signedOut } from "@/lib/errors";
import { SETTINGS } from "@/lib/settings";
import { MANDATE_TEXT_VERSION } from "./mandate-text";
import { checkRollingTotals, checkUserMayFund, refusalError, rollingWindows, type AccountRefusal, type FundingLimits } from "./policy";

export interface PaymentToWrite {
  /** The session the request acts in: confirmed again under the lock. */
  actor: Actor;
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
  written: boolean;
  refusal: AccountRefusal | "SIGNED_OUT" | "EMAIL_NOT_VERIFIED" | null;
}

/** Stripe's idempotency key for a funding request: one per user and client request id. */
export const fundingIdempotencyKey = (userId: string, requestId: string): string => `fund:${userId}:${requestId}`;

/**
 * Writes the payment down (before Stripe is called), within the user's
 * daily and 30-day limits, together with the ACH authorization accepted
 * with it and its audit entry.
 *
 * One round trip: the SQL function `fund_write_payment` (migrations
 * 20261121040000, 20261203060000) takes the user's row lock, then checks
 * again what may have changed since the request's first read (the session,
 * the account rule of lib/funding/policy.ts, the "fund before review"
 * setting), sums the rolling totals and inserts only if all allow it, in one
 * transaction. Block, disable and remove take the same lock
 * (lib/funding/funding-lock.ts), so whichever commits first wins. It is a
 * function rather than one plain statement because the totals must be read
 * with a snapshot taken after the lock is granted (each statement of a
 * VOLATILE function gets its own): a single statement reads with the
 * snapshot it started with and could miss a payment committed by the
 * request that held the lock.
 *
 * Throws the refusal's or the limit's AppError when it does not write, and lets
 * a unique violation on (user, request id) through (a concurrent twin).
 */
export async function writePaymentWithinLimits(
  db: Db,
  p: PaymentToWrite,
  limits: FundingLimits,
  now = new Date(),
): Promise<WrittenPayment> {
  const { dayStart, thirtyDayStart } = rollingWindows(now);
  const paymentId = createId();
  const userId = p.actor.id;
  const idempotencyKey = fundingIdempotencyKey(userId, p.requestId);
  const accept = "accept" in p.mandate ? p.mandate.accept : null;
  const mandateAcceptanceId = "existingId" in p.mandate ? p.mandate.existingId : createId();
  const auditMetadata = JSON.stringify({ amountCents: p.amountCents });

  // The function returns exactly one row, written or not.
  const [row] = await db.$queryRaw<[Row]>`
    SELECT "day", "thirty_day", "written", "refusal" FROM "fund_write_payment"(
      p_payment_id         => ${paymentId}::text,
      p_user_id            => ${userId}::text,
      p_bank_account_id    => ${p.bankAccountId}::text,
      p_amount_cents       => ${p.amountCents}::int,
      p_request_id         => ${p.requestId}::text,
      p_idempotency_key    => ${idempotencyKey}::text,
      p_mandate_id         => ${mandateAcceptanceId}::text,
      p_accept_mandate     => ${accept !== null}::boolean,
      p_mandate_version    => ${MANDATE_TEXT_VERSION}::text,
      p_mandate_ip         => ${accept?.ip ?? null}::text,
      p_mandate_user_agent => ${accept?.userAgent ?? null}::text,
      p_audit_id           => ${createId()}::text,
      p_audit_metadata     => ${auditMetadata}::jsonb,
      p_ip                 => ${p.ip}::text,
      p_day_start          => ${dayStart}::timestamp(3),
      p_thirty_day_start   => ${thirtyDayStart}::timestamp(3),
      p_daily_max_cents    => ${limits.dailyMaxCents}::bigint,
      p_thirty_day_max_cents => ${limits.thirtyDayMaxCents}::bigint,
      p_now                => ${now}::timestamp(3),
      p_session_version    => ${p.actor.sessionVersion}::int,
      p_session_id         => ${p.actor.sessionId}::text,
      p_setting_key        => ${SETTINGS.allowFundingBeforeReview.key}::text,
      p_before_review_default => ${SETTINGS.allowFundingBeforeReview.default}::boolean
    )`;

  if (row.refusal === "SIGNED_OUT") throw signedOut();
  if (row.refusal === "EMAIL_NOT_VERIFIED")
    checkUserMayFund({ emailVerified: null }); // throws the verification rule's refusal
  else if (row.refusal) throw refusalError(row.refusal);
  if (!row.written) {
    checkRollingTotals({ dayCents: Number(row.day), thirtyDayCents: Number(row.thirty_day) }, p.amountCents, limits);
    throw new Error("payment not written although the rolling totals allow it");
  }
  return { id: paymentId, idempotencyKey, createdAt: now, mandateAcceptanceId };
}
