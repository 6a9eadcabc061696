import "server-only";
import type Stripe from "stripe";
import { createId, isUniqueViolation, type Db, type Prisma } from "@/lib/db";
import { recordAudit } from "@/lib/audit";
import { AppError, notFound, upstreamUnavailable } from "@/lib/errors";
import type { RefundStatus } from "@/lib/generated/prisma/enums";
import { logger } from "@/lib/log";
import { lockFundingUser } from "./funding-lock";
import { sendRefund, type ObservedRefund } from "./stripe-refund";

/**
 * Refunds of succeeded payments: an admin's request (refundPayment) and what
 * Stripe then reports about it (applyObservedRefund, from webhooks,
 * reconciliation and the create call's own answer).
 *
 * Money is never lost or doubled:
 * - the refund row is written (REQUESTED, with its idempotency key) before
 *   Stripe is called, under the user's funding lock and the payment's row
 *   lock, and only when the payment is credited, not disputed, not refunded
 *   and has no refund on its way, so two admins (or two clicks) make one;
 * - the ledger is reversed (REFUND_REVERSAL, unique per payment) once, when
 *   Stripe reports the refund succeeded, as the issue asks; while it is on
 *   its way (REQUESTED/PENDING) its amount is held out of the available
 *   balance (lib/funding/dashboard.ts), so the money cannot be counted
 *   twice meanwhile, and a failure simply ends the hold: nothing to undo;
 * - a refund Stripe reports failed after it had succeeded gives the amount
 *   back once (REFUND_RESTORED, unique per payment).
 * A refund's status only moves forward (REQUESTED → PENDING → SUCCEEDED |
 * CANCELED, and FAILED from any of the first three), so duplicated, late or
 * reordered reports cannot undo or double anything.
 */

export interface RefundDeps {
  db: Db;
  stripe: Stripe;
}

/** The statuses whose refund holds or has taken the payment's amount: a payment has at most one. */
export const LIVE_REFUND_STATUSES: RefundStatus[] = ["REQUESTED", "PENDING", "SUCCEEDED"];

const RANK: Record<RefundStatus, number> = { REQUESTED: 0, PENDING: 1, SUCCEEDED: 2, CANCELED: 2, FAILED: 3 };

export function refundMayMove(from: RefundStatus, to: RefundStatus): boolean {
  if (from === "CANCELED" || from === "FAILED") return false;
  return RANK[to] > RANK[from];
}

interface PaymentRow {
  id: string;
  user_id: string;
  amount_cents: number;
  status: string;
  disputed_at: Date | null;
  stripe_payment_intent_id: string | null;
  stripe_charge_id: string | null;
  credited: boolean;
  refund_reversed: boolean;
  live_refund: boolean;
}

/**
 * An admin refunds a succeeded payment in full. Written down first (audited
 * with the reason), then sent to Stripe with the refund's idempotency key;
 * Stripe's answer is applied at once. A refusal by Stripe fails the refund
 * (audited) and throws REFUND_REJECTED; an unknown outcome leaves it
 * REQUESTED and throws UPSTREAM_UNAVAILABLE: reconciliation finds it at
 * Stripe or sends it again with the same key.
 */
export async function refundPayment(
  deps: RefundDeps,
  actor: { id: string; ip?: string | null },
  paymentId: string,
  reason: string,
): Promise<{ refundId: string; status: RefundStatus }> {
  const { db } = deps;
  const refund = await db.$transaction(async (tx) => {
    const owner = await tx.payment.findUnique({ where: { id: paymentId }, select: { userId: true } });
    if (!owner) throw notFound("Payment");
    await lockFundingUser(tx, owner.userId);
    const payment = await lockPayment(tx, paymentId);
    if (!payment) throw notFound("Payment");
    const refusal = refundRefusal(payment);
    if (refusal) throw new AppError(409, "NOT_REFUNDABLE", refusal);
    const id = createId();
    const row = await tx.refund.create({
      data: {
        id,
        paymentId,
        userId: payment.user_id,
        amountCents: payment.amount_cents,
        reason,
        idempotencyKey: `refund:${id}`,
        createdById: actor.id,
      },
    });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "admin.payment.refund",
      targetType: "payment",
      targetId: paymentId,
      metadata: { refundId: id, amountCents: payment.amount_cents, reason },
      ip: actor.ip ?? null,
    });
    return { ...row, paymentIntentId: payment.stripe_payment_intent_id, chargeId: payment.stripe_charge_id };
  });
  return submitRefund(deps, refund, "admin");
}

