import "server-only";
import type { Db, Prisma } from "@/lib/db";
import { startsWithText } from "@/lib/db/like";
import { notFound } from "@/lib/errors";
import { bankLabel } from "@/lib/format";
import { achReturnOf } from "@/lib/funding/ach-returns";
import { LIVE_REFUND_STATUSES } from "@/lib/funding/refunds";
import { csvRow } from "./csv";
import { dayEnd, dayStart, encodeCursor, type PageCursor, type PaymentFilter } from "./schemas";
import { PAGE_SIZE } from "./types";
import { toAuditView, type AuditEntryView } from "./users";

export interface AdminPaymentRow {
  id: string;
  createdAt: string;
  userId: string;
  userEmail: string;
  amountCents: number;
  currency: string;
  status: string;
  bankLabel: string;
  stripePaymentIntentId: string | null;
  stripeChargeId: string | null;
  failureCode: string | null;
  failureMessage: string | null;
  /** The ACH return code (R01…) of a failed debit. */
  returnCode: string | null;
  settledAt: string | null;
}

/**
 * The filter as a Prisma where. An email filter is resolved to user ids first
 * (exact address, else addresses starting with it) so the payments query
 * stays on payments(user_id, created_at) instead of joining users.
 */
async function whereOf(db: Db, filter: PaymentFilter): Promise<Prisma.PaymentWhereInput | null> {
  const where: Prisma.PaymentWhereInput[] = [];
  if (filter.status) where.push({ status: filter.status });
  if (filter.from) where.push({ createdAt: { gte: dayStart(filter.from) } });
  if (filter.to) where.push({ createdAt: { lt: dayEnd(filter.to) } });
  if (filter.minAmount !== undefined) where.push({ amountCents: { gte: filter.minAmount } });
  if (filter.maxAmount !== undefined) where.push({ amountCents: { lte: filter.maxAmount } });
  if (filter.email) {
    const exact = await db.user.findUnique({ where: { email: filter.email }, select: { id: true } });
    const ids = exact
      ? [exact.id]
      : (await db.user.findMany({ where: { email: startsWithText(filter.email) }, select: { id: true }, take: 100 })).map((u) => u.id);
    if (ids.length === 0) return null;
    where.push({ userId: { in: ids } });
  }
  return { AND: where };
}

const rowInclude = { user: { select: { email: true } }, bankAccount: { select: { institutionName: true, mask: true } } } as const;

function toRow(p: Prisma.PaymentGetPayload<{ include: typeof rowInclude }>): AdminPaymentRow {
  return {
    id: p.id,
    createdAt: p.createdAt.toISOString(),
    userId: p.userId,
    userEmail: p.user.email,
    amountCents: p.amountCents,
    currency: p.currency,
    status: p.status,
    bankLabel: bankLabel(p.bankAccount),
    stripePaymentIntentId: p.stripePaymentIntentId,
    stripeChargeId: p.stripeChargeId,
    failureCode: p.failureCode,
    failureMessage: p.failureMessage,
    returnCode: p.returnCode,
    settledAt: p.settledAt?.toISOString() ?? null,
  };
}

/** One page of payments, newest first, keyset-paginated on (created_at, id). */
async function page(db: Db, where: Prisma.PaymentWhereInput, after: PageCursor | null, take: number) {
  return db.payment.findMany({
    where: after
      ? { AND: [where, { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] }] }
      : where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    include: rowInclude,
  });
}

export async function listAdminPayments(
  db: Db,
  filter: PaymentFilter,
  pageSize = PAGE_SIZE,
): Promise<{ payments: AdminPaymentRow[]; nextCursor: string | null }> {
  const where = await whereOf(db, filter);
  if (!where) return { payments: [], nextCursor: null };
  const rows = await page(db, where, filter.cursor ?? null, pageSize + 1);
  const more = rows.length > pageSize;
  const shown = rows.slice(0, pageSize);
  return { payments: shown.map(toRow), nextCursor: more ? encodeCursor(shown[shown.length - 1]!) : null };
}

