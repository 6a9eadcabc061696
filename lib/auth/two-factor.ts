import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { Db, Prisma } from "@/lib/db";
import { recordAudit } from "@/lib/audit";
import { enqueueMail } from "@/lib/mail";
import { AppError, tooManyRequests } from "@/lib/errors";
import { openTotpSecret, sealTotpSecret } from "@/lib/secrets";
import { safeText } from "@/lib/safe-text";
import type { Actor } from "./actor";
import { recordFailure, recordSuccess, reserveAttempt, type ThrottleKey } from "./throttle";
import { newTotpSecret, qrCodeSvg, TOTP_CODE, totpTimeStep, totpUri } from "./totp";

/**
 * Two-factor sign-in with TOTP (lib/auth/totp.ts) and recovery codes.
 *
 * - A user turns it on by scanning a QR code and entering a code
 *   (start → confirm); they get ten single-use recovery codes, shown once
 *   and stored as hashes. From then on every session of theirs owes a code
 *   before it may act (lib/auth/actor.ts, lib/auth/session.ts): after the
 *   password, the sign-in continues on /two-factor.
 * - Admins must have it on: every admin page and admin route refuses an
 *   admin without it (`checkAdminSecondFactor`).
 * - Step-up: an admin's sensitive actions (block or approve, disable a user,
 *   settings, processor tokens, CSV export) need a code entered in the last
 *   STEP_UP_WINDOW_MS by this session (`checkStepUp`).
 *
 * Every code is single-use: a TOTP code is accepted only for a time step
 * after the last one accepted (one UPDATE decides, so two concurrent uses
 * of one code cannot both pass), a recovery code only while unused. Wrong
 * codes count against a per-user and a per-IP throttle (lib/auth/throttle.ts).
 */

export const STEP_UP_WINDOW_MS = 10 * 60_000;
export const RECOVERY_CODE_COUNT = 10;
/** Wrong codes per user per throttle window (15 min), whatever the client. */
const MAX_WRONG_CODES_PER_USER = 10;
const MAX_WRONG_CODES_PER_IP = 20;

export const codeSchema = z.object({
  code: safeText().trim().min(1, "Enter the code").max(32, "That code is too long"),
});

const invalidCode = () => new AppError(400, "INVALID_CODE", "That code is not valid. Check your authenticator app and try again.");

export function checkAdminSecondFactor(user: { role: string; totpEnabledAt: Date | null }): void {
  if (user.role === "ADMIN" && !user.totpEnabledAt)
    throw new AppError(
      403,
      "TWO_FACTOR_REQUIRED",
      "Administrators must turn on two-factor authentication to use the admin console (Account → Two-factor authentication).",
    );
}

/** A sensitive admin action: the session proved the second factor in the last STEP_UP_WINDOW_MS. */
export function checkStepUp(secondFactorAt: Date | null, now = new Date()): void {
  if (secondFactorAt && now.getTime() - secondFactorAt.getTime() <= STEP_UP_WINDOW_MS) return;
  throw new AppError(403, "STEP_UP_REQUIRED", "Confirm it's you: enter a code from your authenticator app to continue.");
}

/** Recovery codes: 64 random bits, shown as four groups of four hex digits. */
function newRecoveryCode(): string {
  return randomBytes(8).toString("hex").match(/.{4}/g)!.join("-");
}

/** Bound to the user, so equal codes of two users never collide and a leaked hash list names no other account's code. */
function recoveryCodeHash(userId: string, code: string): string {
  const normalized = code.toLowerCase().replace(/[\s-]+/g, "");
  return createHash("sha256").update(`${userId}:${normalized}`, "utf8").digest("hex");
}

const RECOVERY_CODE = /^[0-9a-f]{16}$/i;

/** Six digits, or a recovery code's shape: anything else is refused without counting (it cannot be a guess). */
function looksLikeCode(code: string, options: { recovery: boolean }): boolean {
  const token = code.replace(/[\s-]+/g, "");
  return TOTP_CODE.test(token) || (options.recovery && RECOVERY_CODE.test(token));
}

/** Per user (any client) and per client IP, apart from the sign-in keys: wrong codes and wrong passwords do not lock each other. */
function throttleKeys(userId: string, ip: string | null): ThrottleKey[] {
  const keys: ThrottleKey[] = [{ key: `2fa:user:${userId}`, maxFailures: MAX_WRONG_CODES_PER_USER }];
  if (ip) keys.push({ key: `2fa:ip:${ip}`, maxFailures: MAX_WRONG_CODES_PER_IP });
  return keys;
}