/** Why the payment may not be refunded now, in the admin's words; null when it may. */
function refundRefusal(p: PaymentRow): string | null {
  if (p.status !== "SUCCEEDED") return "Only a completed payment can be refunded.";
  if (p.disputed_at) return "This payment was disputed: the bank already took the money back.";
  if (p.refund_reversed) return "This payment was already refunded.";
  if (p.live_refund) return "A refund of this payment is already on its way.";
  if (!p.credited) return "This payment was never credited to the balance, so there is nothing to refund.";
  if (!p.stripe_payment_intent_id && !p.stripe_charge_id) return "This payment has no Stripe debit to refund.";
  return null;
}

async function lockPayment(tx: Prisma.TransactionClient, paymentId: string): Promise<PaymentRow | null> {
  const [row] = await tx.$queryRaw<PaymentRow[]>`
    SELECT p."id", p."user_id", p."amount_cents", p."status"::text AS status, p."disputed_at", p."stripe_payment_intent_id", p."stripe_charge_id",
      EXISTS (SELECT 1 FROM "ledger_entries" l WHERE l."payment_id" = p."id" AND l."kind" = 'CREDIT') AS credited,
      EXISTS (SELECT 1 FROM "ledger_entries" l WHERE l."payment_id" = p."id" AND l."kind" = 'REFUND_REVERSAL') AS refund_reversed,
      EXISTS (SELECT 1 FROM "refunds" r WHERE r."payment_id" = p."id" AND r."status"::text = ANY(${LIVE_REFUND_STATUSES}::text[])) AS live_refund
    FROM "payments" p WHERE p."id" = ${paymentId} FOR UPDATE OF p`;
  return row ?? null;
}

/** What a send needs of a written-down refund. */
export interface RefundToSubmit {
  id: string;
  paymentId: string;
  amountCents: number;
  idempotencyKey: string;
  paymentIntentId: string | null;
  chargeId: string | null;
}

/** Sends a written-down refund and applies Stripe's answer (see refundPayment). */
export async function submitRefund(
  deps: RefundDeps,
  refund: RefundToSubmit,
  source: string,
): Promise<{ refundId: string; status: RefundStatus }> {
  let result;
  try {
    result = await sendRefund(deps.stripe, {
      refundId: refund.id,
      paymentId: refund.paymentId,
      amountCents: refund.amountCents,
      idempotencyKey: refund.idempotencyKey,
      paymentIntentId: refund.paymentIntentId,
      chargeId: refund.chargeId,
    });
  } catch {
    throw upstreamUnavailable("payment processor");
  }
  if (result.outcome === "refused") {
    await moveRefund(deps.db, refund.id, { status: "FAILED", stripeRefundId: null, failureReason: result.code }, source);
    throw new AppError(422, "REFUND_REJECTED", `Stripe refused the refund (${result.code}). Nothing was refunded.`);
  }
  const applied = await moveRefund(deps.db, refund.id, result.refund, source);
  return { refundId: refund.id, status: applied.status };
}

/** A refund that never reached Stripe within its idempotency window: canceled (audited); its hold on the balance ends. */
export async function cancelUnsentRefund(db: Db, refundId: string, source: string): Promise<boolean> {
  const moved = await moveRefund(db, refundId, { status: "CANCELED", stripeRefundId: null, failureReason: "never_submitted" }, source);
  return moved.changed;
}

/**
 * What Stripe reports about a refund (read from Stripe, never taken from a
 * payload): applied to its row, found by Stripe's id or by the row id the
 * app put in its metadata. A refund made at Stripe directly (the Dashboard)
 * on a known payment is adopted as a row of its own, so its money is
 * counted too. Returns the payment id when anything changed.
 */
export async function applyObservedRefund(db: Db, observed: ObservedRefund, source: string): Promise<string[]> {
  const row = await refundRowFor(db, observed);
  if (!row) return [];
  const applied = await moveRefund(db, row.id, observed, source);
  return applied.changed ? [row.paymentId] : [];
}

