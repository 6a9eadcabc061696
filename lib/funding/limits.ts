import type { Prisma } from "@/lib/db";
import { BankingError } from "@/lib/banking/errors";

export interface FundingLimits {
  minCents: number;
  maxCents: number;
  dailyMaxCents: number;
  thirtyDayMaxCents: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function formatUsd(cents: number): string {
  return new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(cents / 100);
}

/** Per-payment bounds: pure, checked before anything else. */
export function checkAmount(amountCents: number, limits: FundingLimits): void {
  if (amountCents < limits.minCents) throw new BankingError(422, "AMOUNT_TOO_SMALL", `The minimum is ${formatUsd(limits.minCents)} per transfer.`);
  if (amountCents > limits.maxCents) throw new BankingError(422, "AMOUNT_TOO_LARGE", `The maximum is ${formatUsd(limits.maxCents)} per transfer.`);
}

/**
 * Daily and rolling 30-day totals per user, counting every debit that has
 * not failed or been canceled. Run inside the transaction that holds the
 * user's row lock, so two concurrent requests cannot both slip under a limit.
 */
export async function checkRollingTotals(tx: Prisma.TransactionClient, userId: string, amountCents: number, limits: FundingLimits, now = new Date()): Promise<void> {
  const [day, month] = await tx.$queryRaw<{ day: bigint | null; month: bigint | null }[]>`
    SELECT
      COALESCE(SUM("amount_cents") FILTER (WHERE "created_at" > ${new Date(now.getTime() - DAY_MS)}), 0) AS day,
      COALESCE(SUM("amount_cents"), 0) AS month
    FROM "payments"
    WHERE "user_id" = ${userId} AND "status" NOT IN ('FAILED', 'CANCELED') AND "created_at" > ${new Date(now.getTime() - 30 * DAY_MS)}`.then((rows) => [
    Number(rows[0]?.day ?? 0),
    Number(rows[0]?.month ?? 0),
  ]);
  if (day! + amountCents > limits.dailyMaxCents) {
    throw new BankingError(422, "DAILY_LIMIT", `This would exceed your daily limit of ${formatUsd(limits.dailyMaxCents)} (${formatUsd(Math.max(0, limits.dailyMaxCents - day!))} left today).`);
  }
  if (month! + amountCents > limits.thirtyDayMaxCents) {
    throw new BankingError(
      422,
      "THIRTY_DAY_LIMIT",
      `This would exceed your 30-day limit of ${formatUsd(limits.thirtyDayMaxCents)} (${formatUsd(Math.max(0, limits.thirtyDayMaxCents - month!))} left).`,
    );
  }
}
