import "server-only";
import type { Db, Prisma } from "@/lib/db";
import { recordAudit } from "@/lib/audit";
import { lockFundingUser } from "@/lib/funding/funding-lock";
import { logger } from "@/lib/log";
import { countBlockRecords, type AccountIdentity } from "./blocks";
import { evaluateReviewRules, reviewRulesOf, type ReviewRuleOutcome } from "./review-rules";

/**
 * Runs the automatic review rules (lib/banking/review-rules.ts) on an
 * account that just finished linking, once its signals are gathered
 * (lib/banking/review-signals.ts), and applies the outcome: approve
 * (PENDING → APPROVED) or hold (it stays PENDING, for an admin). The rules'
 * own inputs (earlier returns, earlier blocks) are read, the outcome stored
 * on the account's review row and audited, all under the funding lock
 * (lib/funding/funding-lock.ts) so the approval is ordered with funding
 * writes, blocks and removals. An account that landed BLOCKED stays
 * blocked. Runs once per account (a stored outcome is returned as it is).
 * Never throws: the link is complete by then, and an account whose rules
 * did not run stays held, the safe side.
 */
export async function applyReviewRules(db: Db, bankAccountId: string): Promise<ReviewRuleOutcome | null> {
  try {
    return await db.$transaction((tx) => decide(tx, bankAccountId));
  } catch (err) {
    logger.error({ bankAccountId, error: err instanceof Error ? err.name : "error" }, "review rules could not be applied");
    return null;
  }
}

async function decide(tx: Prisma.TransactionClient, bankAccountId: string): Promise<ReviewRuleOutcome> {
  const { userId } = await tx.bankAccount.findUniqueOrThrow({ where: { id: bankAccountId }, select: { userId: true } });
  await lockFundingUser(tx, userId);
  const account = await tx.bankAccount.findUniqueOrThrow({
    where: { id: bankAccountId },
    select: { status: true, reviewStatus: true, institutionId: true, mask: true, reviewSignals: true },
  });
  const signals = account.reviewSignals;
  if (signals?.ruleDecision === "approve" || signals?.ruleDecision === "hold") {
    return { decision: signals.ruleDecision, reasons: reviewRulesOf(signals.ruleReasons) };
  }
  const identity: AccountIdentity = {
    userId,
    stripeFingerprint: signals?.stripeFingerprint ?? null,
    institutionId: account.institutionId,
    mask: account.mask,
  };
  const earlierBlocks = await countBlockRecords(tx, identity);
  const earlierReturns = await countEarlierReturns(tx, identity);
  const outcome = evaluateReviewRules(signals && { ...signals, earlierBlocks, earlierReturns });
  if (signals) {
    await tx.bankAccountReview.update({
      where: { bankAccountId },
      data: { earlierBlocks, earlierReturns, ruleDecision: outcome.decision, ruleReasons: outcome.reasons, rulesAppliedAt: new Date() },
    });
  }
  const approve = outcome.decision === "approve" && account.reviewStatus === "PENDING" && account.status === "ACTIVE";
  if (approve) await tx.bankAccount.update({ where: { id: bankAccountId }, data: { reviewStatus: "APPROVED" } });
  await recordAudit(tx, {
    actorId: null, // the rules, not a person
    action: approve ? "bank_account.auto_approved" : "bank_account.held_for_review",
    targetType: "bank_account",
    targetId: bankAccountId,
    metadata: {
      userId,
      reasons: outcome.reasons,
      reviewStatus: approve ? "APPROVED" : account.reviewStatus,
      earlierReturns,
      earlierBlocks,
    },
  });
  return outcome;
}

/**
 * Earlier ACH returns: FAILED payments (a failure code recorded,
 * lib/funding/ledger.ts) from any account with the same Stripe fingerprint,
 * or from this user's account at the same institution and mask.
 */
async function countEarlierReturns(tx: Prisma.TransactionClient, identity: AccountIdentity): Promise<number> {
  const sameAccount: Prisma.BankAccountWhereInput[] = [];
  if (identity.stripeFingerprint) sameAccount.push({ reviewSignals: { stripeFingerprint: identity.stripeFingerprint } });
  if (identity.institutionId && identity.mask)
    sameAccount.push({ userId: identity.userId, institutionId: identity.institutionId, mask: identity.mask });
  if (sameAccount.length === 0) return 0;
  return tx.payment.count({ where: { status: "FAILED", failureCode: { not: null }, bankAccount: { OR: sameAccount } } });
}
