import "server-only";
import type { Db, User } from "@/lib/db";
import { actorMayAct, type Actor } from "@/lib/auth/actor";
import { Prisma } from "@/lib/generated/prisma/client";
import { getConfig } from "@/lib/config";
import { bankLabel } from "@/lib/format";
import { allowFundingBeforeReviewFrom, SETTINGS } from "@/lib/settings";
import { accountRefusal } from "./policy";
import type { BankAccountView, DashboardData, PaymentView } from "./views";
import { achReturnOf, KNOWN_ACH_FAILURE_CODES, NEXT_STEP_TEXT } from "./ach-returns";

const HISTORY_SIZE = 25;

/**
 * The user's bank accounts (not removed), oldest first, with item status,
 * whether an authorization is on file and the "fund before review" setting,
 * as one JSON array.
 */
const bankAccountsJson = (userId: string): Prisma.Sql => Prisma.sql`
  (SELECT COALESCE(json_agg(a ORDER BY a.created_at, a.id), '[]'::json) FROM (
    SELECT b."id", b."institution_name", b."name", b."mask", b."subtype", b."status", b."item_id", i."status" AS item_status,
           b."review_status", b."created_at", b."unusable_failure_code", b."unusable_return_code",
           (SELECT st."value" FROM "app_settings" st WHERE st."key" = ${SETTINGS.allowFundingBeforeReview.key}) AS fund_before_review,
           EXISTS (SELECT 1 FROM "mandate_acceptances" m WHERE m."bank_account_id" = b."id" AND m."revoked_at" IS NULL) AS has_mandate
    FROM "bank_accounts" b JOIN "plaid_items" i ON i."id" = b."item_id"
    WHERE b."user_id" = ${userId} AND b."status" <> 'REMOVED'
  ) a)`;

/** The signed-in user as the dashboard page and its header show them. */
export type DashboardViewer = Pick<User, "email" | "name" | "role">;

interface DashboardRow {
  email: string;
  name: string | null;
  role: User["role"];
  email_verified: boolean;
  available_cents: bigint;
  pending_cents: bigint;
  accounts: DashboardAccountJson[];
  payments: DashboardPaymentJson[];
}

interface DashboardAccountJson {
  id: string;
  institution_name: string | null;
  name: string;
  mask: string | null;
  subtype: string | null;
  status: BankAccountView["status"];
  item_id: string;
  item_status: BankAccountView["itemStatus"];
  review_status: BankAccountView["reviewStatus"];
  has_mandate: boolean;
  unusable_failure_code: string | null;
  unusable_return_code: string | null;
  /** The stored "fund before review" setting (JSON), null when unset. */
  fund_before_review: unknown;
}

interface DashboardPaymentJson {
  id: string;
  request_id: string;
  amount_cents: number;
  status: PaymentView["status"];
  /** ISO 8601 in UTC, formatted by PostgreSQL. */
  created_at: string;
  failure_message: string | null;
  failure_code: string | null;
  return_code: string | null;
  disputed: boolean;
  refund: PaymentView["refund"];
  institution_name: string | null;
  mask: string | null;
}

/**
 * Everything the dashboard shows (who is signed in, bank accounts with their
 * item status and mandate, both balances, the latest payments) in one SQL
 * round trip, whatever the history size: the page is rendered on every visit
 * and polled while a transfer is on its way, and each round trip costs more
 * than the index lookups behind it (docs/benchmarks.md). The same statement confirms
 * that the actor may still act (actorMayAct), so neither the page nor the
 * polling route reads the user on its own.
 *
 * Null when the actor may not act (disabled, signed out everywhere, gone).
 */
