import "server-only";
import type { Db } from "@/lib/db";
import { recordAudit } from "@/lib/audit";
import { normalizeEmail } from "./email";
import { SIGN_IN_MESSAGES } from "./sign-in-errors";

/**
 * Maps an OAuth identity to a user. A known identity signs its user in; a
 * new identity creates a user, unless its email already belongs to an
 * account: we never link by email automatically (a provider's email claim is
 * not proof of owning our account).
 */
export async function signInWithOAuth(
  db: Db,
  input: { provider: string; providerAccountId: string; type: string; email: string | null; name: string | null; adminEmails: string[] },
): Promise<{ ok: true; userId: string } | { ok: false; error: string }> {
  const existing = await db.account.findUnique({
    where: { provider_providerAccountId: { provider: input.provider, providerAccountId: input.providerAccountId } },
    include: { user: true },
  });
  if (existing) {
    if (existing.user.disabled) return { ok: false, error: SIGN_IN_MESSAGES["oauth-disabled"] };
    await recordAudit(db, { actorId: existing.userId, action: "auth.sign_in", metadata: { method: input.provider } });
    return { ok: true, userId: existing.userId };
  }
  if (!input.email) return { ok: false, error: SIGN_IN_MESSAGES["oauth-no-email"] };
  const email = normalizeEmail(input.email);
  if (await db.user.findUnique({ where: { email }, select: { id: true } })) {
    return { ok: false, error: SIGN_IN_MESSAGES["oauth-not-linked"] };
  }
  const user = await db.user.create({
    data: {
      email,
      name: input.name,
      role: input.adminEmails.includes(email) ? "ADMIN" : "USER",
      accounts: { create: { provider: input.provider, providerAccountId: input.providerAccountId, type: input.type } },
    },
  });
  await recordAudit(db, { actorId: user.id, action: "auth.sign_up", metadata: { method: input.provider } });
  return { ok: true, userId: user.id };
}
