import type { PlaidApi } from "plaid";
import Stripe from "stripe";
import { z } from "zod";
import { isUniqueViolation, type Db } from "@/lib/db";
import type { Actor } from "@/lib/auth/actor";
import type { PaymentStatus } from "@/lib/generated/prisma/enums";
import { getConfig } from "@/lib/config";
import { accessTokenAad, openSecret } from "@/lib/secrets";
import { describePlaidFailure, plaidErrorOf } from "@/lib/plaid/errors";
import { AppError, notFound, signedOut, upstreamUnavailable, providerCode } from "@/lib/errors";
import { checkAmount, formatUsd, type FundingLimits } from "./limits";
import { MANDATE_TEXT_VERSION } from "./mandate";
import { assertMayFundBeforeReview } from "@/lib/admin/settings";
import { applyObservedStatus, observeCharge, observeIntent, type ObservedStatus, type SubmissionResult } from "./payment-status";
import { loadFundingContext, type FundingAccount, type ReplayedPayment } from "./funding-context";
import { writePaymentWithinLimits } from "./write-payment";
import { toPaymentView } from "./dashboard";
import type { PaymentView } from "./views";

export const createPaymentSchema = z.object({
  requestId: z.uuid("requestId must be a UUID"),
  bankAccountId: z.string().trim().min(1).max(100),
  amountCents: z.number({ message: "Enter an amount" }).int("Amount must be whole cents").positive("Enter an amount above zero").max(100_000_000),
  mandate: z.object({ accepted: z.literal(true), textVersion: z.string().max(50) }).optional(),
});
export type CreatePaymentInput = z.infer<typeof createPaymentSchema>;

interface Deps {
  db: Db;
  plaid: PlaidApi;
  stripe: Stripe;
  limits?: FundingLimits;
  useCharges?: boolean;
}

interface RequestContext {
  ip: string | null;
  userAgent: string | null;
}

/**
 * One ACH debit from a linked bank into the user's balance, for an actor
 * (the session's user and version) that the first read confirms may still
 * act: a disabled or signed-out-everywhere user gets 401 (signedOut).
 *
 * Checks (amount, account usable, mandate, live balance, daily/30-day totals)
 * come first; then the payment row is written, under the user's row lock,
 * BEFORE Stripe is called, with an idempotency key derived from the
 * client's request id. A double click, a retry or a second tab with the same
 * request id finds that row and replays it, and Stripe's idempotency makes a
 * re-sent create return the same PaymentIntent. So one request id is one
 * debit, whatever happens on the wire.
 *
 * Database round trips are the cost that matters here (docs/benchmarks.md):
 * one read for every check, one for the write, one for the outcome.
 */