export async function loadDashboard(db: Db, actor: Actor): Promise<{ viewer: DashboardViewer; data: DashboardData } | null> {
  const userId = actor.id;
  const [row] = await db.$queryRaw<DashboardRow[]>`
    SELECT
      u."email", u."name", u."role"::text AS "role", u."email_verified" IS NOT NULL AS email_verified,
      ((SELECT COALESCE(SUM("amount_cents"), 0) FROM "ledger_entries" WHERE "user_id" = ${userId})
        -- A refund on its way holds its amount (lib/funding/refunds.ts): the ledger is reversed when it succeeds.
        - (SELECT COALESCE(SUM("amount_cents"), 0) FROM "refunds" WHERE "user_id" = ${userId} AND "status" IN ('REQUESTED', 'PENDING')))::bigint AS available_cents,
      (SELECT COALESCE(SUM("amount_cents"), 0) FROM "payments" WHERE "user_id" = ${userId} AND "status" IN ('PENDING', 'PROCESSING'))::bigint AS pending_cents,
      ${bankAccountsJson(userId)} AS accounts,
      (SELECT COALESCE(json_agg(p ORDER BY p.sort_key DESC, p.id DESC), '[]'::json) FROM (
        SELECT pay."id", pay."request_id", pay."amount_cents", pay."status", pay."created_at" AS sort_key,
               to_char(pay."created_at", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at,
               pay."failure_message", pay."failure_code", pay."return_code", pay."disputed_at" IS NOT NULL AS disputed, b."institution_name", b."mask",
               (SELECT CASE WHEN bool_or(r."status" = 'SUCCEEDED') THEN 'refunded' WHEN bool_or(r."status" IN ('REQUESTED', 'PENDING')) THEN 'pending' END
                FROM "refunds" r WHERE r."payment_id" = pay."id") AS refund
        FROM "payments" pay JOIN "bank_accounts" b ON b."id" = pay."bank_account_id"
        WHERE pay."user_id" = ${userId}
        ORDER BY pay."created_at" DESC, pay."id" DESC
        LIMIT ${HISTORY_SIZE}
      ) p) AS payments
    FROM "users" u WHERE ${actorMayAct(actor)}`;
  if (!row) return null;
  const { funding } = getConfig();
  const data: DashboardData = {
    emailVerified: row.email_verified,
    bankAccounts: row.accounts.map(toBankAccountView),
    balances: { availableCents: Number(row.available_cents), pendingCents: Number(row.pending_cents) },
    payments: row.payments.map((p) =>
      toPaymentView({
        id: p.id,
        requestId: p.request_id,
        amountCents: p.amount_cents,
        status: p.status,
        createdAt: new Date(p.created_at),
        failureMessage: p.failure_message,
        failureCode: p.failure_code,
        returnCode: p.return_code,
        disputed: p.disputed,
        refund: p.refund,
        bankAccount: { institutionName: p.institution_name, mask: p.mask },
      }),
    ),
    limits: {
      minCents: funding.minCents,
      maxCents: funding.maxCents,
      dailyMaxCents: funding.dailyMaxCents,
      thirtyDayMaxCents: funding.thirtyDayMaxCents,
    },
  };
  return { viewer: { email: row.email, name: row.name, role: row.role }, data };
}

/** The dashboard's data alone (the polling route, tests): loadDashboard without the viewer. */
export async function getDashboardData(db: Db, actor: Actor): Promise<DashboardData | null> {
  return (await loadDashboard(db, actor))?.data ?? null;
}

function toBankAccountView(a: DashboardAccountJson): BankAccountView {
  return {
    id: a.id,
    institutionName: a.institution_name,
    name: a.name,
    mask: a.mask,
    subtype: a.subtype,
    status: a.status,
    itemId: a.item_id,
    itemStatus: a.item_status,
    reviewStatus: a.review_status,
    awaitingReview:
      accountRefusal(
        { status: a.status, reviewStatus: a.review_status, itemStatus: a.item_status },
        allowFundingBeforeReviewFrom(a.fund_before_review),
      ) === "ACCOUNT_UNDER_REVIEW",
    needsMandate: !a.has_mandate,
    returned: a.status === "UNUSABLE" ? returnedView(a.unusable_failure_code, a.unusable_return_code) : null,
  };
}

/** The person's words for the return that made an account unusable. */
function returnedView(failureCode: string | null, returnCode: string | null): BankAccountView["returned"] {
  const ach = achReturnOf({ failureCode, networkDeclineCode: returnCode });
  return { reason: ach.reason, nextStep: NEXT_STEP_TEXT[ach.nextStep] };
}

/** What to do after a debit the bank returned: only for an ACH return the mapping knows (lib/funding/ach-returns.ts). */
function returnNextStep(failureCode: string | null, returnCode: string | null): string | null {
  if (!returnCode && !(failureCode && KNOWN_ACH_FAILURE_CODES.includes(failureCode))) return null;
  return NEXT_STEP_TEXT[achReturnOf({ failureCode, networkDeclineCode: returnCode }).nextStep];
}

export async function listBankAccounts(db: Db, userId: string): Promise<BankAccountView[]> {
  const [row] = await db.$queryRaw<{ accounts: DashboardAccountJson[] }[]>`SELECT ${bankAccountsJson(userId)} AS accounts`;
  return row!.accounts.map(toBankAccountView);
}

export function toPaymentView(p: {
  id: string;
  requestId: string;
  amountCents: number;
  status: PaymentView["status"];
  createdAt: Date;
  failureMessage: string | null;
  failureCode?: string | null;
  returnCode?: string | null;
  disputed?: boolean;
  refund?: PaymentView["refund"];
  bankAccount: { institutionName: string | null; mask: string | null };
}): PaymentView {
  return {
    id: p.id,
    requestId: p.requestId,
    amountCents: p.amountCents,
    status: p.status,
    createdAt: p.createdAt.toISOString(),
    bankLabel: bankLabel(p.bankAccount),
    failureReason: p.status === "FAILED" || p.status === "CANCELED" ? p.failureMessage : null,
    nextStep: p.status === "FAILED" ? returnNextStep(p.failureCode ?? null, p.returnCode ?? null) : null,
    disputed: p.disputed ?? false,
    refund: p.refund ?? null,
  };
}
