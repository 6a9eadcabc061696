import { afterAll, describe, expect, it } from "vitest";
import { authenticateWithPassword } from "@/lib/auth/credentials";
import { requestSignUp } from "@/lib/auth/sign-up";
import { AppError } from "@/lib/errors";
import { AuthError } from "@/lib/auth/errors";
import { THROTTLE_POLICY, pairKey } from "@/lib/auth/throttle";
import { testDb, uniqueEmail } from "../helpers/db";

const db = testDb();
const other = testDb(); // a second "instance" with its own pool
afterAll(() => Promise.all([db.$disconnect(), other.$disconnect()]));

/** A distinct, valid IP per call, so tests (and files) never share an IP key. */
const freshIp = () => `10.${rand()}.${rand()}.${rand()}`;
const rand = () => Math.floor(Math.random() * 254) + 1;

async function signUp(password = "correct horse battery") {
  const email = uniqueEmail("throttle");
  await requestSignUp(db, { name: "Owner", email, password }, { ip: freshIp() });
  return { email, password };
}

type Outcome = "signed-in" | AuthError["code"];
async function attempt(email: string, password: string, ip: string | null, extra: { now?: Date; pool?: typeof db } = {}): Promise<Outcome> {
  try {
    await authenticateWithPassword({ email, password }, { db: extra.pool ?? db, ip, adminEmails: [], now: extra.now });
    return "signed-in";
  } catch (err) {
    if (err instanceof AuthError) return err.code;
    throw err;
  }
}

const count = (outcomes: Outcome[], which: Outcome) => outcomes.filter((o) => o === which).length;

describe("sign-in throttle under parallel attempts", () => {
  it("verifies at most 5 of 40 parallel wrong guesses, then refuses the right password", async () => {
    const { email, password } = await signUp();
    const ip = freshIp();
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) => attempt(email, `wrong guess ${i}`, ip, { pool: i % 2 ? other : db })),
    );
    expect(count(outcomes, "invalid")).toBe(THROTTLE_POLICY.maxFailuresPerPair);
    expect(count(outcomes, "throttled")).toBe(40 - THROTTLE_POLICY.maxFailuresPerPair);
    const row = await db.loginThrottle.findUniqueOrThrow({ where: { key: pairKey(email, ip) } });
    expect(row.failures).toBe(THROTTLE_POLICY.maxFailuresPerPair); // the reservations, nothing more
    expect(row.lockedUntil!.getTime()).toBeGreaterThan(Date.now());
    expect(await db.auditLog.count({ where: { action: "auth.sign_in.failed", metadata: { path: ["email"], equals: email } } })).toBe(5);
    expect(await attempt(email, password, ip)).toBe("throttled");
  });

  it("checks no more than 5 passwords when the right one is among 40 parallel guesses", async () => {
    const { email, password } = await signUp();
    const ip = freshIp();
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) => attempt(email, i === 39 ? password : `wrong guess ${i}`, ip, { pool: i % 2 ? other : db })),
    );
    // The right password signs in only if it was among the 5 reserved attempts.
    expect(count(outcomes, "invalid") + count(outcomes, "signed-in")).toBe(THROTTLE_POLICY.maxFailuresPerPair);
    expect(count(outcomes, "throttled")).toBe(40 - THROTTLE_POLICY.maxFailuresPerPair);
  });

  it("counts parallel attempts on the IP key too (21 accounts at once from one IP)", async () => {
    const ip = freshIp();
    const outcomes = await Promise.all(
      Array.from({ length: THROTTLE_POLICY.maxFailuresPerIp + 5 }, (_, i) =>
        attempt(uniqueEmail(`spray${i}`), "x", ip, { pool: i % 2 ? other : db }),
      ),
    );
    expect(count(outcomes, "invalid")).toBe(THROTTLE_POLICY.maxFailuresPerIp);
    expect(count(outcomes, "throttled")).toBe(5);
    // Refused on the IP: the pair reservations taken on the way were given back.
    expect(await db.loginThrottle.count({ where: { key: { startsWith: "pair:spray" }, failures: { gt: 1 } } })).toBe(0);
  });
});