export async function createFundingPayment(
  deps: Deps,
  user: Actor,
  input: CreatePaymentInput,
  ctx: RequestContext,
): Promise<{ payment: PaymentView; created: boolean }> {
  const { db } = deps;
  const limits = deps.limits ?? getConfig().funding;

  const context = await loadFundingContext(db, user, input.requestId, input.bankAccountId);
  if (!context) throw signedOut();
  if (context.replay) return replayFundingPayment(deps, context.replay, input);

  checkAmount(input.amountCents, limits);
  const { account } = context;
  if (!account || account.status === "REMOVED") throw notFound("Bank account");
  if (account.reviewStatus === "BLOCKED") throw new AppError(422, "ACCOUNT_BLOCKED", "Funding from this bank account has been blocked. Please contact support.");
  assertMayFundBeforeReview(account, context.allowFundingBeforeReview); // admin setting "fund before review" (lib/admin/settings.ts)
  if (account.status !== "ACTIVE" || !account.stripeBankAccountId || !context.stripeCustomerId) {
    throw new AppError(422, "ACCOUNT_NOT_ACTIVE", "This bank account is not ready for transfers yet.");
  }
  if (account.item.status === "LOGIN_REQUIRED" || account.item.status === "REVOKED") {
    throw new AppError(422, "ACCOUNT_NOT_ACTIVE", "Your bank connection needs attention. Reconnect your bank, then try again.");
  }
  if (!account.mandate && (!input.mandate || input.mandate.textVersion !== MANDATE_TEXT_VERSION)) {
    throw new AppError(400, "MANDATE_REQUIRED", "Please read and accept the ACH debit authorization for this bank account.");
  }

  await checkLiveBalance(deps, account, input.amountCents);

  let written;
  try {
    written = await writePaymentWithinLimits(
      db,
      {
        userId: user.id,
        bankAccountId: account.id,
        amountCents: input.amountCents,
        requestId: input.requestId,
        mandate: account.mandate ? { existingId: account.mandate.id } : { accept: { ip: ctx.ip, userAgent: ctx.userAgent } },
        ip: ctx.ip,
      },
      limits,
    );
  } catch (err) {
    // Lost a race with the same request id (double click): answer with the winner.
    if (!isUniqueViolation(err)) throw err;
    const replay = (await loadFundingContext(db, user, input.requestId, input.bankAccountId))?.replay;
    if (!replay) throw err;
    return replayFundingPayment(deps, replay, input);
  }

  const mandate = account.mandate ?? { id: written.mandateAcceptanceId, stripeMandateId: null, acceptedAt: written.createdAt, ipAddress: ctx.ip, userAgent: ctx.userAgent };
  const outcome = await sendToStripe(deps, {
    paymentId: written.id,
    userId: user.id,
    amountCents: input.amountCents,
    currency: "usd",
    idempotencyKey: written.idempotencyKey,
    createdAt: written.createdAt,
    customer: context.stripeCustomerId,
    source: account.stripeBankAccountId,
    mandate,
  });
  // A webhook that got there first changed the row: show what it wrote.
  if (!outcome.changed) return { payment: await paymentView(db, written.id), created: true };
  const payment = toPaymentView({
    id: written.id,
    requestId: input.requestId,
    amountCents: input.amountCents,
    status: outcome.status,
    createdAt: written.createdAt,
    failureMessage: outcome.failureMessage,
    bankAccount: account,
  });
  return { payment, created: true };
}

/** The same request id again: the same payment, (re-)sent if its first send never got an answer. */
async function replayFundingPayment(deps: Deps, replay: ReplayedPayment, input: CreatePaymentInput): Promise<{ payment: PaymentView; created: boolean }> {
  const { db } = deps;
  if (replay.bankAccountId !== input.bankAccountId || replay.amountCents !== input.amountCents) {
    throw new AppError(409, "REQUEST_REUSED", "This transfer was already submitted with different details. Please start a new transfer.");
  }
  if (!replay.submitted && (await isUnsubmitted(db, replay.id))) {
    // Usually the twin request (double click) is sending it right now: give
    // it a moment, then (re-)send ourselves; Stripe's idempotency keeps it one debit.
    await waitForSubmission(db, replay.id, 5_000);
    if (await isUnsubmitted(db, replay.id)) await submitPayment(deps, replay.id);
  }
  return { payment: await paymentView(db, replay.id), created: false };
}

/** What sendToStripe needs of a written-down payment. */
interface Submission {
  paymentId: string;
  userId: string;
  amountCents: number;
  currency: string;
  idempotencyKey: string;
  createdAt: Date;
  customer: string;
  source: string;
  /** The acceptance that authorizes the debit (its Stripe mandate once the first debit created one). */
  mandate: { id: string; stripeMandateId: string | null; acceptedAt: Date; ipAddress: string | null; userAgent: string | null } | null;
}

/**
 * Sends a written-down payment to Stripe (or re-sends it: same idempotency
 * key, same parameters, so Stripe answers with the same object). Used by
 * createFundingPayment and by reconciliation for payments whose first send
 * never got an answer.
 */
export async function submitPayment(deps: Deps, paymentId: string): Promise<void> {
  const payment = await deps.db.payment.findUniqueOrThrow({
    where: { id: paymentId },
    include: { bankAccount: true, mandate: true, user: { select: { stripeCustomerId: true } } },
  });
  if (payment.stripePaymentIntentId || payment.stripeChargeId || payment.status !== "PENDING") return;
  const customer = payment.user.stripeCustomerId;
  const source = payment.bankAccount.stripeBankAccountId;
  if (!customer || !source) throw new AppError(422, "ACCOUNT_NOT_ACTIVE", "This bank account is not ready for transfers yet.");
  await sendToStripe(deps, {
    paymentId: payment.id,
    userId: payment.userId,
    amountCents: payment.amountCents,
    currency: payment.currency,
    idempotencyKey: payment.idempotencyKey,
    createdAt: payment.createdAt,
    customer,
    source,
    mandate: payment.mandate,
  });
}

