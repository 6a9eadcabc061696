import "server-only";
import type { Prisma } from "@/lib/db";

/**
 * Blocks that stick. A block is recorded by what identifies the bank
 * account beyond our row, so removing the account and linking it again
 * does not shed it:
 * - Stripe's fingerprint of the account numbers (the same numbers linked by
 *   anyone), and
 * - the same user's institution and mask (when Stripe's fingerprint is not
 *   known).
 * A new link that matches an active block lands blocked (it can never
 * fund); the user cannot remove a blocked account (lib/banking/remove-account.ts);
 * an admin lifts the matching blocks with a reason (lib/admin/review.ts).
 */

export interface AccountIdentity {
  userId: string;
  stripeFingerprint: string | null;
  institutionId: string | null;
  mask: string | null;
}

/** The one matching rule: blocks with this fingerprint, or this user's blocks at this institution and mask. */
function sameAccount(identity: AccountIdentity): Prisma.BankAccountBlockWhereInput {
  const by: Prisma.BankAccountBlockWhereInput[] = [];
  if (identity.stripeFingerprint) by.push({ stripeFingerprint: identity.stripeFingerprint });
  if (identity.institutionId && identity.mask)
    by.push({ userId: identity.userId, institutionId: identity.institutionId, mask: identity.mask });
  return { OR: by.length ? by : [{ id: { in: [] } }] };
}

/** The matching blocks still in force. */
function matching(identity: AccountIdentity): Prisma.BankAccountBlockWhereInput {
  return { liftedAt: null, ...sameAccount(identity) };
}

/** Every block ever recorded that matches, lifted or not (a review rule: lib/banking/review-rules.ts). */
export async function countBlockRecords(tx: Prisma.TransactionClient, identity: AccountIdentity): Promise<number> {
  return tx.bankAccountBlock.count({ where: sameAccount(identity) });
}

export async function findActiveBlock(tx: Prisma.TransactionClient, identity: AccountIdentity): Promise<{ id: string } | null> {
  return tx.bankAccountBlock.findFirst({ where: matching(identity), select: { id: true }, orderBy: { createdAt: "asc" } });
}

/** Records a block placed on `bankAccountId` (call in the transaction that sets its review to BLOCKED). */
export async function recordBlock(
  tx: Prisma.TransactionClient,
  bankAccountId: string,
  identity: AccountIdentity,
  createdById: string,
): Promise<void> {
  if (await tx.bankAccountBlock.findFirst({ where: { bankAccountId, liftedAt: null }, select: { id: true } })) return;
  await tx.bankAccountBlock.create({ data: { bankAccountId, createdById, ...identity } });
}

/** Lifts every active block placed on the account or matching it, with the admin's reason; returns how many. */
export async function liftBlocks(
  tx: Prisma.TransactionClient,
  bankAccountId: string,
  identity: AccountIdentity,
  lift: { byId: string; reason: string; at?: Date },
): Promise<number> {
  const { count } = await tx.bankAccountBlock.updateMany({
    where: { OR: [matching(identity), { bankAccountId, liftedAt: null }] },
    data: { liftedAt: lift.at ?? new Date(), liftedById: lift.byId, liftReason: lift.reason },
  });
  return count;
}
