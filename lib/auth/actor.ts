import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";

/**
 * Who a request acts as: the user id and the session version its cookie
 * carries (a User row fits too). That the user may still act (not disabled,
 * sessions not revoked since) is for the database to confirm: getCurrentUser
 * reads the user for it; the hottest paths (funding, dashboard polling) fold
 * the same condition into their first statement with `actorMayAct` instead,
 * one round trip fewer per request (docs/benchmarks.md).
 */
export interface Actor {
  id: string;
  sessionVersion: number;
}

/** SQL condition on the users row aliased `u`: the actor's own, and still allowed to act. The same rule as getCurrentUser's. */
export const actorMayAct = (actor: Actor): Prisma.Sql =>
  Prisma.sql`u."id" = ${actor.id} AND u."session_version" = ${actor.sessionVersion}::int AND NOT u."disabled"`;
