import "server-only";
import type { Db } from "@/lib/db";
import { getConfig } from "@/lib/config";
import { tooManyRequests } from "@/lib/errors";
import { reserveAttempt } from "@/lib/auth/throttle";

/**
 * Per-user rate limits on the routes that cost us upstream calls or rows:
 * funding (a balance call and a debit each), link-token creation (a Plaid
 * call each) and Link event logging. Counted in the database
 * (login_throttles, lib/auth/throttle.ts), so they hold across instances;
 * every request counts. Over the limit: 429 with Retry-After, before any
 * other work. (Verification mail resends have their own limit, in
 * lib/auth/email-verification.ts.)
 */
const MINUTE = 60_000;

const LIMITS = {
  funding: () => ({ max: getConfig().fundingRequestsPerMinute, windowMs: MINUTE, what: "Too many transfers at once." }),
  linkToken: () => ({ max: 10, windowMs: MINUTE, what: "Too many attempts to open Plaid Link." }),
  linkEvents: () => ({ max: 120, windowMs: MINUTE, what: "Too many events." }),
} as const;

export type RateLimitedAction = keyof typeof LIMITS;

/** Counts one request of `userId` for `action`; throws 429 (with Retry-After) over the limit. */
export async function rateLimitUser(db: Db, action: RateLimitedAction, userId: string, now = new Date()): Promise<void> {
  const { max, windowMs, what } = LIMITS[action]();
  const reservation = await reserveAttempt(db, [{ key: `rate:${action}:${userId}`, maxFailures: max, windowMs }], now);
  if (!reservation.reserved) throw tooManyRequests(what, reservation.until, now);
}
