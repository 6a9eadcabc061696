import "server-only";
import type { PlaidApi } from "plaid";
import type Stripe from "stripe";
import { z } from "zod";
import { safeText } from "@/lib/safe-text";
import { isUniqueViolation, type Db } from "@/lib/db";
import type { Actor } from "@/lib/auth/actor";
import { getConfig } from "@/lib/config";
import { AppError, signedOut } from "@/lib/errors";
import { loadFundingContext, type ReplayedPayment } from "./funding-context";
import { checkAccountMayFund, checkAmount, checkLiveBalance, checkRollingTotals, checkUserMayFund, type FundingLimits } from "./policy";
import { isUnsubmitted, submitDebit, submitPayment, waitForSubmission } from "./submission";
import { writePaymentWithinLimits } from "./write-payment";
import { toPaymentView } from "./dashboard";
import type { PaymentView } from "./views";

export const createPaymentSchema = z.object({
  requestId: z.uuid("requestId must be a UUID"),
  bankAccountId: safeText().trim().min(1).max(100),
  amountCents: z
    .number({ message: "Enter an amount" })
    .int("Amount must be whole cents")
    .positive("Enter an amount above zero")
    .max(100_000_000),
  mandate: z.object({ accepted: z.literal(true), textVersion: safeText().max(50) }).optional(),
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
 * act: a disabled or signed-out-everywhere user gets 401 (signedOut), an
 * unverified email address 403 (EMAIL_NOT_VERIFIED).
 *
 * The checks (lib/funding/policy.ts) come first; then the payment row is
 * written, under the user's row lock, BEFORE Stripe is called, with an
 * idempotency key derived from the client's request id. A double click, a
 * retry or a second tab with the same request id finds that row and replays
 * it, and Stripe's idempotency makes a re-sent create return the same
 * PaymentIntent. So one request id is one debit, whatever happens on the wire.
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
  checkUserMayFund(context);
  if (context.replay) return replayFundingPayment(deps, context.replay, input);

  // Cheap before costly: everything known locally is checked before the (billed) balance call.
  checkAmount(input.amountCents, limits);
  const account = checkAccountMayFund(context.account, { ...context, mandateTextVersion: input.mandate?.textVersion ?? null });
  checkRollingTotals(context.totals, input.amountCents, limits);
  await checkLiveBalance(deps, account, input.amountCents);

  let written;
  try {
    written = await writePaymentWithinLimits(
      db,
      {
        actor: user,
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

  const outcome = await submitDebit(deps, {
    id: written.id,
    userId: user.id,
    bankAccountId: account.id,
    amountCents: input.amountCents,
    currency: "usd",
    idempotencyKey: written.idempotencyKey,
    createdAt: written.createdAt,
    customer: account.stripeCustomerId,
    source: account.stripeBankAccountId,
    mandate: account.mandate ?? {
      id: written.mandateAcceptanceId,
      stripeMandateId: null,
      acceptedAt: written.createdAt,
      ipAddress: ctx.ip,
      userAgent: ctx.userAgent,
    },
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
async function replayFundingPayment(
  deps: Deps,
  replay: ReplayedPayment,
  input: CreatePaymentInput,
): Promise<{ payment: PaymentView; created: boolean }> {
  const { db } = deps;
  if (replay.bankAccountId !== input.bankAccountId || replay.amountCents !== input.amountCents) {
    throw new AppError(409, "REQUEST_REUSED", "This transfer was already submitted with different details. Please start a new transfer.");
  }
  if (!replay.submitted && (await isUnsubmitted(db, replay.id))) {
    // Usually the twin request (double click) is sending it right now: give
    // it a moment, then (re-)send ourselves; Stripe's idempotency keeps it one debit.
    await waitForSubmission(db, replay.id, 2_000);
    if (await isUnsubmitted(db, replay.id)) await submitPayment(deps, replay.id);
  }
  return { payment: await paymentView(db, replay.id), created: false };
}

async function paymentView(db: Db, paymentId: string): Promise<PaymentView> {
  const row = await db.payment.findUniqueOrThrow({
    where: { id: paymentId },
    include: { bankAccount: { select: { institutionName: true, mask: true } } },
  });
  return toPaymentView({ ...row, disputed: row.disputedAt !== null });
}
