import "server-only";
import { z } from "zod";
import type { Db } from "@/lib/db";
import { recordAudit } from "@/lib/audit";
import { enqueueMail } from "@/lib/mail";
import { AppError } from "@/lib/errors";
import type { Actor } from "./actor";
import { signUpSchema } from "./credentials";
import { hashPassword, verifyPassword } from "./password";

export const passwordChangeSchema = z.object({
  currentPassword: z.string().min(1, "Enter your current password").max(1024),
  // The same rule as at sign-up.
  newPassword: signUpSchema.shape.password,
});

/**
 * Changes a signed-in person's password: the current one must match. Every
 * other session of the account ends (someone who knew the old password may
 * be signed in elsewhere); this one stays, so the person is not thrown out.
 * A notice goes to the account's address in the same transaction.
 */
export async function changePassword(
  db: Db,
  actor: Actor,
  input: z.infer<typeof passwordChangeSchema>,
  context: { ip: string | null },
): Promise<void> {
  const user = await db.user.findUniqueOrThrow({ where: { id: actor.id }, select: { email: true, passwordHash: true } });
  if (!user.passwordHash) {
    throw new AppError(400, "PASSWORD_NOT_SET", "This account signs in with another provider and has no password to change.");
  }
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw new AppError(400, "WRONG_PASSWORD", "Your current password is not correct.");
  }
  const passwordHash = await hashPassword(input.newPassword);
  await db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: actor.id }, data: { passwordHash } });
    const ended = await tx.userSession.updateMany({
      where: { userId: actor.id, id: { not: actor.sessionId }, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "auth.password_changed",
      metadata: { otherSessionsEnded: ended.count },
      ip: context.ip,
    });
    await enqueueMail(tx, { to: user.email, template: "password-changed", data: { changedAt: new Date(), via: "change" } });
  });
}
