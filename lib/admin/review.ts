import "server-only";
import { lockFundingUser } from "@/lib/funding/funding-lock";
import { liftBlocks, recordBlock } from "@/lib/banking/blocks";
import type { PlaidApi } from "plaid";
import type Stripe from "stripe";
import type { Db, Prisma } from "@/lib/db";
import type { BankAccountStatus, ItemStatus, ReviewStatus } from "@/lib/generated/prisma/enums";
import { recordAudit } from "@/lib/audit";
import { AppError, notFound } from "@/lib/errors";
import { removeBankAccount } from "@/lib/banking/remove-account";
import { reviewRulesOf, ruleChecks, type RuleCheck } from "@/lib/banking/review-rules";
import { PAGE_SIZE, type AdminActor } from "./types";

const THIRTY_DAYS_MS = 30 * 24 * 3600_000;

export interface ReviewSignalsView {
  identityVerdict: string;
  ownerNames: string[];
  nameMatched: boolean;
  emailMatched: boolean;
  firstSeenInstitution: boolean;
  /** Other users with the same institution+mask or Stripe fingerprint, now (live). */
  duplicateUserCount: number;
  /** The same, when the account was linked. */
  duplicateUserCountAtLink: number;
  /** Fingerprint shared with other users' accounts (live). */
  fingerprintShared: boolean;
  identityError: string | null;
}

export interface ReviewItemView {
  id: string;
  user: { id: string; email: string; name: string | null };
  institutionId: string | null;
  institutionName: string | null;
  name: string;
  mask: string | null;
  subtype: string | null;
  status: BankAccountStatus;
  itemStatus: ItemStatus;
  reviewStatus: ReviewStatus;
  createdAt: string;
  signals: ReviewSignalsView | null;
  /** Failed payments in the last 30 days, on this account and on all of the user's accounts. */
  recentFailures: { account: number; user: number };
  /** The automatic review rules at link time (lib/banking/review-rules.ts); null when they did not run. */
  rules: { decision: "approve" | "hold"; appliedAt: string | null; checks: RuleCheck[] } | null;
}

const include = {
  user: { select: { id: true, email: true, name: true } },
  item: { select: { status: true } },
  reviewSignals: true,
} as const;

type Row = Awaited<ReturnType<typeof loadRows>>[number];
function loadRows(db: Db, where: Prisma.BankAccountWhereInput, skip: number, take: number) {
  return db.bankAccount.findMany({ where, include, orderBy: [{ createdAt: "asc" }, { id: "asc" }], skip, take });
}

async function toViews(db: Db, rows: Row[]): Promise<ReviewItemView[]> {
  if (rows.length === 0) return [];
  const since = new Date(Date.now() - THIRTY_DAYS_MS);
  const accountIds = rows.map((r) => r.id);
  const userIds = [...new Set(rows.map((r) => r.userId))];
  const fingerprints = [...new Set(rows.map((r) => r.reviewSignals?.stripeFingerprint).filter((f): f is string => Boolean(f)))];
  const maskKeys = rows.filter((r) => r.institutionId && r.mask).map((r) => ({ institutionId: r.institutionId, mask: r.mask }));
  const [byAccount, byUser, sharedFingerprints, sameMask] = await Promise.all([
    db.payment.groupBy({
      by: ["bankAccountId"],
      where: { bankAccountId: { in: accountIds }, status: "FAILED", createdAt: { gte: since } },
      _count: { _all: true },
    }),
    db.payment.groupBy({
      by: ["userId"],
      where: { userId: { in: userIds }, status: "FAILED", createdAt: { gte: since } },
      _count: { _all: true },
    }),
    fingerprints.length
      ? db.bankAccountReview.findMany({
          where: { stripeFingerprint: { in: fingerprints } },
          select: { stripeFingerprint: true, bankAccount: { select: { userId: true } } },
        })
      : Promise.resolve([]),
    maskKeys.length
      ? db.bankAccount.findMany({
          where: { OR: maskKeys },
          select: { userId: true, institutionId: true, mask: true },
          distinct: ["userId", "institutionId", "mask"],
        })
      : Promise.resolve([]),
  ]);
  const accountFailures = new Map(byAccount.map((g) => [g.bankAccountId, g._count._all]));
  const userFailures = new Map(byUser.map((g) => [g.userId, g._count._all]));
  return rows.map((r) => {
    const s = r.reviewSignals;
    const fingerprintUsers = s?.stripeFingerprint
      ? sharedFingerprints
          .filter((f) => f.stripeFingerprint === s.stripeFingerprint && f.bankAccount.userId !== r.userId)
          .map((f) => f.bankAccount.userId)
      : [];
    const maskUsers =
      r.institutionId && r.mask
        ? sameMask.filter((m) => m.institutionId === r.institutionId && m.mask === r.mask && m.userId !== r.userId).map((m) => m.userId)
        : [];
    const fingerprintShared = fingerprintUsers.length > 0;
    return {
      id: r.id,
      user: r.user,
      institutionId: r.institutionId,
      institutionName: r.institutionName,
      name: r.name,
      mask: r.mask,
      subtype: r.subtype,
      status: r.status,
      itemStatus: r.item.status,
      reviewStatus: r.reviewStatus,
      createdAt: r.createdAt.toISOString(),
      signals: s
        ? {
            identityVerdict: s.identityVerdict,
            ownerNames: Array.isArray(s.ownerNames) ? (s.ownerNames as unknown[]).filter((n): n is string => typeof n === "string") : [],
            nameMatched: s.nameMatched,
            emailMatched: s.emailMatched,
            firstSeenInstitution: s.firstSeenInstitution,
            duplicateUserCount: new Set([...fingerprintUsers, ...maskUsers]).size,
            duplicateUserCountAtLink: s.duplicateUserCount,
            fingerprintShared,
            identityError: s.identityError,
          }
        : null,
      recentFailures: { account: accountFailures.get(r.id) ?? 0, user: userFailures.get(r.userId) ?? 0 },
      rules:
        s?.ruleDecision === "approve" || s?.ruleDecision === "hold"
          ? {
              decision: s.ruleDecision,
              appliedAt: s.rulesAppliedAt?.toISOString() ?? null,
              checks: ruleChecks(reviewRulesOf(s.ruleReasons)),
            }
          : null,
    };
  });
}

