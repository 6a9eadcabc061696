import "server-only";
import type { Db } from "@/lib/db";
import { actorMayAct, type Actor } from "@/lib/auth/actor";
import type { BankAccountStatus, ItemStatus, PaymentStatus, ReviewStatus } from "@/lib/generated/prisma/enums";
import { allowFundingBeforeReviewFrom, SETTINGS } from "@/lib/settings";
import { rollingWindows, type RollingTotals } from "./policy";

/** A payment already written for the same client request id (a replay). */
export interface ReplayedPayment {
  id: string;
  bankAccountId: string;
  amountCents: number;
  status: PaymentStatus;
  submitted: boolean;
}

/** The bank account to debit, with what the checks and the Stripe call need. */
export interface FundingAccount {
  id: string;
  status: BankAccountStatus;
  reviewStatus: ReviewStatus;
  plaidAccountId: string;
  stripeBankAccountId: string | null;
  institutionName: string | null;
  mask: string | null;
  item: { id: string; status: ItemStatus; accessTokenCiphertext: string };
  /** The newest unrevoked ACH authorization, if any. */
  mandate: { id: string; stripeMandateId: string | null; acceptedAt: Date; ipAddress: string | null; userAgent: string | null } | null;
}

export interface FundingContext {
  /** When the user's email address was verified; null while it is not (lib/auth/email-verification.ts). */
  emailVerified: Date | null;
  replay: ReplayedPayment | null;
  /** Null when the account does not exist or belongs to someone else. */
  account: FundingAccount | null;
  stripeCustomerId: string | null;
  allowFundingBeforeReview: boolean;
  /** What the user has debited in the rolling windows, for the limits' early check (checked again under the lock). */
  totals: RollingTotals;
}

interface Row {
  email_verified: Date | null;
  replay_id: string | null;
  replay_bank_account_id: string | null;
  replay_amount_cents: number | null;
  replay_status: PaymentStatus | null;
  replay_submitted: boolean | null;
  account_id: string | null;
  account_status: BankAccountStatus | null;
  review_status: ReviewStatus | null;
  plaid_account_id: string | null;
  stripe_bank_account_id: string | null;
  institution_name: string | null;
  mask: string | null;
  item_id: string | null;
  item_status: ItemStatus | null;
  access_token_ciphertext: string | null;
  mandate_id: string | null;
  stripe_mandate_id: string | null;
  mandate_accepted_at: Date | null;
  mandate_ip_address: string | null;
  mandate_user_agent: string | null;
  stripe_customer_id: string | null;
  fund_before_review: unknown;
  day_cents: bigint;
  thirty_day_cents: bigint;
}

/**
 * Everything a funding request checks before it calls the bank, in one SQL
 * round trip: that the actor may still act (the session check, actorMayAct)
 * and whether their email address is verified, the replay lookup (user +
 * request id), the account with its item and active mandate (scoped to the
 * user), the user's Stripe customer, the "fund before review" setting and
 * the rolling totals (so the limits are checked before the bank is called).
 * The per-request cost of the funding path is dominated by round trips
 * (docs/benchmarks.md), hence one query.
 *
 * Null when the actor may not act (disabled, signed out everywhere, gone).
 */
export async function loadFundingContext(
  db: Db,
  actor: Actor,
  requestId: string,
  bankAccountId: string,
  now = new Date(),
): Promise<FundingContext | null> {
  const { dayStart, thirtyDayStart } = rollingWindows(now);
  const [row] = await db.$queryRaw<Row[]>`
    SELECT
      u."email_verified",
      p."id" AS replay_id, p."bank_account_id" AS replay_bank_account_id, p."amount_cents" AS replay_amount_cents,
      p."status"::text AS replay_status,
      (p."stripe_payment_intent_id" IS NOT NULL OR p."stripe_charge_id" IS NOT NULL OR p."status" <> 'PENDING') AS replay_submitted,
      a."id" AS account_id, a."status"::text AS account_status, a."review_status"::text AS review_status,
      a."plaid_account_id", a."stripe_bank_account_id", a."institution_name", a."mask",
      i."id" AS item_id, i."status"::text AS item_status, i."access_token_ciphertext",
      m."id" AS mandate_id, m."stripe_mandate_id", m."accepted_at" AS mandate_accepted_at,
      m."ip_address" AS mandate_ip_address, m."user_agent" AS mandate_user_agent,
      u."stripe_customer_id",
      s."value" AS fund_before_review,
      t.day_cents, t.thirty_day_cents
    FROM "users" u
    LEFT JOIN "payments" p ON p."user_id" = u."id" AND p."request_id" = ${requestId}
    LEFT JOIN "bank_accounts" a ON a."id" = ${bankAccountId} AND a."user_id" = u."id"
    LEFT JOIN "plaid_items" i ON i."id" = a."item_id"
    LEFT JOIN LATERAL (
      SELECT "id", "stripe_mandate_id", "accepted_at", "ip_address", "user_agent" FROM "mandate_acceptances"
      WHERE "bank_account_id" = a."id" AND "revoked_at" IS NULL
      ORDER BY "created_at" DESC LIMIT 1
    ) m ON TRUE
    LEFT JOIN "app_settings" s ON s."key" = ${SETTINGS.allowFundingBeforeReview.key}
    CROSS JOIN LATERAL (
      SELECT COALESCE(SUM(t."amount_cents") FILTER (WHERE t."created_at" > ${dayStart}::timestamp(3)), 0)::bigint AS day_cents,
        COALESCE(SUM(t."amount_cents"), 0)::bigint AS thirty_day_cents
      FROM "payments" t
      WHERE t."user_id" = u."id" AND t."status" NOT IN ('FAILED', 'CANCELED') AND t."created_at" > ${thirtyDayStart}::timestamp(3)
    ) t
    WHERE ${actorMayAct(actor)}`;
  if (!row) return null;
  return {
    emailVerified: row.email_verified,
    replay: row.replay_id
      ? {
          id: row.replay_id,
          bankAccountId: row.replay_bank_account_id!,
          amountCents: row.replay_amount_cents!,
          status: row.replay_status!,
          submitted: row.replay_submitted!,
        }
      : null,
    account: row.account_id
      ? {
          id: row.account_id,
          status: row.account_status!,
          reviewStatus: row.review_status!,
          plaidAccountId: row.plaid_account_id!,
          stripeBankAccountId: row.stripe_bank_account_id,
          institutionName: row.institution_name,
          mask: row.mask,
          item: { id: row.item_id!, status: row.item_status!, accessTokenCiphertext: row.access_token_ciphertext! },
          mandate: row.mandate_id
            ? {
                id: row.mandate_id,
                stripeMandateId: row.stripe_mandate_id,
                acceptedAt: row.mandate_accepted_at!,
                ipAddress: row.mandate_ip_address,
                userAgent: row.mandate_user_agent,
              }
            : null,
        }
      : null,
    stripeCustomerId: row.stripe_customer_id,
    allowFundingBeforeReview: allowFundingBeforeReviewFrom(row.fund_before_review),
    totals: { dayCents: Number(row.day_cents), thirtyDayCents: Number(row.thirty_day_cents) },
  };
}