describe("limits per (email, IP) and per IP", () => {
  it("a stranger's guesses from another IP do not lock the owner out from theirs", async () => {
    const { email, password } = await signUp();
    const stranger = freshIp();
    for (let i = 0; i < 10; i++) await attempt(email, `guess ${i}`, stranger);
    expect(await attempt(email, password, stranger)).toBe("throttled");
    expect(await attempt(email, password, freshIp())).toBe("signed-in");
  });

  it("a successful sign-in clears only its own pair", async () => {
    const { email, password } = await signUp();
    const owner = freshIp();
    const stranger = freshIp();
    for (let i = 0; i < 3; i++) {
      await attempt(email, "typo", owner);
      await attempt(email, "guess", stranger);
    }
    expect(await attempt(email, password, owner)).toBe("signed-in");
    expect(await db.loginThrottle.findUnique({ where: { key: pairKey(email, owner) } })).toBeNull();
    expect((await db.loginThrottle.findUniqueOrThrow({ where: { key: pairKey(email, stranger) } })).failures).toBe(3);
    // The owner's IP keeps its 3 failures; the successful attempt's reservation was given back.
    expect((await db.loginThrottle.findUniqueOrThrow({ where: { key: `ip:${owner}` } })).failures).toBe(3);
  });

  it("locks a pair again for twice as long, up to the cap", async () => {
    const { email, password } = await signUp();
    const ip = freshIp();
    let now = new Date();
    const lockMinutes: number[] = [];
    for (let round = 0; round < 8; round++) {
      for (let i = 0; i < THROTTLE_POLICY.maxFailuresPerPair; i++) expect(await attempt(email, "bad", ip, { now })).toBe("invalid");
      const row = await db.loginThrottle.findUniqueOrThrow({ where: { key: pairKey(email, ip) } });
      lockMinutes.push(Math.round((row.lockedUntil!.getTime() - now.getTime()) / 60_000));
      expect(await attempt(email, password, ip, { now })).toBe("throttled");
      now = new Date(row.lockedUntil!.getTime() + 1_000);
    }
    expect(lockMinutes).toEqual([15, 30, 60, 120, 240, 480, 960, 1440]);
    // The right password after the lock signs in and starts the pair afresh.
    expect(await attempt(email, password, ip, { now })).toBe("signed-in");
    expect(await db.loginThrottle.findUnique({ where: { key: pairKey(email, ip) } })).toBeNull();
  });

  it("forgets earlier locks of an IP after a quiet day", async () => {
    const ip = freshIp();
    const start = new Date();
    for (let i = 0; i < THROTTLE_POLICY.maxFailuresPerIp; i++) await attempt(uniqueEmail(`day1-${i}`), "x", ip, { now: start });
    const first = await db.loginThrottle.findUniqueOrThrow({ where: { key: `ip:${ip}` } });
    expect(first.lockedUntil!.getTime() - start.getTime()).toBe(THROTTLE_POLICY.lockMs);
    const nextDay = new Date(first.lockedUntil!.getTime() + THROTTLE_POLICY.lockoutMemoryMs + 1_000);
    for (let i = 0; i < THROTTLE_POLICY.maxFailuresPerIp; i++) await attempt(uniqueEmail(`day2-${i}`), "x", ip, { now: nextDay });
    const again = await db.loginThrottle.findUniqueOrThrow({ where: { key: `ip:${ip}` } });
    expect(again.lockedUntil!.getTime() - nextDay.getTime()).toBe(THROTTLE_POLICY.lockMs);
  });

  it("limits sign-ups per client IP too (10 in a window), in parallel", async () => {
    const ip = freshIp();
    const outcomes = await Promise.all(
      Array.from({ length: 14 }, async (_, i) => {
        try {
          await requestSignUp(db, { name: "Bulk", email: uniqueEmail(`bulk${i}`), password: "a long enough password" }, { ip });
          return "created";
        } catch (err) {
          if (err instanceof AppError && err.status === 429) return "throttled";
          throw err;
        }
      }),
    );
    expect(outcomes.filter((o) => o === "created")).toHaveLength(10);
    expect(outcomes.filter((o) => o === "throttled")).toHaveLength(4);
    // Another client is not affected.
    const other = uniqueEmail("other");
    await requestSignUp(db, { name: "Other", email: other, password: "a long enough password" }, { ip: freshIp() });
    expect(await db.user.findUnique({ where: { email: other } })).toMatchObject({ role: "USER" });
  });
});