export const CSV_COLUMNS = [
  "payment_id",
  "created_at",
  "user_email",
  "amount",
  "currency",
  "status",
  "bank",
  "stripe_payment_intent_id",
  "stripe_charge_id",
  "failure_code",
  "return_code",
  "failure_message",
  "settled_at",
] as const;

/**
 * The filtered list as CSV, streamed in keyset batches: memory stays flat
 * however many payments match, and the first bytes go out at once.
 */
export function exportPaymentsCsv(db: Db, filter: PaymentFilter, options: { batchSize?: number } = {}): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const batchSize = options.batchSize ?? 1_000;
  let where: Prisma.PaymentWhereInput | null | undefined;
  let after: PageCursor | null = null;
  let done = false;
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode(csvRow([...CSV_COLUMNS])));
      where = await whereOf(db, { ...filter, cursor: undefined });
      if (!where) done = true;
    },
    async pull(controller) {
      if (done || !where) {
        controller.close();
        return;
      }
      const rows = await page(db, where, after, batchSize);
      if (rows.length > 0) {
        let chunk = "";
        for (const p of rows) {
          const r = toRow(p);
          chunk += csvRow([
            r.id,
            r.createdAt,
            r.userEmail,
            (r.amountCents / 100).toFixed(2),
            r.currency,
            r.status,
            r.bankLabel,
            r.stripePaymentIntentId,
            r.stripeChargeId,
            r.failureCode,
            r.returnCode,
            r.failureMessage,
            r.settledAt,
          ]);
        }
        controller.enqueue(encoder.encode(chunk));
        const last = rows[rows.length - 1]!;
        after = { createdAt: last.createdAt, id: last.id };
      }
      if (rows.length < batchSize) {
        done = true;
        controller.close();
      }
    },
  });
}

export interface TimelineEntry {
  at: string;
  source: "stripe" | "audit";
  label: string;
  detail: string | null;
}

export interface AdminRefundView {
  id: string;
  amountCents: number;
  status: string;
  reason: string | null;
  createdByEmail: string | null;
  stripeRefundId: string | null;
  failureReason: string | null;
  createdAt: string;
  settledAt: string | null;
}

export interface AdminPaymentDetail {
  payment: AdminPaymentRow & {
    requestId: string;
    bankAccountId: string;
    mandateAcceptanceId: string | null;
    stripeMandateId: string | null;
    credited: boolean;
    disputedAt: string | null;
    reversed: boolean;
    /** The dispute at Stripe: its id, Stripe's reason and the fee its balance transactions withdrew. */
    dispute: { id: string | null; reason: string | null; feeCents: number | null } | null;
    /** What the ACH return code means (lib/funding/ach-returns.ts), for a failed debit that has one. */
    returnMeaning: string | null;
    /** Stripe's fee and the net from the charge's balance transaction, once known. */
    feeCents: number | null;
    netCents: number | null;
    /** Whether "Refund" applies now (lib/funding/refunds.ts has the last word). */
    refundable: boolean;
    /** The ledger's refund entries: reversed once the refund succeeded, restored if it failed after that. */
    refundReversed: boolean;
    refundRestored: boolean;
    updatedAt: string;
  };
  refunds: AdminRefundView[];
  stripeEvents: { id: string; type: string; receivedAt: string; processedAt: string | null; detail: string | null }[];
  audit: AuditEntryView[];
  timeline: TimelineEntry[];
}

