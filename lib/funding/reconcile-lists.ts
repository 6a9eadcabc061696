import "server-only";
import type Stripe from "stripe";
import type { Db } from "@/lib/db";
import { getStripe } from "@/lib/stripe/client";
import { errorSummary, logger } from "@/lib/log";
import { recordChargeFees } from "./balance";
import { applyDispute } from "./disputes";
import { applyObservedRefund, cancelUnsentRefund, submitRefund } from "./refunds";
import { listDisputesSince } from "./stripe-debit";
import { listRefundsSince, readRefund, readRefundsOfCharge } from "./stripe-refund";

/**
 * Reconciliation's second half (the first, lib/funding/reconcile.ts, checks
 * payments): what reaches the app only by webhook otherwise.
 * - Disputes and refunds created at Stripe since the last run are listed
 *   (`created[gte]`, from a cursor stored in reconcile_cursors, less an
 *   overlap) and applied like their webhooks: a lost charge.dispute.created
 *   still reverses the balance, and a refund made at Stripe is adopted.
 * - Refunds still REQUESTED or PENDING are read again: found at Stripe by
 *   metadata, re-sent with their idempotency key while Stripe honours it, or
 *   canceled as never sent; a pending one gets Stripe's current status.
 * - Succeeded payments without Stripe's fee get it from their balance
 *   transaction.
 * Everything applied here is idempotent, so a run racing a webhook (or
 * another instance) changes nothing twice.
 */
export interface ReconcileListsOptions {
  /** Only refunds and payments not updated for this many minutes (the schedule passes reconcile.ts's). */
  olderThanMinutes: number;
  now?: Date;
  stripe?: Stripe;
  /** Only these users' payments, refunds and disputes (a support tool, tests); default all. */
  userIds?: string[];
}

export interface ReconcileListsReport {
  disputesListed: number;
  refundsListed: number;
  refundsChecked: number;
  /** Refunds and payments whose state moved (applied once each). */
  changed: number;
  feesRecorded: number;
  errors: number;
}

/** Listing goes back this far before the cursor: objects created while the last run listed are not missed. */
const OVERLAP_MS = 10 * 60_000;
/** The first run lists this far back. */
const FIRST_LOOKBACK_MS = 30 * 24 * 60 * 60_000;
/** Stripe keeps idempotency keys for 24 hours; past that a re-send could refund twice. */
const RESEND_WINDOW_MS = 23 * 60 * 60 * 1000;

export const CURSORS = { disputes: "stripe.disputes", refunds: "stripe.refunds" } as const;

export async function reconcileRefundsAndDisputes(db: Db, options: ReconcileListsOptions): Promise<ReconcileListsReport> {
  const stripe = options.stripe ?? getStripe();
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.olderThanMinutes * 60_000);
  const report: ReconcileListsReport = { disputesListed: 0, refundsListed: 0, refundsChecked: 0, changed: 0, feesRecorded: 0, errors: 0 };
  const users = options.userIds ? { userId: { in: options.userIds } } : {};

  // A run limited to some users lists from the cursor but leaves it: the others' objects are still to be seen.
  const moveCursor = !options.userIds;
  await listSince(db, CURSORS.disputes, now, moveCursor, async (since) => {
    for (const dispute of await listDisputesSince(stripe, since)) {
      if (!(await isOurs(db, options.userIds, dispute))) continue;
      report.disputesListed++;
      if ((await applyDispute(db, stripe, dispute.id, "reconcile")).length > 0) report.changed++;
    }
  }).catch(() => report.errors++);

  await listSince(db, CURSORS.refunds, now, moveCursor, async (since) => {
    for (const refund of await listRefundsSince(stripe, since)) {
      if (!(await isOurs(db, options.userIds, refund))) continue;
      report.refundsListed++;
      if ((await applyObservedRefund(db, refund, "reconcile")).length > 0) report.changed++;
    }
  }).catch(() => report.errors++);

  const stale = await db.refund.findMany({
    where: { status: { in: ["REQUESTED", "PENDING"] }, updatedAt: { lte: cutoff }, ...users },
    include: { payment: { select: { stripePaymentIntentId: true, stripeChargeId: true } } },
    orderBy: { id: "asc" },
    take: 200,
  });
  for (const refund of stale) {
    report.refundsChecked++;
    try {
      if (await recheckRefund(db, stripe, refund, now)) report.changed++;
    } catch (err) {
      report.errors++;
      logger.error({ refundId: refund.id, ...errorSummary(err) }, "reconcile: refund could not be checked");
    }
  }

  const withoutFee = await db.payment.findMany({
    where: { status: "SUCCEEDED", feeCents: null, stripeChargeId: { not: null }, updatedAt: { lte: cutoff }, ...users },
    select: { id: true, stripeChargeId: true },
    orderBy: { id: "asc" },
    take: 200,
  });
  for (const payment of withoutFee) {
    try {
      if (await recordChargeFees(db, stripe, payment)) report.feesRecorded++;
    } catch (err) {
      report.errors++;
      logger.error({ paymentId: payment.id, ...errorSummary(err) }, "reconcile: fee could not be read");
    }
  }
  return report;
}

