import "server-only";
import type { Db } from "@/lib/db";
import { achReturnOf } from "@/lib/funding/ach-returns";

/** The ACH return that made a bank account unusable, as the admin sees it. */
export interface AccountReturnView {
  at: string;
  paymentId: string | null;
  failureCode: string | null;
  /** The ACH return code (R01…). */
  returnCode: string | null;
  reason: string;
}

/** Null while the account is usable (or unknown). */
export async function getAccountReturn(db: Db, bankAccountId: string): Promise<AccountReturnView | null> {
  const account = await db.bankAccount.findUnique({
    where: { id: bankAccountId },
    select: { unusableAt: true, unusablePaymentId: true, unusableFailureCode: true, unusableReturnCode: true },
  });
  if (!account?.unusableAt) return null;
  const ach = achReturnOf({ failureCode: account.unusableFailureCode, networkDeclineCode: account.unusableReturnCode });
  return {
    at: account.unusableAt.toISOString(),
    paymentId: account.unusablePaymentId,
    failureCode: account.unusableFailureCode,
    returnCode: ach.returnCode,
    reason: ach.reason,
  };
}
