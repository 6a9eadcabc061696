import "server-only";
import { cache } from "react";
import { cookies } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { getDb, type User } from "@/lib/db";
import { getAuthOptions } from "./options";
import { readSessionClaims } from "./session-token";
import type { Actor } from "./actor";

/**
 * The signed-in user, re-read from the database on every request so that a
 * disabled user or a bumped session version takes effect at once. Cached per
 * request (React cache), so a page and its components share one query.
 *
 * Reads next-auth's session cookie directly (lib/auth/session-token.ts)
 * rather than through getServerSession, which would also re-encrypt a
 * refreshed cookie that a server component or route cannot send anyway.
 */
export const getCurrentUser = cache(async (): Promise<User | null> => {
  const actor = await getSessionActor();
  if (!actor) return null;
  // The rule lib/auth/actor.ts's actorMayAct states in SQL, in one statement.
  const user = await getDb().user.findFirst({
    where: {
      id: actor.id,
      sessionVersion: actor.sessionVersion,
      disabled: false,
      sessions: { some: { id: actor.sessionId, revokedAt: null } },
    },
  });
  if (!user) return null;
  return user;
});

/**
 * Who the session cookie says is calling, NOT yet confirmed against the
 * database: for routes whose first statement confirms it (actorMayAct).
 * Everything else uses getCurrentUser.
 */
export const getSessionActor = cache(async (): Promise<Actor | null> => {
  const claims = await readSessionClaims(await cookies(), getAuthOptions().secret!);
  return claims ? { id: claims.userId, sessionVersion: claims.sessionVersion, sessionId: claims.sessionId } : null;
});

/** Page guard: sends anonymous visitors to sign-in and back here afterwards. */
export async function requireUser(returnTo: string): Promise<User> {
  const user = await getCurrentUser();
  if (!user) redirectToSignIn(returnTo);
  return user;
}

/** To sign-in, then back to `returnTo` (a path on this site). */
export function redirectToSignIn(returnTo: string): never {
  redirect(`/signin?callbackUrl=${encodeURIComponent(returnTo)}`);
}

/** Page guard for /admin: anonymous → sign-in, signed-in non-admin → 403 page. */
export async function requireAdmin(returnTo: string): Promise<User> {
  const user = await requireUser(returnTo);
  if (user.role !== "ADMIN") forbidden();
  return user;
}
