import "server-only";
import type Stripe from "stripe";
import type { Db } from "@/lib/db";
import { getDb } from "@/lib/db";
import { getConfig } from "@/lib/config";
import { getStripe } from "@/lib/stripe/client";
import { AppError } from "@/lib/errors";
import { errorSummary, logger } from "@/lib/log";
import { startPeriodicTask } from "@/lib/periodic-task";
import { stripeErrorCode } from "@/lib/stripe/errors";
import { readDebit } from "./stripe-debit";
import { recoverUnsubmittedPayment } from "./submission";
import { reconcileRefundsAndDisputes } from "./reconcile-lists";
import { syncPayment } from "./sync";

/**
 * Reconciliation: the safety net for webhooks that never arrived (disputes,
 * refunds and fees: lib/funding/reconcile-lists.ts, run by the same schedule). Payments
 * still PENDING/PROCESSING and not updated for `olderThanMinutes` are read
 * again from Stripe and synced like a webhook's debit (lib/funding/sync.ts,
 * source "reconcile"), so a payment that settled while its webhook was lost
 * is credited, exactly once (the ledger entry is unique per payment),
 * whether the webhook or this job gets there first.
 *
 * A PENDING payment without a PaymentIntent (or legacy charge) id: the create
 * call may or may not have reached Stripe. recoverUnsubmittedPayment adopts
 * the intent if Stripe has one, re-sends it with the same idempotency key
 * while Stripe still honours it, or cancels it. Counted as `staleUnsubmitted`.
 */
export interface ReconcileOptions {
  /** Only payments not updated for this many minutes (default 10; 0 = all). */
  olderThanMinutes?: number;
  batchSize?: number;
  /** Only these users' payments (a support tool, tests); default all. */
  userIds?: string[];
  now?: Date;
  stripe?: Stripe;
  /** Graceful shutdown: when aborted, the run finishes the payment in hand and stops. */
  signal?: AbortSignal;
}

export interface ReconcileReport {
  checked: number;
  /** Payments whose status moved (to PROCESSING, SUCCEEDED, FAILED or CANCELED). */
  updated: number;
  succeeded: number;
  failed: number;
  canceled: number;
  unchanged: number;
  staleUnsubmitted: number;
  /** Stripe does not know the intent/charge we stored (logged for an operator). */
  missingAtStripe: number;
  /** Another worker (a webhook, a retry, another instance's run) moved or was sending the payment while this run checked it: not an error. */
  handledElsewhere: number;
  errors: number;
}

export const DEFAULT_STALE_MINUTES = 10;

