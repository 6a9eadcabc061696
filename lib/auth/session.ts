import "server-only";
import { cache } from "react";
import { cookies } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { getDb, type User } from "@/lib/db";
import { getAuthOptions } from "./options";
import { readSessionClaims } from "./session-token";
import type { Actor } from "./actor";

/**
 * What the request's session amounts to, re-read from the database on every
 * request so that a disabled user, a bumped session version or a sign-out
 * takes effect at once. Cached per request (React cache), so a page and its
 * components share one query.
 *
 * - "signed-in": the user may act. `secondFactorAt` is when this session
 *   last proved the second factor (the step-up rule reads it).
 * - "second-factor": the password (or OAuth) step is done, but the user has
 *   TOTP on and this session has not entered a code yet: it may only reach
 *   /two-factor and sign out.
 *
 * Reads next-auth's session cookie directly (lib/auth/session-token.ts)
 * rather than through getServerSession, which would also re-encrypt a
 * refreshed cookie that a server component or route cannot send anyway.
 */
export type SessionState =
  { kind: "none" } | { kind: "second-factor"; user: User } | { kind: "signed-in"; user: User; secondFactorAt: Date | null };

export const getSessionState = cache(async (): Promise<SessionState> => {
  const actor = await getSessionActor();
  if (!actor) return { kind: "none" };
  // The rule lib/auth/actor.ts's actorMayAct states in SQL, in one statement (the second factor is decided below).
  const row = await getDb().user.findFirst({
    where: {
      id: actor.id,
      sessionVersion: actor.sessionVersion,
      disabled: false,
      sessions: { some: { id: actor.sessionId, revokedAt: null } },
    },
    include: { sessions: { where: { id: actor.sessionId }, select: { secondFactorAt: true } } },
  });
  if (!row) return { kind: "none" };
  const { sessions, ...user } = row;
  const secondFactorAt = sessions[0]?.secondFactorAt ?? null;
  if (user.totpEnabledAt && !secondFactorAt) return { kind: "second-factor", user };
  return { kind: "signed-in", user, secondFactorAt };
});

/** The signed-in user who may act now, or null (no session, or a second factor still owed). */
export const getCurrentUser = cache(async (): Promise<User | null> => {
  const state = await getSessionState();
  return state.kind === "signed-in" ? state.user : null;
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

/** Page guard: sends anonymous visitors to sign-in (and those owing a code to /two-factor), then back here. */
export async function requireUser(returnTo: string): Promise<User> {
  const state = await getSessionState();
  if (state.kind !== "signed-in") return redirectToSignIn(returnTo);
  return state.user;
}

/**
 * Where a page sends a visitor who may not see it yet: to enter their code
 * when only the second factor is missing, otherwise to sign in; then back
 * to `returnTo` (a path on this site).
 */
export async function redirectToSignIn(returnTo: string): Promise<never> {
  const back = encodeURIComponent(returnTo);
  if ((await getSessionState()).kind === "second-factor") redirect(`/two-factor?callbackUrl=${back}`);
  redirect(`/signin?callbackUrl=${back}`);
}

/**
 * Page guard for /admin: anonymous → sign-in, signed-in non-admin → 403
 * page, an admin without two-factor → its set-up page (every admin page
 * needs the second factor: lib/auth/two-factor.ts).
 */
export async function requireAdmin(returnTo: string): Promise<User> {
  const user = await requireUser(returnTo);
  if (user.role !== "ADMIN") forbidden();
  if (!user.totpEnabledAt) redirect(`/account/two-factor?required=admin`);
  return user;
}
