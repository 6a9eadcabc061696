import "server-only";
import type Stripe from "stripe";
import type { Db } from "@/lib/db";
import { AppError, transferConfirming, upstreamUnavailable } from "@/lib/errors";
import { logger, errorSummary } from "@/lib/log";
import { stripeErrorCode } from "@/lib/stripe/errors";
import { getConfig } from "@/lib/config";
import type { PaymentStatus } from "@/lib/generated/prisma/enums";
import { applyObservedStatus, type SubmissionResult } from "./ledger";
import { mandateForStripe, type MandateAcceptance } from "./mandates";
import { findDebitForPayment, sendDebit, type ObservedDebit } from "./stripe-debit";
import { syncPayment } from "./sync";
import { stopIfMayNotDebit, stoppedError } from "./send-check";
import { achReturnOf } from "./ach-returns";
import { refusalError } from "./policy";
import { applyReturnToAccount } from "./returns";

/** Stripe's error code (HTTP 402) for a debit on a bank account it blocked after a return (docs: "Blocked bank accounts"). */
const BLOCKED_BANK_ACCOUNT = "bank_account_unusable";

/**
 * Sending a written-down payment to Stripe: the first time (createFundingPayment),
 * again when the first send never got an answer (a retry with the same
 * request id, or reconciliation), and recovering one whose fate is unknown.
 * Every send uses the payment's own idempotency key, so Stripe answers a
 * re-send with the same debit.
 */

export interface SubmissionDeps {
  db: Db;
  stripe: Stripe;
  useCharges?: boolean;
}

/** What a send needs of a written-down payment. */
export interface PaymentToSubmit {
  id: string;
  userId: string;
  bankAccountId: string;
  amountCents: number;
  currency: string;
  idempotencyKey: string;
  createdAt: Date;
  customer: string;
  source: string;
  /** The acceptance that authorizes the debit (with Stripe's mandate once the first debit created one). */
  mandate: MandateAcceptance | null;
}

export interface SubmitOutcome {
  changed: boolean;
  status: PaymentStatus;
  failureMessage: string | null;
}

/**
 * Sends the payment and applies Stripe's answer through the ledger, after
 * checking it may still be sent (lib/funding/send-check.ts: otherwise it is
 * CANCELED and the refusal thrown). A refusal by Stripe fails the payment and throws PAYMENT_REJECTED (or, for a
 * bank account Stripe blocked, marks it unusable and throws ACCOUNT_UNUSABLE); an unknown outcome
 * (network, 5xx) leaves it PENDING and unsubmitted and throws
 * UPSTREAM_UNAVAILABLE: a retry or reconciliation sends it again.
 *
 * Once Stripe has answered, nothing says "unreachable" any more: when its
 * answer cannot be written down (the database failed), or another request
 * holds the idempotency key (409 idempotency_key_in_use: a double click on
 * two instances) and has not written its answer within IN_PROGRESS_WAIT_MS,
 * the payment stays PENDING and TRANSFER_CONFIRMING (503, retryable) is
 * thrown: the same request id finds it again, and reconciliation adopts it.
 */
export async function submitDebit(deps: SubmissionDeps, payment: PaymentToSubmit): Promise<SubmitOutcome> {
  const useCharges = deps.useCharges ?? getConfig().funding.useCharges;
  // A block, a disable or a removal since the payment was written stops it here (CANCELED, not sent).
  const stopped = await stopIfMayNotDebit(deps.db, payment.id);
  if (stopped) throw stoppedError(stopped);
  let result;
  try {
    result = await sendDebit(
      deps.stripe,
      {
        paymentId: payment.id,
        userId: payment.userId,
        amountCents: payment.amountCents,
        currency: payment.currency,
        idempotencyKey: payment.idempotencyKey,
        customer: payment.customer,
        source: payment.source,
        mandate: mandateForStripe(payment.mandate, payment.createdAt),
      },
      { useCharges },
    );
  } catch (err) {
    if (stripeErrorCode(err) === "idempotency_key_in_use") return outcomeOfTwin(deps.db, payment.id);
    throw upstreamUnavailable("payment processor");
  }
  if (result.outcome === "refused") {
    if (result.code === BLOCKED_BANK_ACCOUNT) {
      // Stripe blocked the bank account after an earlier return (one the app may not have heard of yet):
      // the payment fails, the account is marked unusable like after a return, and the person relinks.
      const ach = achReturnOf({ failureCode: BLOCKED_BANK_ACCOUNT });
      const observed = { status: "FAILED" as const, failureCode: BLOCKED_BANK_ACCOUNT, failureMessage: ach.reason };
      const submission = result.paymentIntentId ? { stripePaymentIntentId: result.paymentIntentId } : {};
      await afterStripeAnswered(payment.id, async () => {
        await applyObservedStatus(deps.db, payment.id, observed, "create", submission);
        await applyReturnToAccount(deps.db, payment, observed, "create");
      });
      throw refusalError("ACCOUNT_UNUSABLE");
    }
    await afterStripeAnswered(payment.id, () =>
      applyObservedStatus(
        deps.db,
        payment.id,
        { status: "FAILED", failureCode: result.code, failureMessage: "The payment processor declined this transfer." },
        "create",
      ),
    );
    throw new AppError(
      422,
      "PAYMENT_REJECTED",
      "The payment processor declined this transfer. Please contact support if this keeps happening.",
    );
  }
  const { debit } = result;
  const synced = await afterStripeAnswered(payment.id, () =>
    syncPayment(deps.db, payment, debit, "create", submissionOf(debit, payment.mandate)),
  );
  if (!synced) throw new Error(`Stripe answered with a debit that does not match payment ${payment.id}`);
  return { ...synced, failureMessage: synced.status === "FAILED" ? (debit.observed.failureMessage ?? null) : null };
}

