import "server-only";
import { z } from "zod";
import { safeText } from "@/lib/safe-text";
import type { Db, User } from "@/lib/db";
import { recordAudit } from "@/lib/audit";
import { normalizeEmail } from "./email";
import { AuthError, INVALID_CREDENTIALS, throttledMessage } from "./errors";
import { verifyAgainstDummy, verifyPassword } from "./password";
import { recordFailure, recordSuccess, reserveAttempt, signInKeys } from "./throttle";

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
 * ADMIN_EMAILS bootstraps admins: a listed user becomes ADMIN at sign-in,
 * once the address is verified (and when it gets verified:
 * lib/auth/email-verification.ts). Whoever registers a listed address first
 * must not become admin by claiming it (`npm run admin:grant` stays the
 * explicit way).
 */
export async function promoteIfListedAdmin(
  db: Pick<Db, "user" | "auditLog">,
  user: User,
  adminEmails: string[],
  ip: string | null,
): Promise<User> {
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
