import type { Db } from "@/lib/db";
import { getConfig } from "@/lib/config";
import type { BankAccountView, BalanceView, DashboardData, PaymentView } from "./views";

const HISTORY_SIZE = 25;

/** Everything the dashboard shows, in four queries regardless of history size. */
export async function getDashboardData(db: Db, userId: string): Promise<DashboardData> {
  const [accounts, balances, payments] = await Promise.all([listBankAccounts(db, userId), getBalances(db, userId), listPayments(db, userId)]);
  const { funding } = getConfig();
  return {
    bankAccounts: accounts,
    balances,
    payments,
    limits: { minCents: funding.minCents, maxCents: funding.maxCents, dailyMaxCents: funding.dailyMaxCents, thirtyDayMaxCents: funding.thirtyDayMaxCents },
  };
}

export async function listBankAccounts(db: Db, userId: string): Promise<BankAccountView[]> {
  const rows = await db.bankAccount.findMany({
    where: { userId, status: { not: "REMOVED" } },
    orderBy: { createdAt: "asc" },
    include: { item: { select: { status: true } }, mandates: { where: { revokedAt: null }, select: { id: true }, take: 1 } },
  });
  return rows.map((a) => ({
    id: a.id,
    institutionName: a.institutionName,
    name: a.name,
    mask: a.mask,
    subtype: a.subtype,
    status: a.status,
    itemId: a.itemId,
    itemStatus: a.item.status,
    reviewStatus: a.reviewStatus,
    needsMandate: a.mandates.length === 0,
  }));
}

export async function getBalances(db: Db, userId: string): Promise<BalanceView> {
  const [available, pending] = await Promise.all([
    db.ledgerEntry.aggregate({ where: { userId }, _sum: { amountCents: true } }),
    db.payment.aggregate({ where: { userId, status: { in: ["PENDING", "PROCESSING"] } }, _sum: { amountCents: true } }),
  ]);
  return { availableCents: available._sum.amountCents ?? 0, pendingCents: pending._sum.amountCents ?? 0 };
}

export async function listPayments(db: Db, userId: string, take = HISTORY_SIZE): Promise<PaymentView[]> {
  const rows = await db.payment.findMany({
    where: { userId },
    orderBy: { createdAt: "desc" },
    take,
    include: { bankAccount: { select: { institutionName: true, mask: true } } },
  });
  return rows.map(toPaymentView);
}

export function toPaymentView(p: {
  id: string;
  requestId: string;
  amountCents: number;
  status: PaymentView["status"];
  createdAt: Date;
  failureMessage: string | null;
  bankAccount: { institutionName: string | null; mask: string | null };
}): PaymentView {
  return {
    id: p.id,
    requestId: p.requestId,
    amountCents: p.amountCents,
    status: p.status,
    createdAt: p.createdAt.toISOString(),
    bankLabel: `${p.bankAccount.institutionName ?? "Bank"} ····${p.bankAccount.mask ?? ""}`,
    failureReason: p.status === "FAILED" ? p.failureMessage : null,
  };
}
