import "server-only";
import type Stripe from "stripe";
import type { Db } from "@/lib/db";
import { recordAudit } from "@/lib/audit";

/**
 * ACH debit authorizations (mandate_acceptances): the text a person accepts
 * (lib/funding/mandate-text.ts, shared with the browser), how an acceptance
 * is presented to Stripe with the first debit, and revocation.
 *
 * An acceptance is recorded with the payment it authorizes, by the SQL
 * function fund_write_payment (lib/funding/write-payment.ts). Its Stripe
 * mandate id is stored by the ledger when the first debit returns it.
 */
export { MANDATE_TEXT_VERSION } from "./mandate-text";

/** An acceptance on file, as the first debit from the account presents it. */
export interface MandateAcceptance {
  id: string;
  stripeMandateId: string | null;
  acceptedAt: Date;
  ipAddress: string | null;
  userAgent: string | null;
}

/**
 * Stripe's mandate for a debit: the one an earlier debit created, else the
 * acceptance on file (online, with the IP and user agent that accepted it;
 * offline when those are unknown, e.g. rows from before they were kept).
 */
export function mandateForStripe(
  acceptance: MandateAcceptance | null,
  fallbackAcceptedAt: Date,
): { stripeMandateId: string } | { customerAcceptance: Stripe.PaymentIntentCreateParams.MandateData.CustomerAcceptance } {
  if (acceptance?.stripeMandateId) return { stripeMandateId: acceptance.stripeMandateId };
  const acceptedAt = Math.floor((acceptance?.acceptedAt ?? fallbackAcceptedAt).getTime() / 1000);
  if (acceptance?.ipAddress && acceptance.userAgent) {
    return {
      customerAcceptance: {
        type: "online",
        accepted_at: acceptedAt,
        online: { ip_address: acceptance.ipAddress, user_agent: acceptance.userAgent },
      },
    };
  }
  return { customerAcceptance: { type: "offline", accepted_at: acceptedAt, offline: {} } };
}

/** Why an authorization stopped: the bank account changed, went away, became unusable after an ACH return, or its holder disputed a debit. */
export type RevocationReason = "bank_account_refreshed" | "bank_account_removed" | "bank_account_unusable" | "dispute" | "mandate_inactive";

/**
 * Revokes the authorizations still in force for a bank account, or the one
 * behind a Stripe mandate; the next debit from that account asks again. Each
 * revocation gets an audit entry ("mandate.revoked"). Pass the transaction
 * client when the revocation must commit with the change that caused it.
 */
export async function revokeMandates(
  tx: Pick<Db, "mandateAcceptance" | "auditLog">,
  target: { bankAccountId: string } | { stripeMandateId: string },
  reason: RevocationReason,
  context: { actorId?: string | null; source?: string } = {},
): Promise<{ id: string; bankAccountId: string }[]> {
  const active = await tx.mandateAcceptance.findMany({
    where: { ...target, revokedAt: null },
    select: { id: true, bankAccountId: true, stripeMandateId: true },
  });
  if (active.length === 0) return [];
  await tx.mandateAcceptance.updateMany({
    where: { id: { in: active.map((m) => m.id) }, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  for (const m of active) {
    await recordAudit(tx, {
      actorId: context.actorId ?? null,
      action: "mandate.revoked",
      targetType: "mandate_acceptance",
      targetId: m.id,
      metadata: {
        bankAccountId: m.bankAccountId,
        reason,
        ...(m.stripeMandateId ? { stripeMandateId: m.stripeMandateId } : {}),
        ...(context.source ? { source: context.source } : {}),
      },
    });
  }
  return active.map(({ id, bankAccountId }) => ({ id, bankAccountId }));
}

/** A Stripe `mandate.updated`: read the mandate afresh and revoke the authorization behind it if Stripe made it inactive. */
export async function applyMandateUpdate(db: Db, stripe: Stripe, stripeMandateId: string, source: string): Promise<string[]> {
  const mandate = await stripe.mandates.retrieve(stripeMandateId);
  if (mandate.status !== "inactive") return [];
  const revoked = await db.$transaction((tx) => revokeMandates(tx, { stripeMandateId: mandate.id }, "mandate_inactive", { source }));
  return revoked.map((m) => m.id);
}
