import "server-only";
import type { Db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";

/**
 * Sign-in throttle, stored in the database so it holds across app instances.
 *
 * Counters are per key: "pair:<email>|<ip>" (one client guessing one
 * account's password) and "ip:<address>" (one client trying many accounts).
 * There is no per-account key on its own: a stranger's guesses from their
 * address never lock the account's owner out from theirs.
 *
 * An attempt is reserved on every key, atomically, before the password is
 * verified (`reserveAttempt`), so parallel guesses count: at most
 * `max…` attempts per key are ever verified in a window. A failed attempt
 * keeps its reservation (`recordFailure`) and locks a key that has reached its
 * maximum; each further lock of the same key lasts twice as long (up to
 * `maxLockMs`), forgotten after `lockoutMemoryMs` without one. A successful
 * sign-in clears its pair and gives the IP's reservation back (`recordSuccess`).
 */
export const THROTTLE_POLICY = {
  windowMs: 15 * 60_000,
  /** The first lock of a key; each further one doubles. */
  lockMs: 15 * 60_000,
  maxLockMs: 24 * 60 * 60_000,
  /** A key whose last lock ended longer ago than this starts again from lockMs. */
  lockoutMemoryMs: 24 * 60 * 60_000,
  maxFailuresPerPair: 5,
  maxFailuresPerIp: 20,
} as const;

export interface ThrottleKey {
  key: string;
  maxFailures: number;
  /** The key's window; THROTTLE_POLICY.windowMs (15 minutes) when absent. */
  windowMs?: number;
}

export type Reservation = { reserved: true } | { reserved: false; until: Date };

export function pairKey(email: string, ip: string | null): string {
  return `pair:${email}|${ip ?? "unknown"}`;
}

export function ipKey(ip: string): ThrottleKey {
  return { key: `ip:${ip}`, maxFailures: THROTTLE_POLICY.maxFailuresPerIp };
}

/** Sign-ups from one client (SIGNUPS_PER_IP per window): every one counts, created or not. */
export function signUpKey(ip: string, maxPerWindow: number): ThrottleKey {
  return { key: `signup:${ip}`, maxFailures: maxPerWindow };
}

/** The keys of a sign-in: the (email, IP) pair, and the IP when it is known. */
export function signInKeys(email: string, ip: string | null): ThrottleKey[] {
  const keys: ThrottleKey[] = [{ key: pairKey(email, ip), maxFailures: THROTTLE_POLICY.maxFailuresPerPair }];
  if (ip) keys.push(ipKey(ip));
  return keys;
}

/** Each key's window start (keys may have windows of their own). */
const windowStartOf = (keys: ThrottleKey[], now: Date) =>
  Prisma.sql`CASE "login_throttles"."key" ${Prisma.join(
    keys.map((k) => Prisma.sql`WHEN ${k.key} THEN ${new Date(now.getTime() - (k.windowMs ?? THROTTLE_POLICY.windowMs))}::timestamp(3)`),
    " ",
  )} END`;

const maxOf = (keys: ThrottleKey[]) =>
  Prisma.sql`CASE "login_throttles"."key" ${Prisma.join(
    keys.map((k) => Prisma.sql`WHEN ${k.key} THEN ${k.maxFailures}::int`),
    " ",
  )} END`;

/**
 * Reserves one attempt on every key, or on none: a key is refused while it is
 * locked or while its window already holds its maximum (failures or attempts
 * still being verified). One statement takes the row locks and decides, so
 * concurrent attempts from any number of instances are counted one by one.
 */
export async function reserveAttempt(db: Db, keys: ThrottleKey[], now = new Date()): Promise<Reservation> {
  const windowStart = windowStartOf(keys, now);
  const rows = Prisma.join(keys.map((k) => Prisma.sql`(${k.key}, 1, ${now}::timestamp(3), NULL, 0, ${now}::timestamp(3))`));
  const reserved = await db.$queryRaw<{ key: string }[]>`
    INSERT INTO "login_throttles" ("key", "failures", "window_start", "locked_until", "lockouts", "updated_at")
    VALUES ${rows}
    ON CONFLICT ("key") DO UPDATE SET
      "failures" = CASE WHEN "login_throttles"."window_start" < ${windowStart} THEN 1 ELSE "login_throttles"."failures" + 1 END,
      "window_start" = CASE WHEN "login_throttles"."window_start" < ${windowStart} THEN ${now}::timestamp(3) ELSE "login_throttles"."window_start" END,
      "updated_at" = ${now}::timestamp(3)
    WHERE ("login_throttles"."locked_until" IS NULL OR "login_throttles"."locked_until" <= ${now})
      AND ("login_throttles"."window_start" < ${windowStart} OR "login_throttles"."failures" < ${maxOf(keys)})
    RETURNING "key"`;
  if (reserved.length === keys.length) return { reserved: true };

  // Refused on some key: give back what was taken on the others, and say until when.
  const taken = new Set(reserved.map((r) => r.key));
  await releaseAttempt(
    db,
    keys.filter((k) => taken.has(k.key)),
  );
  const refused = await db.loginThrottle.findMany({ where: { key: { in: keys.filter((k) => !taken.has(k.key)).map((k) => k.key) } } });
  const windowOf = (key: string) => keys.find((k) => k.key === key)?.windowMs ?? THROTTLE_POLICY.windowMs;
  const ends = refused.map((r) =>
    r.lockedUntil && r.lockedUntil > now ? r.lockedUntil.getTime() : r.windowStart.getTime() + windowOf(r.key),
  );
  return { reserved: false, until: new Date(Math.max(now.getTime(), ...ends)) };
}

/**
 * A reserved attempt failed: its reservation stays counted, and a key that
 * has reached its maximum is locked (twice as long as its previous lock).
 */
export async function recordFailure(db: Db, keys: ThrottleKey[], now = new Date()): Promise<void> {
  if (!keys.length) return;
  const forgetBefore = new Date(now.getTime() - THROTTLE_POLICY.lockoutMemoryMs);
  const lockouts = Prisma.sql`(CASE WHEN "locked_until" IS NOT NULL AND "locked_until" < ${forgetBefore} THEN 0 ELSE "lockouts" END)`;
  await db.$executeRaw`
    UPDATE "login_throttles" SET
      "locked_until" = ${now}::timestamp(3)
        + LEAST(${THROTTLE_POLICY.lockMs}::float8 * power(2, LEAST(${lockouts}, 20)), ${THROTTLE_POLICY.maxLockMs}::float8) * interval '1 millisecond',
      "lockouts" = ${lockouts} + 1,
      "updated_at" = ${now}::timestamp(3)
    WHERE "key" IN (${Prisma.join(keys.map((k) => k.key))})
      AND "failures" >= ${maxOf(keys)}
      AND ("locked_until" IS NULL OR "locked_until" <= ${now})`;
}

/** A reserved attempt succeeded: its pair starts afresh; the IP's reservation is given back (its failures stay). */
export async function recordSuccess(db: Db, keys: ThrottleKey[]): Promise<void> {
  const pairs = keys.filter((k) => k.key.startsWith("pair:")).map((k) => k.key);
  const others = keys.filter((k) => !k.key.startsWith("pair:"));
  if (pairs.length) await db.loginThrottle.deleteMany({ where: { key: { in: pairs } } });
  await releaseAttempt(db, others);
}

/** Gives reservations back (an attempt that was refused elsewhere, or did not fail). */
export async function releaseAttempt(db: Db, keys: ThrottleKey[]): Promise<void> {
  if (!keys.length) return;
  await db.$executeRaw`
    UPDATE "login_throttles" SET "failures" = GREATEST("failures" - 1, 0)
    WHERE "key" IN (${Prisma.join(keys.map((k) => k.key))})`;
}