export async function reconcilePayments(db: Db, options: ReconcileOptions = {}): Promise<ReconcileReport> {
  const stripe = options.stripe ?? getStripe();
  const minutes = options.olderThanMinutes ?? DEFAULT_STALE_MINUTES;
  if (!Number.isFinite(minutes) || minutes < 0) throw new Error("olderThanMinutes must be a non-negative number");
  const batchSize = options.batchSize ?? 100;
  const cutoff = new Date((options.now ?? new Date()).getTime() - minutes * 60_000);
  const report: ReconcileReport = {
    checked: 0,
    updated: 0,
    succeeded: 0,
    failed: 0,
    canceled: 0,
    unchanged: 0,
    staleUnsubmitted: 0,
    missingAtStripe: 0,
    handledElsewhere: 0,
    errors: 0,
  };

  // Keyset pagination by id with a fixed cutoff: rows this run updates get a
  // newer updatedAt and are not picked up again.
  let after: string | undefined;
  for (;;) {
    const batch = await db.payment.findMany({
      where: {
        status: { in: ["PENDING", "PROCESSING"] },
        updatedAt: { lte: cutoff },
        ...(options.userIds ? { userId: { in: options.userIds } } : {}),
        ...(after ? { id: { gt: after } } : {}),
      },
      orderBy: { id: "asc" },
      take: batchSize,
      select: {
        id: true,
        userId: true,
        bankAccountId: true,
        status: true,
        stripePaymentIntentId: true,
        stripeChargeId: true,
        amountCents: true,
        currency: true,
      },
    });
    if (batch.length === 0) break;
    after = batch[batch.length - 1]!.id;

    for (const payment of batch) {
      if (options.signal?.aborted) break;
      report.checked++;
      try {
        if (!payment.stripePaymentIntentId && !payment.stripeChargeId) {
          report.staleUnsubmitted++;
          const outcome = await recoverUnsubmittedPayment({ db, stripe }, payment.id);
          logger.info({ paymentId: payment.id, outcome }, "reconcile: recovered an unsubmitted payment");
          continue;
        }
        const debit = await readDebit(stripe, { paymentIntentId: payment.stripePaymentIntentId, chargeId: payment.stripeChargeId });
        const result = await syncPayment(db, payment, debit, "reconcile");
        if (!result) report.errors++;
        else if (!result.changed) report.unchanged++;
        else {
          report.updated++;
          if (result.status === "SUCCEEDED") report.succeeded++;
          else if (result.status === "FAILED") report.failed++;
          else if (result.status === "CANCELED") report.canceled++;
        }
      } catch (err) {
        if (stripeErrorCode(err) === "resource_missing") {
          report.missingAtStripe++;
          logger.warn({ paymentId: payment.id }, "reconcile: Stripe does not know this payment's object");
        } else if (await handledElsewhere(db, payment, cutoff, err)) {
          report.handledElsewhere++;
          logger.info({ paymentId: payment.id, ...errorSummary(err) }, "reconcile: payment handled by another worker meanwhile");
        } else {
          report.errors++;
          logger.error({ paymentId: payment.id, ...errorSummary(err) }, "reconcile: payment could not be checked");
        }
      }
    }
    if (batch.length < batchSize || options.signal?.aborted) break;
  }
  return report;
}

/**
 * Whether a payment this run failed to check was taken care of by someone
 * else meanwhile: another request or worker holds its send at Stripe
 * (TRANSFER_CONFIRMING), or the row, read again, has moved on since the batch
 * was read (new status, a Stripe id it lacked, or touched after the cutoff).
 */
async function handledElsewhere(
  db: Db,
  seen: { id: string; status: string; stripePaymentIntentId: string | null; stripeChargeId: string | null },
  cutoff: Date,
  err: unknown,
): Promise<boolean> {
  if (err instanceof AppError && err.code === "TRANSFER_CONFIRMING") return true;
  const now = await db.payment.findUnique({
    where: { id: seen.id },
    select: { status: true, stripePaymentIntentId: true, stripeChargeId: true, updatedAt: true },
  });
  if (!now) return false;
  return (
    now.status !== seen.status ||
    now.stripePaymentIntentId !== seen.stripePaymentIntentId ||
    now.stripeChargeId !== seen.stripeChargeId ||
    now.updatedAt > cutoff
  );
}

/**
 * Starts the periodic reconciliation in this (Node) server process
 * (lib/periodic-task.ts). Not started during `next build`. Safe to run on
 * several instances at once: the state machine locks each payment.
 */
export function startReconcileSchedule(interval = getConfig().reconcileIntervalMs, phase = process.env.NEXT_PHASE): (() => void) | null {
  if (phase === "phase-production-build") return null;
  if (interval === 0) {
    logger.info("reconciliation job disabled (RECONCILE_INTERVAL_MS=0)");
    return null;
  }
  return startPeriodicTask("reconciliation", interval, async (signal) => {
    const report = await reconcilePayments(getDb(), { signal });
    if (report.checked > 0) logger.info({ ...report }, "reconciliation run");
    const lists = await reconcileRefundsAndDisputes(getDb(), { olderThanMinutes: DEFAULT_STALE_MINUTES });
    if (lists.changed > 0 || lists.errors > 0 || lists.feesRecorded > 0)
      logger.info({ ...lists }, "reconciliation of refunds, disputes and fees");
  });
}
