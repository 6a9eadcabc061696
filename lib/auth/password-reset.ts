import "server-only";
import { z } from "zod";
import { safeText } from "@/lib/safe-text";
import type { Db } from "@/lib/db";
import { startsWithText } from "@/lib/db/like";
import { recordAudit } from "@/lib/audit";
import { enqueueMail } from "@/lib/mail";
import { AppError, tooManyRequests } from "@/lib/errors";
import { errorSummary, logger } from "@/lib/log";
import { signUpSchema } from "./credentials";
import { normalizeEmail } from "./email";
import { consumeToken, findToken, issueToken } from "./one-time-tokens";
import { hashPassword } from "./password";
import { reserveAttempt, type ThrottleKey } from "./throttle";

/**
 * "Forgot password": a single-use link by mail (lib/auth/one-time-tokens.ts),
 * valid 30 minutes, and the reset it opens.
 *
 * The request always gets the same answer, whether the address has an
 * account or not. Only the rate limit is decided before answering (it counts
 * every address alike); looking the account up, issuing the token and
 * writing the message run after the answer when the caller can defer them
 * (the route uses Next's `after`), so the response time does not depend on
 * the account either.
 */

export const RESET_LINK_TTL_MS = 30 * 60_000;

/** Requests per THROTTLE_POLICY.windowMs (15 min): per address (so an inbox cannot be flooded) and per client IP. */
export const FORGOT_LIMITS = { perEmail: 3, perIp: 10 } as const;

export const FORGOT_PASSWORD_ANSWER =
  "If an account exists for that address, we've sent a link to reset its password. It works once, for 30 minutes: check your inbox (and your spam folder).";

export const forgotPasswordSchema = z.object({
  email: safeText().trim().pipe(z.email("Enter a valid email address").max(254)),
});

export const resetPasswordSchema = z.object({
  token: safeText().min(1, "This reset link is incomplete.").max(200),
  // The same rule as at sign-up.
  password: signUpSchema.shape.password,
});

export const INVALID_RESET_LINK = "This reset link is invalid, has expired or was already used. Ask for a new one.";
const invalidResetLink = () => new AppError(400, "INVALID_RESET_LINK", INVALID_RESET_LINK);

function forgotKeys(email: string, ip: string | null): ThrottleKey[] {
  const keys: ThrottleKey[] = [{ key: `forgot:email:${email}`, maxFailures: FORGOT_LIMITS.perEmail }];
  if (ip) keys.push({ key: `forgot:ip:${ip}`, maxFailures: FORGOT_LIMITS.perIp });
  return keys;
}

interface ForgotContext {
  ip: string | null;
  now?: Date;
  /** Runs the account's part after the answer (the route passes Next's `after`); inline when absent. */
  defer?: (task: () => Promise<void>) => void;
}

/**
 * Counts the request (429 over the limits, for every address alike), then
 * sends the link when the address belongs to an active password account.
 * Resolves the same way for every address.
 */
export async function requestPasswordReset(db: Db, input: z.infer<typeof forgotPasswordSchema>, ctx: ForgotContext): Promise<void> {
  const email = normalizeEmail(input.email);
  const now = ctx.now ?? new Date();
  // Never released: every request counts, sent or not.
  const reservation = await reserveAttempt(db, forgotKeys(email, ctx.ip), now);
  if (!reservation.reserved) throw tooManyRequests("Too many reset requests.", reservation.until, now);
  const task = () => sendResetLink(db, email, ctx.ip, now);
  if (!ctx.defer) return task();
  ctx.defer(async () => {
    try {
      await task();
    } catch (err) {
      logger.error(errorSummary(err), "password reset: sending the link failed");
    }
  });
}

async function sendResetLink(db: Db, email: string, ip: string | null, now: Date): Promise<void> {
  const user = await db.user.findUnique({ where: { email }, select: { id: true, email: true, passwordHash: true, disabled: true } });
  if (!user?.passwordHash || user.disabled) {
    await recordAudit(db, { actorId: user?.id ?? null, action: "auth.password_reset.no_link", metadata: { email }, ip });
    return;
  }
  await db.$transaction(async (tx) => {
    const token = await issueToken(tx, user.id, "PASSWORD_RESET", RESET_LINK_TTL_MS, { subject: user.email, now });
    await enqueueMail(tx, { to: user.email, template: "password-reset", data: { token, validMinutes: RESET_LINK_TTL_MS / 60_000 } });
    await recordAudit(tx, { actorId: user.id, action: "auth.password_reset.requested", ip });
  });
}

/** Whether a reset link can still be used (the page shows its form, or says to ask for a new one). */
export async function resetLinkIsUsable(db: Db, token: string): Promise<boolean> {
  return (await findToken(db, token, "PASSWORD_RESET")) !== null;
}

/**
 * Sets a new password with a reset link: uses the token (once; 400 when it is
 * unknown, used or expired), sets the password, ends every session of the
 * account (the version moves on and the rows are revoked, as "sign out
 * everywhere" does), clears the account's sign-in throttle pairs (the owner
 * proved they read its mail), and writes an audit entry and the "password
 * changed" notice, all in one transaction.
 */
export async function resetPassword(
  db: Db,
  input: z.infer<typeof resetPasswordSchema>,
  ctx: { ip: string | null; now?: Date },
): Promise<void> {
  const now = ctx.now ?? new Date();
  // Checked before the (deliberately slow) hash, so made-up tokens cost no hashing.
  if (!(await findToken(db, input.token, "PASSWORD_RESET", now))) throw invalidResetLink();
  const passwordHash = await hashPassword(input.password);
  await db.$transaction(async (tx) => {
    const holder = await consumeToken(tx, input.token, "PASSWORD_RESET", now);
    if (!holder) throw invalidResetLink();
    const user = await tx.user.findUnique({ where: { id: holder.userId }, select: { email: true, disabled: true, emailVerified: true } });
    // Mailed to another address than the account has now, or the account was disabled since: not usable.
    if (!user || user.disabled || (holder.subject !== null && holder.subject !== user.email)) throw invalidResetLink();
    await tx.user.update({
      where: { id: holder.userId },
      // The link reached this address, so it is verified too.
      data: { passwordHash, sessionVersion: { increment: 1 }, emailVerified: user.emailVerified ?? now },
    });
    const ended = await tx.userSession.updateMany({ where: { userId: holder.userId, revokedAt: null }, data: { revokedAt: now } });
    await tx.loginThrottle.deleteMany({ where: { key: startsWithText(`pair:${user.email}|`) } });
    await recordAudit(tx, {
      actorId: holder.userId,
      action: "auth.password_reset",
      metadata: { sessionsEnded: ended.count },
      ip: ctx.ip,
    });
    await enqueueMail(tx, { to: user.email, template: "password-changed", data: { changedAt: now, via: "reset" } });
  });
}
