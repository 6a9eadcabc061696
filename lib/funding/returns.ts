import "server-only";
import type { Db } from "@/lib/db";
import type { Payment } from "@/lib/generated/prisma/client";
import { recordAudit } from "@/lib/audit";
import { logger } from "@/lib/log";
import { achReturnOf } from "./ach-returns";
import { lockFundingUser } from "./funding-lock";
import type { ObservedStatus } from "./ledger";
import { revokeMandates } from "./mandates";

/**
 * What a returned debit does to its bank account. When the payment failed
 * with a return that leaves the account unusable (lib/funding/ach-returns.ts:
 * everything but insufficient funds), the account moves ACTIVE → UNUSABLE
 * with the return that did it, its authorizations are revoked, and both are
 * audited, in one transaction under the user's funding lock, so a funding
 * write that races it is ordered against it (fund_write_payment refuses an
 * UNUSABLE account, and so does the check before each send,
 * lib/funding/send-check.ts).
 *
 * Idempotent: called whenever Stripe reports the payment failed (webhooks,
 * reconciliation, creation), so a report delivered again after a crash
 * between the payment's move and this one still marks the account; an
 * account already UNUSABLE, removed or gone is left as it is.
 */
export async function applyReturnToAccount(
  db: Db,
  payment: Pick<Payment, "id" | "userId" | "bankAccountId">,
  observed: ObservedStatus,
  source: string,
): Promise<boolean> {
  if (observed.status !== "FAILED") return false;
  const ach = achReturnOf({ failureCode: observed.failureCode, networkDeclineCode: observed.returnCode });
  if (ach.accountUsable) return false;
  const marked = await db.$transaction(async (tx) => {
    await lockFundingUser(tx, payment.userId);
    const now = new Date();
    const { count } = await tx.bankAccount.updateMany({
      where: { id: payment.bankAccountId, status: "ACTIVE" },
      data: {
        status: "UNUSABLE",
        unusableAt: now,
        unusablePaymentId: payment.id,
        unusableFailureCode: ach.failureCode,
        unusableReturnCode: ach.returnCode,
      },
    });
    if (count === 0) return false;
    await recordAudit(tx, {
      actorId: null,
      action: "bank_account.unusable",
      targetType: "bank_account",
      targetId: payment.bankAccountId,
      metadata: { paymentId: payment.id, failureCode: ach.failureCode, returnCode: ach.returnCode, source },
    });
    await revokeMandates(tx, { bankAccountId: payment.bankAccountId }, "bank_account_unusable", { source });
    return true;
  });
  if (marked)
    logger.info(
      { bankAccountId: payment.bankAccountId, paymentId: payment.id, returnCode: ach.returnCode },
      "bank account unusable after an ACH return",
    );
  return marked;
}
