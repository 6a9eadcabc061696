import "server-only";
import { z } from "zod";
import { safeText } from "@/lib/safe-text";
import type { Db, User } from "@/lib/db";
import { recordAudit } from "@/lib/audit";
import { normalizeEmail } from "./email";
import { AuthError, INVALID_CREDENTIALS, throttledMessage } from "./errors";
import { hashPassword, verifyAgainstDummy, verifyPassword } from "./password";
import { ipKey, signUpKey, recordFailure, recordSuccess, releaseAttempt, reserveAttempt, signInKeys } from "./throttle";
import { DEFAULT_SIGNUPS_PER_IP } from "@/lib/config/schema";

export const signInSchema = z.object({
  email: safeText().trim().min(1, "Enter your email").max(254),
  password: safeText().min(1, "Enter your password").max(1024),
});

export const signUpSchema = z.object({
  name: safeText().trim().min(1, "Enter your name").max(100, "Name is too long"),
  email: safeText().pipe(z.email("Enter a valid email address").max(254)),
  password: safeText().min(10, "Use at least 10 characters").max(1024, "Password is too long"),
});

export type SignUpInput = z.infer<typeof signUpSchema>;

interface Context {
  db: Db;
  ip: string | null;
  adminEmails: string[];
  /** SIGNUPS_PER_IP (lib/config); sign-up only. */
  signUpsPerIp?: number;
  now?: Date;
}

/**
 * Checks an email + password. The attempt is reserved on the (email, IP) pair
 * and the IP before any password work, so parallel guesses count one by one
 * (lib/auth/throttle.ts); unknown emails cost the same time as known ones and
 * get the same message.
 */
export async function authenticateWithPassword(input: { email: string; password: string }, ctx: Context): Promise<User> {
  const email = normalizeEmail(input.email);
  const keys = signInKeys(email, ctx.ip);
  const now = ctx.now ?? new Date();

  const reservation = await reserveAttempt(ctx.db, keys, now);
  if (!reservation.reserved) {
    await recordAudit(ctx.db, { actorId: null, action: "auth.sign_in.throttled", metadata: { email }, ip: ctx.ip });
    throw new AuthError("throttled", throttledMessage(reservation.until, now));
  }

  const user = await ctx.db.user.findUnique({ where: { email } });
  const ok = user?.passwordHash ? await verifyPassword(user.passwordHash, input.password) : await verifyAgainstDummy(input.password);
  if (!user || !ok) {
    await recordFailure(ctx.db, keys, now);
    await recordAudit(ctx.db, { actorId: user?.id ?? null, action: "auth.sign_in.failed", metadata: { email }, ip: ctx.ip });
    throw new AuthError("invalid", INVALID_CREDENTIALS);
  }
  // The password was right: nothing here for the throttle to hold against this pair.
  await recordSuccess(ctx.db, keys);
  if (user.disabled) {
    await recordAudit(ctx.db, { actorId: user.id, action: "auth.sign_in.disabled", ip: ctx.ip });
    throw new AuthError("disabled", "This account has been disabled. Contact support if you think this is a mistake.");
  }

  const signedIn = await promoteIfListedAdmin(ctx.db, user, ctx.adminEmails, ctx.ip);
  await recordAudit(ctx.db, { actorId: user.id, action: "auth.sign_in", metadata: { method: "password" }, ip: ctx.ip });
  return signedIn;
}

/**
 * Creates a password account. A taken email gets a generic refusal (and the
 * attempt counts toward the IP throttle), so sign-up cannot be used to test
 * emails in bulk; and one client may create only so many accounts in a
 * window (SIGNUPS_PER_IP), whether they succeed or not.
 */
export async function registerWithPassword(input: SignUpInput, ctx: Context): Promise<User> {
  const email = normalizeEmail(input.email);
  const now = ctx.now ?? new Date();
  const ipKeys = ctx.ip ? [ipKey(ctx.ip)] : [];
  const signUpKeys = ctx.ip ? [signUpKey(ctx.ip, ctx.signUpsPerIp ?? DEFAULT_SIGNUPS_PER_IP)] : [];
  if (ctx.ip) {
    const reservation = await reserveAttempt(ctx.db, [...ipKeys, ...signUpKeys], now);
    if (!reservation.reserved) throw new AuthError("throttled", throttledMessage(reservation.until, now));
  }

  let user: User;
  try {
    const passwordHash = await hashPassword(input.password);
    // A new account's email is not verified yet: ADMIN_EMAILS never applies to it here (promoteIfListedAdmin).
    user = await ctx.db.user.create({ data: { email, name: input.name, passwordHash, role: "USER" } });
  } catch (err) {
    if (isUniqueViolation(err)) {
      await recordFailure(ctx.db, ipKeys, now);
      await recordAudit(ctx.db, { actorId: null, action: "auth.sign_up.rejected", metadata: { email }, ip: ctx.ip });
      throw new AuthError("signup-rejected", "We couldn't create an account with these details. If you already have one, sign in instead.");
    }
    await releaseAttempt(ctx.db, [...ipKeys, ...signUpKeys]);
    throw err;
  }
  // The sign-up key keeps its reservation: a created account counts.
  await releaseAttempt(ctx.db, ipKeys);
  await recordAudit(ctx.db, { actorId: user.id, action: "auth.sign_up", metadata: { role: user.role }, ip: ctx.ip });
  return user;
}

/**
 * ADMIN_EMAILS bootstraps admins: a listed user becomes ADMIN at sign-in,
 * once the address is verified. Whoever registers a listed address first
 * must not become admin by claiming it (`npm run admin:grant` stays the
 * explicit way).
 */
export async function promoteIfListedAdmin(db: Db, user: User, adminEmails: string[], ip: string | null): Promise<User> {
  if (user.role === "ADMIN" || user.emailVerified === null || !adminEmails.includes(user.email)) return user;
  const promoted = await db.user.update({ where: { id: user.id }, data: { role: "ADMIN" } });
  await recordAudit(db, {
    actorId: user.id,
    action: "user.role.granted",
    targetType: "user",
    targetId: user.id,
    metadata: { role: "ADMIN", via: "ADMIN_EMAILS" },
    ip,
  });
  return promoted;
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && "code" in err && (err as { code: unknown }).code === "P2002";
}
