import { inject } from "vitest";
import { createPrismaClient, type Db } from "@/lib/db";
import { startSession } from "@/lib/auth/sessions";

/** A Prisma client on the test run's database; close it in afterAll. */
export function testDb(): Db {
  return createPrismaClient(inject("databaseUrl"), { max: 4 });
}

/** Unique email per test so files can run in parallel on one database. */
export function uniqueEmail(label = "user"): string {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.test`;
}

/** The user as a signed-in request acts: with a started session (lib/auth/sessions.ts), as sign-in makes one. */
export async function signedIn<U extends { id: string; sessionVersion: number }>(db: Db, user: U): Promise<U & { sessionId: string }> {
  return { ...user, sessionId: await startSession(db, user.id, { ip: null, userAgent: null }) };
}