interface SendOutcome {
  changed: boolean;
  status: PaymentStatus;
  failureMessage: string | null;
}

async function sendToStripe(deps: Deps, payment: Submission): Promise<SendOutcome> {
  const { db } = deps;
  const useCharges = deps.useCharges ?? getConfig().funding.useCharges;
  const metadata = { payment_id: payment.paymentId, user_id: payment.userId };
  const apply = async (observed: ObservedStatus, submission?: SubmissionResult): Promise<SendOutcome> => {
    const result = await applyObservedStatus(db, payment.paymentId, observed, "create", submission);
    return { ...result, failureMessage: result.status === "FAILED" ? (observed.failureMessage ?? null) : null };
  };

  try {
    if (useCharges) {
      const charge = await deps.stripe.charges.create(
        { amount: payment.amountCents, currency: payment.currency, customer: payment.customer, source: payment.source, metadata, description: "Fundwell balance funding" },
        { idempotencyKey: payment.idempotencyKey },
      );
      return await apply({ ...observeCharge(charge), chargeId: charge.id });
    }
    const { mandate } = payment;
    const intent = await deps.stripe.paymentIntents.create(
      {
        amount: payment.amountCents,
        currency: payment.currency,
        customer: payment.customer,
        payment_method: payment.source,
        allowed_payment_method_types: ["us_bank_account"],
        confirm: true,
        metadata,
        description: "Fundwell balance funding",
        // The charge carries the mandate id (payment_method_details.us_bank_account.mandate).
        expand: ["latest_charge"],
        // The first debit carries the recorded acceptance; later ones reuse Stripe's mandate.
        ...(mandate?.stripeMandateId
          ? { mandate: mandate.stripeMandateId }
          : {
              mandate_data: {
                customer_acceptance: mandate?.ipAddress && mandate.userAgent
                  ? { type: "online" as const, accepted_at: Math.floor(mandate.acceptedAt.getTime() / 1000), online: { ip_address: mandate.ipAddress, user_agent: mandate.userAgent } }
                  : { type: "offline" as const, accepted_at: Math.floor((mandate?.acceptedAt ?? payment.createdAt).getTime() / 1000), offline: {} },
              },
            }),
      },
      { idempotencyKey: payment.idempotencyKey },
    );
    const mandateId = mandateOf(intent);
    return await apply(observeIntent(intent), {
      stripePaymentIntentId: intent.id,
      ...(mandate && mandateId && !mandate.stripeMandateId ? { mandate: { acceptanceId: mandate.id, stripeMandateId: mandateId } } : {}),
    });
  } catch (err) {
    if (err instanceof Stripe.errors.StripeInvalidRequestError || err instanceof Stripe.errors.StripeCardError) {
      // Stripe refused the debit outright: final, and shown with its reason.
      await applyObservedStatus(db, payment.paymentId, { status: "FAILED", failureCode: err.code ?? "rejected", failureMessage: "The payment processor declined this transfer." }, "create");
      throw new AppError(422, "PAYMENT_REJECTED", "The payment processor declined this transfer. Please contact support if this keeps happening.");
    }
    // Unknown outcome (network, 5xx, in-flight key): the row stays PENDING and
    // unsubmitted; retrying the same request id or reconciliation re-sends it.
    throw upstreamUnavailable("payment processor");
  }
}

/**
 * The live balance check before each debit. A null available balance (some
 * banks only report current) falls back to current; if the bank reports
 * neither, the debit goes ahead and a return is handled by the ledger.
 */