/** Whether a listed object's debit is one of these users' payments (always, without a user filter). */
async function isOurs(
  db: Db,
  userIds: string[] | undefined,
  debit: { chargeId: string | null; paymentIntentId: string | null },
): Promise<boolean> {
  if (!userIds) return true;
  const or = [
    ...(debit.paymentIntentId ? [{ stripePaymentIntentId: debit.paymentIntentId }] : []),
    ...(debit.chargeId ? [{ stripeChargeId: debit.chargeId }] : []),
  ];
  return or.length > 0 && (await db.payment.count({ where: { userId: { in: userIds }, OR: or } })) > 0;
}

/** Runs one listing from its cursor and moves the cursor to this run's start once it completed. */
async function listSince(db: Db, name: string, runStart: Date, moveCursor: boolean, list: (since: Date) => Promise<void>): Promise<void> {
  const cursor = await db.reconcileCursor.findUnique({ where: { name } });
  const since = cursor ? new Date(cursor.listedTo.getTime() - OVERLAP_MS) : new Date(runStart.getTime() - FIRST_LOOKBACK_MS);
  try {
    await list(since);
  } catch (err) {
    logger.error({ cursor: name, ...errorSummary(err) }, "reconcile: Stripe list failed; the cursor stays");
    throw err;
  }
  if (!moveCursor) return;
  await db.reconcileCursor.upsert({
    where: { name },
    create: { name, listedTo: runStart, updatedAt: new Date() },
    update: { listedTo: runStart, updatedAt: new Date() },
  });
}

type StaleRefund = {
  id: string;
  paymentId: string;
  amountCents: number;
  idempotencyKey: string;
  stripeRefundId: string | null;
  createdAt: Date;
  payment: { stripePaymentIntentId: string | null; stripeChargeId: string | null };
};

/** One refund on its way: true when its status moved. */
async function recheckRefund(db: Db, stripe: Stripe, refund: StaleRefund, now: Date): Promise<boolean> {
  if (refund.stripeRefundId) {
    const observed = await readRefund(stripe, refund.stripeRefundId);
    return observed ? (await applyObservedRefund(db, observed, "reconcile")).length > 0 : false;
  }
  // Never answered: Stripe may have it (found by the row id in its metadata).
  const found = (await readRefundsOfCharge(stripe, refund.payment.stripeChargeId, refund.payment.stripePaymentIntentId)).find(
    (r) => r.refundId === refund.id,
  );
  if (found) return (await applyObservedRefund(db, found, "reconcile")).length > 0;
  if (now.getTime() - refund.createdAt.getTime() < RESEND_WINDOW_MS) {
    const sent = await submitRefund(
      { db, stripe },
      { ...refund, paymentIntentId: refund.payment.stripePaymentIntentId, chargeId: refund.payment.stripeChargeId },
      "reconcile",
    ).catch((err: unknown) => {
      logger.warn({ refundId: refund.id, ...errorSummary(err) }, "reconcile: refund re-send did not complete");
      return null;
    });
    return sent !== null;
  }
  return cancelUnsentRefund(db, refund.id, "reconcile");
}
