import "server-only";
import { isUniqueViolation, type Db } from "@/lib/db";
import { recordAudit } from "@/lib/audit";
import { enqueueMail } from "@/lib/mail";
import { tooManyRequests } from "@/lib/errors";
import { errorSummary, logger } from "@/lib/log";
import { DEFAULT_SIGNUPS_PER_IP } from "@/lib/config/schema";
import type { SignUpInput } from "./credentials";
import { normalizeEmail } from "./email";
import { sendVerificationLink } from "./email-verification";
import { hashPassword } from "./password";
import { reserveAttempt, signUpKey } from "./throttle";

/**
 * Password sign-up. The answer is the same whether or not the address
 * already has an account, so sign-up cannot tell anyone which addresses are
 * registered: only the rate limit (SIGNUPS_PER_IP per client IP, every
 * sign-up counts) is decided before answering. Creating the account, or
 * telling the owner of a registered address that someone tried, runs after
 * the answer when the caller can defer it (the route passes Next's
 * `after`), so the response time does not depend on it either.
 *
 * - A new address: the account (unverified) and its verification link
 *   (lib/auth/email-verification.ts), in one transaction.
 * - A registered address: nothing changes; its owner gets the
 *   "sign-up-attempt" message (at most NOTICES_PER_ADDRESS per window, so
 *   sign-ups cannot flood an inbox), with a sign-in and a forgot-password link.
 */

export const SIGN_UP_ANSWER =
  "Check your inbox: we've sent a link to confirm your email address. Open it, then sign in. It works for 24 hours.";

/** "Someone tried to sign up with your email" messages per address per THROTTLE_POLICY.windowMs. */
const NOTICES_PER_ADDRESS = 3;

interface SignUpContext {
  ip: string | null;
  /** SIGNUPS_PER_IP (lib/config). */
  signUpsPerIp?: number;
  now?: Date;
  /** Runs the account's part after the answer (the route passes Next's `after`); inline when absent. */
  defer?: (task: () => Promise<void>) => void;
}

/** Counts the sign-up (429 over SIGNUPS_PER_IP, for every address alike), then creates the account or notifies its owner. */
export async function requestSignUp(db: Db, input: SignUpInput, ctx: SignUpContext): Promise<void> {
  const now = ctx.now ?? new Date();
  if (ctx.ip) {
    // Never released: a sign-up counts whatever its outcome.
    const reservation = await reserveAttempt(db, [signUpKey(ctx.ip, ctx.signUpsPerIp ?? DEFAULT_SIGNUPS_PER_IP)], now);
    if (!reservation.reserved) throw tooManyRequests("Too many sign-ups from your network.", reservation.until, now);
  }
  const task = () => createAccountOrNotify(db, input, ctx.ip, now);
  if (!ctx.defer) return task();
  ctx.defer(async () => {
    try {
      await task();
    } catch (err) {
      logger.error(errorSummary(err), "sign-up: creating the account failed");
    }
  });
}

async function createAccountOrNotify(db: Db, input: SignUpInput, ip: string | null, now: Date): Promise<void> {
  const email = normalizeEmail(input.email);
  if (!(await db.user.findUnique({ where: { email }, select: { id: true } }))) {
    const passwordHash = await hashPassword(input.password);
    try {
      await db.$transaction(async (tx) => {
        // Unverified: ADMIN_EMAILS applies once the address is verified (promoteIfListedAdmin).
        const user = await tx.user.create({ data: { email, name: input.name, passwordHash, role: "USER" } });
        await sendVerificationLink(tx, user, now);
        await recordAudit(tx, { actorId: user.id, action: "auth.sign_up", metadata: { role: user.role }, ip });
      });
      return;
    } catch (err) {
      // A concurrent sign-up took the address first: it is a registered address now.
      if (!isUniqueViolation(err)) throw err;
    }
  }
  await notifyOwner(db, email, ip, now);
}

async function notifyOwner(db: Db, email: string, ip: string | null, now: Date): Promise<void> {
  const owner = await db.user.findUnique({ where: { email }, select: { id: true, disabled: true } });
  const reservation = await reserveAttempt(db, [{ key: `signup-notice:${email}`, maxFailures: NOTICES_PER_ADDRESS }], now);
  const notify = Boolean(owner && !owner.disabled && reservation.reserved);
  await db.$transaction(async (tx) => {
    if (notify) await enqueueMail(tx, { to: email, template: "sign-up-attempt", data: {} });
    await recordAudit(tx, { actorId: null, action: "auth.sign_up.rejected", metadata: { email, notified: notify }, ip });
  });
}