async function checkLiveBalance(
  deps: Deps,
  account: Pick<FundingAccount, "plaidAccountId" | "item">,
  amountCents: number,
): Promise<void> {
  let balances;
  try {
    const { data } = await deps.plaid.accountsBalanceGet({
      access_token: openSecret(account.item.accessTokenCiphertext, accessTokenAad(account.item.id)),
      options: { account_ids: [account.plaidAccountId] },
    });
    balances = data.accounts.find((a) => a.account_id === account.plaidAccountId)?.balances;
  } catch (err) {
    const error = plaidErrorOf(err);
    if (error?.error_code === "ITEM_LOGIN_REQUIRED") {
      await deps.db.plaidItem.update({ where: { id: account.item.id }, data: { status: "LOGIN_REQUIRED", errorCode: "ITEM_LOGIN_REQUIRED" } });
      throw new AppError(422, "ACCOUNT_NOT_ACTIVE", "Your bank needs you to sign in again. Reconnect your bank, then try again.");
    }
    if (error && error.error_type !== "API_ERROR" && error.error_type !== "INSTITUTION_ERROR" && error.error_type !== "RATE_LIMIT_EXCEEDED") {
      throw new AppError(422, providerCode(error.error_code), error.display_message ?? "Your bank could not confirm the balance of this account.");
    }
    void describePlaidFailure(err);
    throw upstreamUnavailable("bank");
  }
  if (!balances) throw new AppError(422, "ACCOUNT_NOT_ACTIVE", "This account is no longer available at your bank.");
  const available = balances.available ?? balances.current;
  if (available !== null && available !== undefined && Math.round(available * 100) < amountCents) {
    throw new AppError(
      422,
      "INSUFFICIENT_BALANCE",
      `Your bank reports ${formatUsd(Math.round(available * 100))} available, which is less than ${formatUsd(amountCents)}. Try a smaller amount.`,
    );
  }
}

/** Stripe keeps idempotency keys for 24 hours; past that a re-send could debit twice. */
const RESEND_WINDOW_MS = 23 * 60 * 60 * 1000;

/**
 * For a payment whose first send never got an answer (reconciliation): adopt
 * the PaymentIntent if Stripe has one for it (found by metadata.payment_id
 * among the customer's recent intents), else re-send it while the idempotency
 * key is still honoured, else cancel it: it never reached Stripe.
 */
export async function recoverUnsubmittedPayment(deps: Deps, paymentId: string): Promise<"adopted" | "resubmitted" | "canceled" | "nothing"> {
  const { db } = deps;
  if (!(await isUnsubmitted(db, paymentId))) return "nothing";
  const payment = await db.payment.findUniqueOrThrow({ where: { id: paymentId }, include: { user: { select: { stripeCustomerId: true } } } });
  if (payment.user.stripeCustomerId) {
    for await (const intent of deps.stripe.paymentIntents.list({ customer: payment.user.stripeCustomerId, limit: 100 })) {
      if (intent.metadata?.payment_id !== payment.id) continue;
      await db.payment.update({ where: { id: payment.id }, data: { stripePaymentIntentId: intent.id } });
      await applyObservedStatus(db, payment.id, observeIntent(intent), "reconcile");
      return "adopted";
    }
  }
  if (Date.now() - payment.createdAt.getTime() < RESEND_WINDOW_MS) {
    await submitPayment(deps, payment.id);
    return "resubmitted";
  }
  await applyObservedStatus(db, payment.id, { status: "CANCELED", failureCode: "never_submitted", failureMessage: "The transfer never reached the payment processor." }, "reconcile");
  return "canceled";
}

async function isUnsubmitted(db: Db, paymentId: string): Promise<boolean> {
  const p = await db.payment.findUniqueOrThrow({ where: { id: paymentId }, select: { status: true, stripePaymentIntentId: true, stripeChargeId: true } });
  return p.status === "PENDING" && !p.stripePaymentIntentId && !p.stripeChargeId;
}

async function waitForSubmission(db: Db, paymentId: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && (await isUnsubmitted(db, paymentId))) await new Promise((resolve) => setTimeout(resolve, 100));
}

function mandateOf(intent: Stripe.PaymentIntent): string | null {
  const charge = intent.latest_charge;
  if (!charge || typeof charge === "string") return null;
  const mandate = charge.payment_method_details?.us_bank_account?.mandate;
  return typeof mandate === "string" ? mandate : (mandate?.id ?? null);
}

async function paymentView(db: Db, paymentId: string): Promise<PaymentView> {
  const row = await db.payment.findUniqueOrThrow({ where: { id: paymentId }, include: { bankAccount: { select: { institutionName: true, mask: true } } } });
  return toPaymentView({ ...row, disputed: row.disputedAt !== null });
}
