import { AppError } from "@/lib/errors";

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
  if (amountCents < limits.minCents) throw new AppError(422, "AMOUNT_TOO_SMALL", `The minimum is ${formatUsd(limits.minCents)} per transfer.`);
  if (amountCents > limits.maxCents) throw new AppError(422, "AMOUNT_TOO_LARGE", `The maximum is ${formatUsd(limits.maxCents)} per transfer.`);
}

/** What the user has debited (not failed or canceled) in the last day and the last 30 days. */
export interface RollingTotals {
  dayCents: number;
  thirtyDayCents: number;
}

export const rollingWindows = (now: Date): { dayStart: Date; thirtyDayStart: Date } => ({
  dayStart: new Date(now.getTime() - DAY_MS),
  thirtyDayStart: new Date(now.getTime() - 30 * DAY_MS),
});

/**
 * The daily and rolling 30-day limits: pure. The totals must be read under
 * the user's row lock (lib/funding/write-payment.ts), so two concurrent
 * requests cannot both slip under a limit.
 */
export function checkRollingTotals(totals: RollingTotals, amountCents: number, limits: FundingLimits): void {
  const { dayCents, thirtyDayCents } = totals;
  if (dayCents + amountCents > limits.dailyMaxCents) {
    throw new AppError(422, "DAILY_LIMIT", `This would exceed your daily limit of ${formatUsd(limits.dailyMaxCents)} (${formatUsd(Math.max(0, limits.dailyMaxCents - dayCents))} left today).`);
  }
  if (thirtyDayCents + amountCents > limits.thirtyDayMaxCents) {
    throw new AppError(
      422,
      "THIRTY_DAY_LIMIT",
      `This would exceed your 30-day limit of ${formatUsd(limits.thirtyDayMaxCents)} (${formatUsd(Math.max(0, limits.thirtyDayMaxCents - thirtyDayCents))} left).`,
    );
  }
}
