import "server-only";
import type { Db } from "@/lib/db";

/**
 * Failed sign-in throttle, stored in the database so it holds across app
 * instances. Counters are per key: "email:<address>" (protects one account)
 * and "ip:<address>" (slows one client trying many accounts).
 */
export const THROTTLE_POLICY = {
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  maxFailuresPerEmail: 5,
  maxFailuresPerIp: 20,
} as const;

export interface ThrottleKey {
  key: string;
  maxFailures: number;
}

export function throttleKeys(email: string, ip: string | null): ThrottleKey[] {
  const keys: ThrottleKey[] = [{ key: `email:${email}`, maxFailures: THROTTLE_POLICY.maxFailuresPerEmail }];
  if (ip) keys.push({ key: `ip:${ip}`, maxFailures: THROTTLE_POLICY.maxFailuresPerIp });
  return keys;
}

/** The latest lock end among the keys, or null when none is locked now. */
export async function lockedUntil(db: Db, keys: ThrottleKey[], now = new Date()): Promise<Date | null> {
  const rows = await db.loginThrottle.findMany({
    where: { key: { in: keys.map((k) => k.key) }, lockedUntil: { gt: now } },
    select: { lockedUntil: true },
  });
  const ends = rows.map((r) => r.lockedUntil!.getTime());
  return ends.length ? new Date(Math.max(...ends)) : null;
}

/** Counts one failure on every key, atomically, locking a key that reaches its maximum. */
export async function recordFailure(db: Db, keys: ThrottleKey[], now = new Date()): Promise<void> {
  const windowStart = new Date(now.getTime() - THROTTLE_POLICY.windowMs);
  const lockEnd = new Date(now.getTime() + THROTTLE_POLICY.lockMs);
  for (const { key, maxFailures } of keys) {
    // One statement per key: concurrent failures from several instances add up.
    await db.$executeRaw`
      INSERT INTO "login_throttles" ("key", "failures", "window_start", "locked_until", "updated_at")
      VALUES (${key}, 1, ${now}, ${maxFailures <= 1 ? lockEnd : null}, ${now})
      ON CONFLICT ("key") DO UPDATE SET
        "failures" = CASE WHEN "login_throttles"."window_start" < ${windowStart} THEN 1 ELSE "login_throttles"."failures" + 1 END,
        "window_start" = CASE WHEN "login_throttles"."window_start" < ${windowStart} THEN ${now} ELSE "login_throttles"."window_start" END,
        "locked_until" = CASE
          WHEN (CASE WHEN "login_throttles"."window_start" < ${windowStart} THEN 1 ELSE "login_throttles"."failures" + 1 END) >= ${maxFailures}
          THEN ${lockEnd}::timestamp(3)
          ELSE "login_throttles"."locked_until" END,
        "updated_at" = ${now}`;
  }
}

/** A successful sign-in forgets the account's failures (not the IP's). */
export async function clearFailures(db: Db, email: string): Promise<void> {
  await db.loginThrottle.deleteMany({ where: { key: `email:${email}` } });
}