async function reserveCodeAttempt(db: Db, keys: ThrottleKey[], now: Date): Promise<void> {
  const reservation = await reserveAttempt(db, keys, now);
  if (!reservation.reserved) throw tooManyRequests("Too many wrong codes.", reservation.until, now);
}

export interface TwoFactorStatus {
  enabled: boolean;
  enabledAt: string | null;
  recoveryCodesLeft: number;
}

export async function twoFactorStatus(db: Db, userId: string): Promise<TwoFactorStatus> {
  const [user, recoveryCodesLeft] = await Promise.all([
    db.user.findUniqueOrThrow({ where: { id: userId }, select: { totpEnabledAt: true } }),
    db.totpRecoveryCode.count({ where: { userId, usedAt: null } }),
  ]);
  return { enabled: user.totpEnabledAt !== null, enabledAt: user.totpEnabledAt?.toISOString() ?? null, recoveryCodesLeft };
}

export interface Enrolment {
  /** Base32, for typing into an app that cannot scan. */
  secret: string;
  uri: string;
  qrSvg: string;
}

/** Starts (or restarts) turning TOTP on: a new secret, stored sealed, not in force until confirmed. */
export async function startEnrolment(db: Db, userId: string): Promise<Enrolment> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, totpEnabledAt: true } });
  if (user.totpEnabledAt) throw new AppError(409, "TWO_FACTOR_ALREADY_ON", "Two-factor authentication is already on.");
  const secret = newTotpSecret();
  await db.user.update({ where: { id: userId }, data: { totpSecretCiphertext: sealTotpSecret(userId, secret), totpLastTimeStep: null } });
  const uri = totpUri(user.email, secret);
  return { secret, uri, qrSvg: await qrCodeSvg(uri) };
}

/**
 * Turns TOTP on with the first code from the app: the user's recovery codes
 * are replaced by new ones (returned once, stored hashed), this session
 * counts as having given its second factor, and every other session of the
 * user now owes one.
 */
export async function confirmEnrolment(
  db: Db,
  actor: Actor,
  input: z.infer<typeof codeSchema>,
  ctx: { ip: string | null; now?: Date },
): Promise<{ recoveryCodes: string[] }> {
  const now = ctx.now ?? new Date();
  const user = await db.user.findUniqueOrThrow({
    where: { id: actor.id },
    select: { email: true, totpEnabledAt: true, totpSecretCiphertext: true },
  });
  if (user.totpEnabledAt) throw new AppError(409, "TWO_FACTOR_ALREADY_ON", "Two-factor authentication is already on.");
  if (!user.totpSecretCiphertext) throw new AppError(400, "INVALID_CODE", "Start setting up two-factor authentication again.");
  if (!looksLikeCode(input.code, { recovery: false })) throw invalidCode();
  // Counted only once a code is really checked.
  const keys = throttleKeys(actor.id, ctx.ip);
  await reserveCodeAttempt(db, keys, now);
  const step = totpTimeStep(openTotpSecret({ id: actor.id, totpSecretCiphertext: user.totpSecretCiphertext }), input.code, null, now);
  if (step === null) {
    await recordFailure(db, keys, now);
    throw invalidCode();
  }
  const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await db.$transaction(async (tx) => {
    // Only the secret this request checked: a concurrent restart of the enrolment wins over it.
    const enabled = await tx.user.updateMany({
      where: { id: actor.id, totpEnabledAt: null, totpSecretCiphertext: user.totpSecretCiphertext },
      data: { totpEnabledAt: now, totpLastTimeStep: step },
    });
    if (enabled.count !== 1)
      throw new AppError(409, "TWO_FACTOR_ALREADY_ON", "Two-factor authentication changed meanwhile. Reload the page.");
    await replaceRecoveryCodes(tx, actor.id, recoveryCodes);
    await markSecondFactor(tx, actor, now);
    await recordAudit(tx, { actorId: actor.id, action: "auth.two_factor.enabled", ip: ctx.ip });
    await enqueueMail(tx, { to: user.email, template: "two-factor-changed", data: { change: "enabled", at: now } });
  });
  await recordSuccess(db, keys);
  return { recoveryCodes };
}

/**
 * Checks a code (TOTP or recovery) for the session: it then may act, and
 * its step-up window starts again. Used after the password at sign-in and
 * for step-up.
 */
