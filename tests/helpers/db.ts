import { inject } from "vitest";
import { createPrismaClient, type Db } from "@/lib/db";

/** A Prisma client on the test run's database; close it in afterAll. */
export function testDb(): Db {
  return createPrismaClient(inject("databaseUrl"), { max: 4 });
}

/** Unique email per test so files can run in parallel on one database. */
export function uniqueEmail(label = "user"): string {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.test`;
}