async function refundRowFor(db: Db, observed: ObservedRefund): Promise<{ id: string; paymentId: string } | null> {
  const select = { id: true, paymentId: true } as const;
  const byStripeId = await db.refund.findUnique({ where: { stripeRefundId: observed.stripeRefundId }, select });
  if (byStripeId) return byStripeId;
  if (observed.refundId) {
    const ours = await db.refund.findFirst({ where: { id: observed.refundId, stripeRefundId: null }, select });
    if (ours) return ours;
  }
  const payment = await db.payment.findFirst({
    where: {
      OR: [
        ...(observed.paymentIntentId ? [{ stripePaymentIntentId: observed.paymentIntentId }] : []),
        ...(observed.chargeId ? [{ stripeChargeId: observed.chargeId }] : []),
      ],
    },
    select: { id: true, userId: true, amountCents: true, currency: true },
  });
  if (!payment || (!observed.paymentIntentId && !observed.chargeId)) {
    logger.info({ stripeRefundId: observed.stripeRefundId }, "refund for an unknown payment");
    return null;
  }
  if (observed.amountCents !== payment.amountCents || observed.currency.toLowerCase() !== payment.currency.toLowerCase()) {
    // Partial refunds are not made by the app; one made at Stripe is logged for an operator, not counted.
    logger.error({ paymentId: payment.id, stripeRefundId: observed.stripeRefundId }, "refund amount differs from its payment; not applied");
    return null;
  }
  try {
    const adopted = await db.refund.create({
      data: {
        paymentId: payment.id,
        userId: payment.userId,
        amountCents: observed.amountCents,
        idempotencyKey: `stripe:${observed.stripeRefundId}`,
        stripeRefundId: observed.stripeRefundId,
      },
      select,
    });
    logger.warn({ paymentId: payment.id, stripeRefundId: observed.stripeRefundId }, "refund made at Stripe adopted");
    return adopted;
  } catch (err) {
    // A concurrent report adopted it first.
    if (isUniqueViolation(err)) return db.refund.findUnique({ where: { stripeRefundId: observed.stripeRefundId }, select });
    throw err;
  }
}

/**
 * Moves one refund to the observed status, if it moves forward, with the
 * ledger's entry and an audit entry, in one transaction under the payment's
 * row lock (the same lock as the ledger's status moves and disputes).
 */
async function moveRefund(
  db: Db,
  refundId: string,
  observed: Pick<ObservedRefund, "status" | "failureReason"> & { stripeRefundId: string | null },
  source: string,
): Promise<{ changed: boolean; status: RefundStatus }> {
  return db.$transaction(async (tx) => {
    const { paymentId } = await tx.refund.findUniqueOrThrow({ where: { id: refundId }, select: { paymentId: true } });
    await tx.$queryRaw`SELECT 1 FROM "payments" WHERE "id" = ${paymentId} FOR UPDATE`;
    const refund = await tx.refund.findUniqueOrThrow({ where: { id: refundId } });
    const stripeRefundId = refund.stripeRefundId ?? observed.stripeRefundId;
    if (!refundMayMove(refund.status, observed.status)) {
      if (stripeRefundId !== refund.stripeRefundId) await tx.refund.update({ where: { id: refundId }, data: { stripeRefundId } });
      return { changed: false, status: refund.status };
    }
    const now = new Date();
    const to = observed.status;
    await tx.refund.update({
      where: { id: refundId },
      data: {
        status: to,
        stripeRefundId,
        failureReason: to === "FAILED" || to === "CANCELED" ? (observed.failureReason ?? "unknown") : refund.failureReason,
        settledAt: to === "PENDING" ? refund.settledAt : now,
      },
    });
    let ledger: "reversed" | "restored" | null = null;
    if (to === "SUCCEEDED") {
      const { count } = await tx.ledgerEntry.createMany({
        data: [{ userId: refund.userId, paymentId, kind: "REFUND_REVERSAL", amountCents: -refund.amountCents, createdAt: now }],
        skipDuplicates: true,
      });
      if (count > 0) ledger = "reversed";
    } else if (to === "FAILED" && refund.status === "SUCCEEDED") {
      // Stripe reported it succeeded, then failed: the money came back, once.
      const { count } = await tx.ledgerEntry.createMany({
        data: [{ userId: refund.userId, paymentId, kind: "REFUND_RESTORED", amountCents: refund.amountCents, createdAt: now }],
        skipDuplicates: true,
      });
      if (count > 0) ledger = "restored";
    }
    await recordAudit(tx, {
      actorId: null,
      action: `payment.refund_${to.toLowerCase()}`,
      targetType: "payment",
      targetId: paymentId,
      metadata: {
        refundId,
        from: refund.status,
        source,
        ...(stripeRefundId ? { stripeRefundId } : {}),
        ...(ledger ? { ledger } : {}),
        ...(to === "FAILED" || to === "CANCELED" ? { failureReason: observed.failureReason ?? "unknown" } : {}),
      },
    });
    return { changed: true, status: to };
  });
}
