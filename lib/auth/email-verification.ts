import "server-only";
import { z } from "zod";
import { safeText } from "@/lib/safe-text";
import type { Db, Prisma, User } from "@/lib/db";
import { recordAudit } from "@/lib/audit";
import { enqueueMail } from "@/lib/mail";
import { AppError, tooManyRequests } from "@/lib/errors";
import { promoteIfListedAdmin } from "./credentials";
import { consumeToken, findToken, issueToken } from "./one-time-tokens";
import { reserveAttempt, type ThrottleKey } from "./throttle";

/**
 * Email verification: a password sign-up gets a single-use link by mail
 * (lib/auth/one-time-tokens.ts, bound to the address it was sent to), valid
 * 24 hours. Until the address is verified the person can sign in and see
 * their dashboard, but not link a bank or fund (`requireVerifiedEmail`,
 * called by the link token route, linkBankAccount and the funding request).
 * Verifying also applies ADMIN_EMAILS (promoteIfListedAdmin), as the next
 * sign-in would.
 */

export const VERIFY_LINK_TTL_MS = 24 * 60 * 60_000;

/** Resends per THROTTLE_POLICY.windowMs (15 min): per user (so an inbox cannot be flooded) and per client IP. */
export const RESEND_LIMITS = { perUser: 3, perIp: 10 } as const;

export const verifyEmailSchema = z.object({
  token: safeText().min(1, "This verification link is incomplete.").max(200),
});

export const INVALID_VERIFY_LINK =
  "This verification link is invalid, has expired or was already used. Sign in and ask for a new one from your dashboard.";
const invalidVerifyLink = () => new AppError(400, "INVALID_VERIFICATION_LINK", INVALID_VERIFY_LINK);

/** What an unverified user may not do yet, as the refusal names it. */
export type VerifiedOnlyAction = "link a bank" | "add funds";

/**
 * The one rule: only a verified address may link a bank or fund. Throws
 * 403 EMAIL_NOT_VERIFIED otherwise; returns the user for chaining.
 */
export function requireVerifiedEmail<U extends { emailVerified: Date | null }>(user: U, action: VerifiedOnlyAction): U {
  if (user.emailVerified !== null) return user;
  throw new AppError(403, "EMAIL_NOT_VERIFIED", `Verify your email address before you ${action}. We sent you a link.`);
}

/**
 * Issues a verification link for the user's current address and writes the
 * message, in the caller's transaction (an older link of the user stops
 * working).
 */
export async function sendVerificationLink(
  tx: Prisma.TransactionClient,
  user: Pick<User, "id" | "email">,
  now = new Date(),
): Promise<void> {
  const token = await issueToken(tx, user.id, "EMAIL_VERIFICATION", VERIFY_LINK_TTL_MS, { subject: user.email, now });
  await enqueueMail(tx, { to: user.email, template: "verify-email", data: { token, validHours: VERIFY_LINK_TTL_MS / 3_600_000 } });
}

/** Whether a verification link can still be used (the page shows its button, or says to ask for a new one). */
export async function verificationLinkIsUsable(db: Db, token: string): Promise<boolean> {
  return (await findToken(db, token, "EMAIL_VERIFICATION")) !== null;
}

/**
 * Verifies the address of a link: uses the token (once; 400 when it is
 * unknown, used or expired, or was mailed to an address the account no
 * longer has, or the account is disabled), marks the address verified,
 * writes the audit entry and applies ADMIN_EMAILS, in one transaction.
 */
export async function verifyEmail(
  db: Db,
  input: z.infer<typeof verifyEmailSchema>,
  ctx: { ip: string | null; adminEmails: string[]; now?: Date },
): Promise<{ email: string }> {
  const now = ctx.now ?? new Date();
  return db.$transaction(async (tx) => {
    const holder = await consumeToken(tx, input.token, "EMAIL_VERIFICATION", now);
    if (!holder) throw invalidVerifyLink();
    const user = await tx.user.findUnique({ where: { id: holder.userId } });
    if (!user || user.disabled || holder.subject !== user.email) throw invalidVerifyLink();
    const verified = await tx.user.update({ where: { id: user.id }, data: { emailVerified: user.emailVerified ?? now } });
    await recordAudit(tx, { actorId: user.id, action: "auth.email_verified", ip: ctx.ip });
    await promoteIfListedAdmin(tx, verified, ctx.adminEmails, ctx.ip);
    return { email: verified.email };
  });
}

function resendKeys(userId: string, ip: string | null): ThrottleKey[] {
  const keys: ThrottleKey[] = [{ key: `verify:user:${userId}`, maxFailures: RESEND_LIMITS.perUser }];
  if (ip) keys.push({ key: `verify:ip:${ip}`, maxFailures: RESEND_LIMITS.perIp });
  return keys;
}

/**
 * "Resend the link" from the dashboard: a new link to the user's address,
 * within RESEND_LIMITS (429 beyond them). A verified address gets nothing.
 */
export async function resendVerificationLink(
  db: Db,
  user: Pick<User, "id" | "email" | "emailVerified">,
  ctx: { ip: string | null; now?: Date },
): Promise<{ message: string }> {
  if (user.emailVerified !== null) return { message: "Your email address is already verified." };
  const now = ctx.now ?? new Date();
  // Never released: every request counts.
  const reservation = await reserveAttempt(db, resendKeys(user.id, ctx.ip), now);
  if (!reservation.reserved) throw tooManyRequests("Too many new links asked for.", reservation.until, now);
  await db.$transaction(async (tx) => {
    await sendVerificationLink(tx, user, now);
    await recordAudit(tx, { actorId: user.id, action: "auth.email_verification.resent", ip: ctx.ip });
  });
  return { message: `We sent a new link to ${user.email}. It works once, for ${VERIFY_LINK_TTL_MS / 3_600_000} hours.` };
}
