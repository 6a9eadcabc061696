import "server-only";
import type { Db } from "@/lib/db";
import { recordAudit } from "@/lib/audit";
import { normalizeEmail } from "./email";
import type { SignInErrorCode } from "./sign-in-errors";

/**
 * Maps an OAuth identity to a user. A known identity signs its user in; a
 * new identity creates a user, unless its email already belongs to an
 * account: we never link by email automatically (a provider's email claim is
 * not proof of owning our account). A new identity also needs an email the
 * provider has verified (`emailVerified`): the account starts verified, so
 * ADMIN_EMAILS may promote it, which an unverified claim must never do.
 */
export async function signInWithOAuth(
  db: Db,
  input: {
    provider: string;
    providerAccountId: string;
    type: string;
    email: string | null;
    emailVerified: boolean;
    name: string | null;
    adminEmails: string[];
  },
): Promise<{ ok: true; userId: string } | { ok: false; error: SignInErrorCode }> {
  const existing = await db.account.findUnique({
    where: { provider_providerAccountId: { provider: input.provider, providerAccountId: input.providerAccountId } },
    include: { user: true },
  });
  if (existing) {
    if (existing.user.disabled) return { ok: false, error: "oauth-disabled" };
    await recordAudit(db, { actorId: existing.userId, action: "auth.sign_in", metadata: { method: input.provider } });
    return { ok: true, userId: existing.userId };
  }
  if (!input.email) return { ok: false, error: "oauth-no-email" };
  if (!input.emailVerified) return { ok: false, error: "oauth-unverified-email" };
  const email = normalizeEmail(input.email);
  if (await db.user.findUnique({ where: { email }, select: { id: true } })) {
    return { ok: false, error: "oauth-not-linked" };
  }
  const user = await db.user.create({
    data: {
      email,
      emailVerified: new Date(),
      name: input.name,
      role: input.adminEmails.includes(email) ? "ADMIN" : "USER",
      accounts: { create: { provider: input.provider, providerAccountId: input.providerAccountId, type: input.type } },
    },
  });
  await recordAudit(db, { actorId: user.id, action: "auth.sign_up", metadata: { method: input.provider } });
  return { ok: true, userId: user.id };
}

/** Whether the provider's profile vouches for its email: OpenID's `email_verified` claim (Google; GitHub's is set by our userinfo request). */
export function providerVerifiedEmail(profile: unknown): boolean {
  return (profile as { email_verified?: unknown } | undefined)?.email_verified === true;
}

/** The primary address of GitHub's /user/emails answer, only if GitHub has verified it. */
export function githubVerifiedEmail(emails: unknown): string | null {
  if (!Array.isArray(emails)) return null;
  const primary = emails.find((e: { primary?: unknown }) => e?.primary === true) as { email?: unknown; verified?: unknown } | undefined;
  return primary?.verified === true && typeof primary.email === "string" ? primary.email : null;
}