/** How long a request waits for a twin that holds the payment's idempotency key at Stripe to write its answer. */
const IN_PROGRESS_WAIT_MS = 3_000;

/**
 * Another request is sending this payment right now (Stripe's 409, after the
 * SDK's own retries): wait, bounded, for it to write Stripe's answer and
 * answer with that; still unwritten, TRANSFER_CONFIRMING.
 */
async function outcomeOfTwin(db: Db, paymentId: string): Promise<SubmitOutcome> {
  const row = await afterStripeAnswered(paymentId, async () => {
    await waitForSubmission(db, paymentId, IN_PROGRESS_WAIT_MS);
    return db.payment.findUniqueOrThrow({
      where: { id: paymentId },
      select: { status: true, failureMessage: true, stripePaymentIntentId: true, stripeChargeId: true },
    });
  });
  if (row.status === "PENDING" && !row.stripePaymentIntentId && !row.stripeChargeId) throw transferConfirming();
  return { changed: false, status: row.status, failureMessage: row.status === "FAILED" ? row.failureMessage : null };
}

/**
 * Writes down (or reads back) what Stripe answered. Stripe has the debit (or
 * its refusal) by now, so a failure here is not the processor's: logged, and answered as
 * TRANSFER_CONFIRMING; the unsubmitted payment is found again by a retry
 * with the same request id or by reconciliation, and Stripe's idempotency
 * gives back the same debit.
 */
async function afterStripeAnswered<T>(paymentId: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    logger.warn({ paymentId, ...errorSummary(err) }, "funding: Stripe answered but the answer could not be written; left for a retry");
    throw transferConfirming();
  }
}

/** The ids a send learned besides the status: the intent, and the Stripe mandate for an acceptance that had none. */
function submissionOf(debit: ObservedDebit, mandate: MandateAcceptance | null): SubmissionResult {
  return {
    ...(debit.paymentIntentId ? { stripePaymentIntentId: debit.paymentIntentId } : {}),
    ...(mandate && debit.mandateId && !mandate.stripeMandateId
      ? { mandate: { acceptanceId: mandate.id, stripeMandateId: debit.mandateId } }
      : {}),
  };
}

/** Sends a written-down payment that has not reached Stripe yet (no-op when it has). */
export async function submitPayment(deps: SubmissionDeps, paymentId: string): Promise<void> {
  const payment = await deps.db.payment.findUniqueOrThrow({
    where: { id: paymentId },
    include: { bankAccount: true, mandate: true, user: { select: { stripeCustomerId: true } } },
  });
  if (payment.stripePaymentIntentId || payment.stripeChargeId || payment.status !== "PENDING") return;
  const customer = payment.user.stripeCustomerId;
  const source = payment.bankAccount.stripeBankAccountId;
  if (!customer || !source) throw new AppError(422, "ACCOUNT_NOT_ACTIVE", "This bank account is not ready for transfers yet.");
  await submitDebit(deps, { ...payment, customer, source, mandate: payment.mandate });
}

/** Stripe keeps idempotency keys for 24 hours; past that a re-send could debit twice. */
const RESEND_WINDOW_MS = 23 * 60 * 60 * 1000;

/**
 * For a payment whose first send never got an answer (reconciliation): adopt
 * the debit if Stripe has one for it (found by metadata.payment_id among the
 * customer's recent ones), else re-send it while the idempotency key is
 * still honoured (unless the account or user may no longer be debited:
 * lib/funding/send-check.ts cancels it), else cancel it: it never reached Stripe.
 */
export async function recoverUnsubmittedPayment(
  deps: SubmissionDeps,
  paymentId: string,
): Promise<"adopted" | "resubmitted" | "canceled" | "nothing"> {
  const { db } = deps;
  if (!(await isUnsubmitted(db, paymentId))) return "nothing";
  const payment = await db.payment.findUniqueOrThrow({
    where: { id: paymentId },
    include: { user: { select: { stripeCustomerId: true } } },
  });
  const customer = payment.user.stripeCustomerId;
  if (customer) {
    const useCharges = deps.useCharges ?? getConfig().funding.useCharges;
    const debit = await findDebitForPayment(deps.stripe, { customer, paymentId: payment.id, useCharges });
    if (debit) {
      await syncPayment(db, payment, debit, "reconcile", debit.paymentIntentId ? { stripePaymentIntentId: debit.paymentIntentId } : {});
      return "adopted";
    }
  }
  if (Date.now() - payment.createdAt.getTime() < RESEND_WINDOW_MS) {
    // Blocked, disabled or removed since it was written: canceled, not re-sent.
    if (await stopIfMayNotDebit(db, payment.id)) return "canceled";
    await submitPayment(deps, payment.id);
    return "resubmitted";
  }
  await applyObservedStatus(
    db,
    payment.id,
    { status: "CANCELED", failureCode: "never_submitted", failureMessage: "The transfer never reached the payment processor." },
    "reconcile",
  );
  return "canceled";
}

/** PENDING with no Stripe id: the create call may or may not have reached Stripe. */
export async function isUnsubmitted(db: Db, paymentId: string): Promise<boolean> {
  const p = await db.payment.findUniqueOrThrow({
    where: { id: paymentId },
    select: { status: true, stripePaymentIntentId: true, stripeChargeId: true },
  });
  return p.status === "PENDING" && !p.stripePaymentIntentId && !p.stripeChargeId;
}

/** Waits (polling) while a twin request may be sending the payment. */
export async function waitForSubmission(db: Db, paymentId: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && (await isUnsubmitted(db, paymentId))) await new Promise((resolve) => setTimeout(resolve, 100));
}
