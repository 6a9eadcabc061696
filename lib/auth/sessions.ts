import "server-only";
import { randomBytes } from "node:crypto";
import type { Db } from "@/lib/db";

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