/** Accounts by review status (default: PENDING, i.e. awaiting review), linked and not removed, oldest first. */
export async function listReviewQueue(
  db: Db,
  options: { page?: number; status?: ReviewStatus } = {},
): Promise<{ items: ReviewItemView[]; total: number; page: number; pageSize: number }> {
  const page = Math.max(1, options.page ?? 1);
  const where = { reviewStatus: options.status ?? "PENDING", status: "ACTIVE" as const };
  const [rows, total] = await Promise.all([loadRows(db, where, (page - 1) * PAGE_SIZE, PAGE_SIZE), db.bankAccount.count({ where })]);
  return { items: await toViews(db, rows), total, page, pageSize: PAGE_SIZE };
}

export async function getBankAccountForReview(db: Db, bankAccountId: string): Promise<ReviewItemView> {
  const rows = await loadRows(db, { id: bankAccountId }, 0, 1);
  if (rows.length === 0) throw notFound("Bank account");
  return (await toViews(db, rows))[0]!;
}

export type ReviewDecision = "approve" | "block";

/**
 * Approve or block a linked account. A block stops every debit not yet
 * written (the write re-checks under the same lock) or not yet sent (checked
 * again just before sending, lib/funding/send-check.ts), and is recorded by
 * what identifies the account beyond its row (lib/banking/blocks.ts), so a
 * removal and a new link do not shed it. Approving a blocked account lifts
 * its blocks and needs a reason (audited).
 */
export async function decideReview(
  db: Db,
  actor: AdminActor,
  bankAccountId: string,
  decision: ReviewDecision,
  reason?: string,
): Promise<ReviewItemView> {
  const account = await db.bankAccount.findUnique({
    where: { id: bankAccountId },
    select: {
      id: true,
      reviewStatus: true,
      userId: true,
      institutionId: true,
      mask: true,
      reviewSignals: { select: { stripeFingerprint: true } },
    },
  });
  if (!account) throw notFound("Bank account");
  const lifting = decision === "approve" && account.reviewStatus === "BLOCKED";
  if (lifting && !reason) throw new AppError(400, "REASON_REQUIRED", "Say why the block is lifted: the reason is kept in the audit log.");
  const to: ReviewStatus = decision === "approve" ? "APPROVED" : "BLOCKED";
  const identity = {
    userId: account.userId,
    stripeFingerprint: account.reviewSignals?.stripeFingerprint ?? null,
    institutionId: account.institutionId,
    mask: account.mask,
  };
  const now = new Date();
  await db.$transaction(async (tx) => {
    // Ordered with funding writes (lib/funding/funding-lock.ts): a block committed first stops them.
    await lockFundingUser(tx, account.userId);
    await tx.bankAccount.update({ where: { id: account.id }, data: { reviewStatus: to } });
    await tx.bankAccountReview.updateMany({ where: { bankAccountId: account.id }, data: { reviewedById: actor.id, reviewedAt: now } });
    if (to === "BLOCKED") await recordBlock(tx, account.id, identity, actor.id);
    const lifted = lifting ? await liftBlocks(tx, account.id, identity, { byId: actor.id, reason: reason!, at: now }) : 0;
    await tx.auditLog.create({
      data: {
        actorId: actor.id,
        action: lifting
          ? "admin.bank_account.block_lifted"
          : decision === "approve"
            ? "admin.bank_account.approved"
            : "admin.bank_account.blocked",
        targetType: "bank_account",
        targetId: account.id,
        metadata: { from: account.reviewStatus, to, userId: account.userId, ...(lifting ? { reason, blocksLifted: lifted } : {}) },
        ip: actor.ip ?? null,
      },
    });
  });
  return getBankAccountForReview(db, account.id);
}

/** Removes a linked account for the user: detaches at Stripe, /item/remove at Plaid (lib/banking). */
export async function removeAccountAsAdmin(
  deps: { db: Db; plaid: PlaidApi; stripe: Stripe },
  actor: AdminActor,
  bankAccountId: string,
): Promise<void> {
  await removeBankAccount(deps, { id: actor.id, isAdmin: true }, bankAccountId);
  await recordAudit(deps.db, {
    actorId: actor.id,
    action: "admin.bank_account.removed",
    targetType: "bank_account",
    targetId: bankAccountId,
    ip: actor.ip ?? null,
  });
}
