import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";

/**
 * Who a request acts as: the user id, session version and session id its
 * cookie carries. That the user may still act (not disabled, sessions not
 * revoked since, this session not signed out, and its second factor given
 * when the user has TOTP on) is for the database to confirm: getCurrentUser
 * reads the user for it; the hottest paths (funding, dashboard polling) fold
 * the same condition into their first statement with `actorMayAct` instead,
 * one round trip fewer per request (docs/benchmarks.md).
 */
export interface Actor {
  id: string;
  sessionVersion: number;
  /** The sign-in's user_sessions row (lib/auth/sessions.ts); revoked at sign-out. */
  sessionId: string;
}

/** SQL condition on the users row aliased `u`: the actor's own, and still allowed to act. The same rule as getCurrentUser's. */
export const actorMayAct = (actor: Actor): Prisma.Sql =>
  Prisma.sql`u."id" = ${actor.id} AND u."session_version" = ${actor.sessionVersion}::int AND NOT u."disabled"
    AND EXISTS (SELECT 1 FROM "user_sessions" s WHERE s."id" = ${actor.sessionId} AND s."user_id" = u."id" AND s."revoked_at" IS NULL
      AND (u."totp_enabled_at" IS NULL OR s."second_factor_at" IS NOT NULL))`;