export async function verifySecondFactor(
  db: Db,
  actor: Actor,
  input: z.infer<typeof codeSchema>,
  ctx: { ip: string | null; now?: Date },
): Promise<{ method: "totp" | "recovery_code"; recoveryCodesLeft: number }> {
  const now = ctx.now ?? new Date();
  const method = await useCode(db, actor.id, input.code, ctx.ip, now);
  const recoveryCodesLeft = await db.$transaction(async (tx) => {
    await markSecondFactor(tx, actor, now);
    await recordAudit(tx, { actorId: actor.id, action: "auth.two_factor.verified", metadata: { method }, ip: ctx.ip });
    const left = await tx.totpRecoveryCode.count({ where: { userId: actor.id, usedAt: null } });
    if (method === "recovery_code") {
      const { email } = await tx.user.findUniqueOrThrow({ where: { id: actor.id }, select: { email: true } });
      await enqueueMail(tx, {
        to: email,
        template: "two-factor-changed",
        data: { change: "recovery-code-used", at: now, recoveryCodesLeft: left },
      });
    }
    return left;
  });
  return { method, recoveryCodesLeft };
}

/** Turns TOTP off, with a current code: the secret and recovery codes are deleted. */
export async function disableTwoFactor(
  db: Db,
  actor: Actor,
  input: z.infer<typeof codeSchema>,
  ctx: { ip: string | null; now?: Date },
): Promise<void> {
  const now = ctx.now ?? new Date();
  await useCode(db, actor.id, input.code, ctx.ip, now);
  await db.$transaction(async (tx) => {
    const user = await tx.user.update({
      where: { id: actor.id },
      data: { totpSecretCiphertext: null, totpEnabledAt: null, totpLastTimeStep: null },
      select: { email: true },
    });
    await tx.totpRecoveryCode.deleteMany({ where: { userId: actor.id } });
    await recordAudit(tx, { actorId: actor.id, action: "auth.two_factor.disabled", ip: ctx.ip });
    await enqueueMail(tx, { to: user.email, template: "two-factor-changed", data: { change: "disabled", at: now } });
  });
}

/** Consumes one code of the user's, or throws (400 wrong, 429 throttled, 409 when TOTP is off). */
async function useCode(db: Db, userId: string, code: string, ip: string | null, now: Date): Promise<"totp" | "recovery_code"> {
  const user = await db.user.findUniqueOrThrow({
    where: { id: userId },
    select: { totpEnabledAt: true, totpSecretCiphertext: true, totpLastTimeStep: true },
  });
  if (!user.totpEnabledAt || !user.totpSecretCiphertext)
    throw new AppError(409, "TWO_FACTOR_OFF", "Two-factor authentication is not on for this account.");
  if (!looksLikeCode(code, { recovery: true })) throw invalidCode();
  // Counted only once a code is really checked; the UPDATE below re-reads the last accepted step.
  const keys = throttleKeys(userId, ip);
  await reserveCodeAttempt(db, keys, now);
  const step = totpTimeStep(
    openTotpSecret({ id: userId, totpSecretCiphertext: user.totpSecretCiphertext }),
    code,
    user.totpLastTimeStep,
    now,
  );
  let method: "totp" | "recovery_code" | null = null;
  if (step !== null) {
    // Single use: only for a step after the last accepted one, decided in one statement.
    const taken = await db.$executeRaw`
      UPDATE "users" SET "totp_last_time_step" = ${step}::int
      WHERE "id" = ${userId} AND ("totp_last_time_step" IS NULL OR "totp_last_time_step" < ${step}::int)`;
    if (taken === 1) method = "totp";
  } else if (RECOVERY_CODE.test(code.replace(/[\s-]+/g, ""))) {
    const used = await db.totpRecoveryCode.updateMany({
      where: { userId, codeHash: recoveryCodeHash(userId, code), usedAt: null },
      data: { usedAt: now },
    });
    if (used.count === 1) method = "recovery_code";
  }
  if (!method) {
    await recordFailure(db, keys, now);
    await recordAudit(db, { actorId: userId, action: "auth.two_factor.failed", ip });
    throw invalidCode();
  }
  await recordSuccess(db, keys);
  return method;
}

async function replaceRecoveryCodes(tx: Prisma.TransactionClient, userId: string, codes: string[]): Promise<void> {
  await tx.totpRecoveryCode.deleteMany({ where: { userId } });
  await tx.totpRecoveryCode.createMany({ data: codes.map((code) => ({ userId, codeHash: recoveryCodeHash(userId, code) })) });
}

async function markSecondFactor(tx: Prisma.TransactionClient, actor: Actor, now: Date): Promise<void> {
  const marked = await tx.userSession.updateMany({
    where: { id: actor.sessionId, userId: actor.id, revokedAt: null },
    data: { secondFactorAt: now },
  });
  if (marked.count !== 1) throw new AppError(401, "SIGNED_OUT", "Please sign in.");
}
