import "server-only";
import { randomBytes } from "node:crypto";
import type { Db } from "@/lib/db";
import { recordAudit } from "@/lib/audit";
import type { Actor } from "./actor";

/**
 * Server-side sessions behind next-auth's JWT cookies. Each sign-in gets a
 * row whose id the cookie carries ("sid"); a request is accepted only while
 * that row is not revoked (lib/auth/actor.ts, lib/auth/session.ts), so
 * signing out ends the session for every copy of the cookie, not only for
 * the browser that deleted it. "Everywhere" (disable, sign out everywhere)
 * still goes through users.session_version.
 */

/** Starts a session for a user who just signed in; returns its id for the cookie. */
export async function startSession(
  db: Pick<Db, "userSession">,
  userId: string,
  client: { ip: string | null; userAgent: string | null },
): Promise<string> {
  // 128 random bits: the id is checked, not guessed, but it names a row in logs and pages.
  const id = randomBytes(16).toString("base64url");
  await db.userSession.create({ data: { id, userId, ip: client.ip, userAgent: client.userAgent?.slice(0, 500) ?? null } });
  return id;
}

/** Ends one session (sign-out). Revoking twice is harmless. */
export async function revokeSession(db: Pick<Db, "userSession">, sessionId: string, userId: string): Promise<void> {
  await db.userSession.updateMany({ where: { id: sessionId, userId, revokedAt: null }, data: { revokedAt: new Date() } });
}

/** A sign-in as the account page lists it. */
export interface SignInView {
  id: string;
  createdAt: string;
  ip: string | null;
  userAgent: string | null;
  /** The session this request belongs to. */
  current: boolean;
  /** Not signed out, and not ended by "sign out everywhere" (or a disable) since. */
  active: boolean;
}

/** The user's most recent sign-ins, newest first. */
export async function recentSignIns(db: Db, actor: Actor, limit = 10): Promise<SignInView[]> {
  const [user, sessions] = await Promise.all([
    db.user.findUniqueOrThrow({ where: { id: actor.id }, select: { sessionVersion: true } }),
    db.userSession.findMany({ where: { userId: actor.id }, orderBy: { createdAt: "desc" }, take: limit }),
  ]);
  // A version bump ends every session that began before it; rows keep no version, so only the current one can vouch for itself.
  const versionHolds = user.sessionVersion === actor.sessionVersion;
  return sessions.map((s) => ({
    id: s.id,
    createdAt: s.createdAt.toISOString(),
    ip: s.ip,
    userAgent: s.userAgent,
    current: s.id === actor.sessionId,
    active: s.revokedAt === null && versionHolds,
  }));
}

/**
 * "Sign out everywhere": every session of the user ends at once, this one
 * included. The session version moves on (what every request checks), the
 * rows are marked revoked for the list of sign-ins, with an audit entry.
 */
export async function signOutEverywhere(db: Db, userId: string, context: { ip: string | null }): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { sessionVersion: { increment: 1 } } });
    await tx.userSession.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
    await recordAudit(tx, { actorId: userId, action: "auth.sign_out_everywhere", ip: context.ip });
  });
}
