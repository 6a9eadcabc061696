import "server-only";
import type { Db } from "@/lib/db";

export interface DailyVolume {
  /** YYYY-MM-DD (UTC). */
  day: string;
  /** Sum of debits started that day that did not fail or get canceled. */
  amountCents: number;
  succeededCents: number;
  count: number;
}

export interface AdminOverview {
  users: { total: number; disabled: number; admins: number };
  bankAccountsByStatus: Record<string, number>;
  paymentsByStatus: Record<string, number>;
  dailyVolume: DailyVolume[];
  /** Over the last 30 days: failed / (succeeded + failed); null without settled payments. */
  failureRate: { rate: number | null; failed: number; settled: number };
  itemsNeedingReconnection: number;
  accountsAwaitingReview: number;
  /** From Stripe's balance transactions (lib/funding/balance.ts, disputes.ts), over all succeeded payments. */
  stripeMoney: {
    /** Stripe's fees on debits plus the dispute fees withdrawn. */
    feesCents: number;
    disputeFeesCents: number;
    /** What the debits brought to the Stripe balance after fees (payments whose fee is known). */
    netCents: number;
    /** Succeeded payments whose balance transaction is not recorded yet (their fee is not in the total). */
    withoutFee: number;
    /** Refunds that succeeded. */
    refundedCents: number;
  };
}

export const VOLUME_DAYS = 30;

/** Everything the overview shows, in a handful of aggregate queries (no per-row work). */
export async function getAdminOverview(db: Db, now = new Date()): Promise<AdminOverview> {
  const todayUtc = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const since = new Date(todayUtc - (VOLUME_DAYS - 1) * 86_400_000);
  const [users, disabled, admins, accounts, payments, volume, settled, items, awaiting, [money]] = await Promise.all([
    db.user.count(),
    db.user.count({ where: { disabled: true } }),
    db.user.count({ where: { role: "ADMIN" } }),
    db.bankAccount.groupBy({ by: ["status"], _count: { _all: true } }),
    db.payment.groupBy({ by: ["status"], _count: { _all: true } }),
    db.$queryRaw<{ day: Date; amount: bigint | null; succeeded: bigint | null; count: bigint }[]>`
      SELECT date_trunc('day', "created_at") AS day,
             SUM("amount_cents") FILTER (WHERE "status" NOT IN ('FAILED', 'CANCELED')) AS amount,
             SUM("amount_cents") FILTER (WHERE "status" = 'SUCCEEDED') AS succeeded,
             COUNT(*) AS count
      FROM "payments" WHERE "created_at" >= ${since}
      GROUP BY 1 ORDER BY 1`,
    db.payment.groupBy({
      by: ["status"],
      where: { createdAt: { gte: since }, status: { in: ["SUCCEEDED", "FAILED"] } },
      _count: { _all: true },
    }),
    db.plaidItem.count({ where: { status: { in: ["LOGIN_REQUIRED", "PENDING_DISCONNECT", "REVOKED"] } } }),
    db.bankAccount.count({ where: { reviewStatus: "PENDING", status: "ACTIVE" } }),
    db.$queryRaw<{ fees: bigint; dispute_fees: bigint; net: bigint; without_fee: bigint; refunded: bigint }[]>`
      SELECT COALESCE(SUM("fee_cents"), 0)::bigint AS fees,
             COALESCE(SUM("dispute_fee_cents"), 0)::bigint AS dispute_fees,
             COALESCE(SUM("net_cents"), 0)::bigint AS net,
             COUNT(*) FILTER (WHERE "status" = 'SUCCEEDED' AND "fee_cents" IS NULL) AS without_fee,
             (SELECT COALESCE(SUM("amount_cents"), 0) FROM "refunds" WHERE "status" = 'SUCCEEDED')::bigint AS refunded
      FROM "payments" WHERE "status" = 'SUCCEEDED'`,
  ]);
  const byDay = new Map(volume.map((v) => [v.day.toISOString().slice(0, 10), v]));
  const dailyVolume: DailyVolume[] = [];
  for (let i = 0; i < VOLUME_DAYS; i++) {
    const day = new Date(since.getTime() + i * 86_400_000).toISOString().slice(0, 10);
    const v = byDay.get(day);
    dailyVolume.push({ day, amountCents: Number(v?.amount ?? 0), succeededCents: Number(v?.succeeded ?? 0), count: Number(v?.count ?? 0) });
  }
  const failed = settled.find((s) => s.status === "FAILED")?._count._all ?? 0;
  const succeeded = settled.find((s) => s.status === "SUCCEEDED")?._count._all ?? 0;
  return {
    users: { total: users, disabled, admins },
    bankAccountsByStatus: Object.fromEntries(accounts.map((a) => [a.status, a._count._all])),
    paymentsByStatus: Object.fromEntries(payments.map((p) => [p.status, p._count._all])),
    dailyVolume,
    failureRate: { rate: failed + succeeded > 0 ? failed / (failed + succeeded) : null, failed, settled: failed + succeeded },
    itemsNeedingReconnection: items,
    accountsAwaitingReview: awaiting,
    stripeMoney: {
      feesCents: Number(money!.fees) + Number(money!.dispute_fees),
      disputeFeesCents: Number(money!.dispute_fees),
      netCents: Number(money!.net),
      withoutFee: Number(money!.without_fee),
      refundedCents: Number(money!.refunded),
    },
  };
}