/** A payment with its Stripe ids, the webhook events about it and its audit entries, merged into one timeline. */
export async function getAdminPaymentDetail(db: Db, paymentId: string): Promise<AdminPaymentDetail> {
  const p = await db.payment.findUnique({
    where: { id: paymentId },
    include: {
      ...rowInclude,
      mandate: { select: { stripeMandateId: true } },
      ledgerEntries: { select: { kind: true } },
      refunds: { orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: 50 },
    },
  });
  if (!p) throw notFound("Payment");
  const refundIds = p.refunds.map((r) => r.stripeRefundId);
  const objectIds = [p.stripePaymentIntentId, p.stripeChargeId, p.stripeDisputeId, ...refundIds].filter((x): x is string => Boolean(x));
  const refundActors = p.refunds.map((r) => r.createdById).filter((x): x is string => Boolean(x));
  const actors = refundActors.length
    ? new Map(
        (await db.user.findMany({ where: { id: { in: refundActors } }, select: { id: true, email: true } })).map((u) => [u.id, u.email]),
      )
    : new Map<string, string>();
  const [events, audit] = await Promise.all([
    objectIds.length
      ? db.stripeEvent.findMany({ where: { objectId: { in: objectIds } }, orderBy: { receivedAt: "asc" }, take: 200 })
      : Promise.resolve([]),
    db.auditLog.findMany({
      where: { targetType: "payment", targetId: p.id },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: 200,
      include: { actor: { select: { email: true } } },
    }),
  ]);
  const stripeEvents = events.map((e) => ({
    id: e.id,
    type: e.type,
    receivedAt: e.receivedAt.toISOString(),
    processedAt: e.processedAt?.toISOString() ?? null,
    detail: eventDetail(e.payload),
  }));
  const auditViews = audit.map(toAuditView);
  const timeline: TimelineEntry[] = [
    { at: p.createdAt.toISOString(), source: "audit" as const, label: "payment row written", detail: null },
    ...stripeEvents.map((e) => ({ at: e.receivedAt, source: "stripe" as const, label: e.type, detail: e.detail })),
    ...auditViews.map((a) => ({ at: a.createdAt, source: "audit" as const, label: a.action, detail: a.actorEmail })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return {
    payment: {
      ...toRow(p),
      requestId: p.requestId,
      bankAccountId: p.bankAccountId,
      mandateAcceptanceId: p.mandateAcceptanceId,
      stripeMandateId: p.mandate?.stripeMandateId ?? null,
      credited: p.ledgerEntries.some((e) => e.kind === "CREDIT"),
      disputedAt: p.disputedAt?.toISOString() ?? null,
      reversed: p.ledgerEntries.some((e) => e.kind === "DISPUTE_REVERSAL"),
      dispute: p.disputedAt ? { id: p.stripeDisputeId, reason: p.disputeReason, feeCents: p.disputeFeeCents } : null,
      returnMeaning:
        p.status === "FAILED" && p.returnCode ? achReturnOf({ failureCode: p.failureCode, networkDeclineCode: p.returnCode }).reason : null,
      feeCents: p.feeCents,
      netCents: p.netCents,
      refundable:
        p.status === "SUCCEEDED" &&
        !p.disputedAt &&
        p.ledgerEntries.some((e) => e.kind === "CREDIT") &&
        !p.ledgerEntries.some((e) => e.kind === "REFUND_REVERSAL") &&
        !p.refunds.some((r) => LIVE_REFUND_STATUSES.includes(r.status)),
      refundReversed: p.ledgerEntries.some((e) => e.kind === "REFUND_REVERSAL"),
      refundRestored: p.ledgerEntries.some((e) => e.kind === "REFUND_RESTORED"),
      updatedAt: p.updatedAt.toISOString(),
    },
    refunds: p.refunds.map((r) => ({
      id: r.id,
      amountCents: r.amountCents,
      status: r.status,
      reason: r.reason,
      createdByEmail: r.createdById ? (actors.get(r.createdById) ?? null) : null,
      stripeRefundId: r.stripeRefundId,
      failureReason: r.failureReason,
      createdAt: r.createdAt.toISOString(),
      settledAt: r.settledAt?.toISOString() ?? null,
    })),
    stripeEvents,
    audit: auditViews,
    timeline,
  };
}

/** A short, PII-free note from an event payload: the object's status and failure reason. */
function eventDetail(payload: unknown): string | null {
  const object = (payload as { data?: { object?: Record<string, unknown> } } | null)?.data?.object;
  if (!object) return null;
  const parts: string[] = [];
  if (typeof object.status === "string") parts.push(`status ${object.status}`);
  const lastError = object.last_payment_error as { code?: string; message?: string } | null | undefined;
  const failure = (typeof object.failure_code === "string" ? object.failure_code : null) ?? lastError?.code ?? null;
  const message = (typeof object.failure_message === "string" ? object.failure_message : null) ?? lastError?.message ?? null;
  if (failure) parts.push(`failure ${failure}${message ? `: ${message}` : ""}`);
  return parts.length ? parts.join(", ") : null;
}
