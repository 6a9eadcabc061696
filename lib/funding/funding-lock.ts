import "server-only";
import type { Prisma } from "@/lib/db";

/**
 * The lock every change that can stop a debit takes: the user's row, as the
 * statement that writes a funding payment takes it (fund_write_payment).
 * Blocking or approving an account, disabling a user and removing an account
 * take it first in their transaction, so they and a payment write are
 * ordered: a change committed before the payment row is seen by the write,
 * which then refuses.
 */
export async function lockFundingUser(tx: Prisma.TransactionClient, userId: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM "users" WHERE "id" = ${userId} FOR UPDATE`;
}
