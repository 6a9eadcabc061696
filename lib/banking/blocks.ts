import "server-only";
import type { Prisma } from "@/lib/db";

/**
 * Blocks that stick. A block is recorded by what identifies the bank
 * account beyond our row, so removing the account and linking it again
 * does not shed it: the user, with Stripe's fingerprint of the account
 * numbers and the institution and mask (either matches; the fingerprint
 * also covers a relink through another institution's login).
 * A new link of that user that matches an active block lands blocked (it
 * can never fund); the user cannot remove a blocked account
 * (lib/banking/remove-account.ts); an admin lifts the matching blocks with
 * a reason (lib/admin/review.ts).
 *
 * Another user linking the same numbers is not blocked by it: sandbox and
 * shared household accounts have the same numbers for many people. That
 * case is a review signal instead (a shared fingerprint, an earlier block),
 * which holds the account for an admin.
 */

export interface AccountIdentity {
  userId: string;
  stripeFingerprint: string | null;
  institutionId: string | null;
  mask: string | null;
}

/** The blocking rule: this user's active blocks with this fingerprint, or at this institution and mask. */
function matching(identity: AccountIdentity): Prisma.BankAccountBlockWhereInput {
  const by: Prisma.BankAccountBlockWhereInput[] = [];
  if (identity.stripeFingerprint) by.push({ stripeFingerprint: identity.stripeFingerprint });
  if (identity.institutionId && identity.mask) by.push({ institutionId: identity.institutionId, mask: identity.mask });
  return { userId: identity.userId, liftedAt: null, OR: by.length ? by : [{ id: { in: [] } }] };
}

/** Blocks recorded for these numbers (by anyone), or this user's at this institution and mask: lifted or not. */
function sameNumbersEver(identity: AccountIdentity): Prisma.BankAccountBlockWhereInput {
  const by: Prisma.BankAccountBlockWhereInput[] = [];
  if (identity.stripeFingerprint) by.push({ stripeFingerprint: identity.stripeFingerprint });
  if (identity.institutionId && identity.mask)
    by.push({ userId: identity.userId, institutionId: identity.institutionId, mask: identity.mask });
  return { OR: by.length ? by : [{ id: { in: [] } }] };
}

/** Every block ever recorded for these numbers, lifted or not, by anyone (a review rule: lib/banking/review-rules.ts). */
export async function countBlockRecords(tx: Prisma.TransactionClient, identity: AccountIdentity): Promise<number> {
  return tx.bankAccountBlock.count({ where: sameNumbersEver(identity) });
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
