import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { startEmbeddedDatabase } from "@/lib/db/embedded";
import { migrate } from "@/lib/db/migrate";
import { adminQuery, withDatabase } from "../helpers/postgres";

/**
 * Vitest global setup for integration tests: a fresh, migrated database per
 * run. With DATABASE_URL (CI: the machine's PostgreSQL) a new database is
 * created on that server and dropped afterwards; without it, an in-memory
 * embedded PGlite, as a fresh machine would run.
 */
declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    databaseKind: "postgresql" | "pglite";
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const name = `fundwell_test_${Date.now()}_${randomBytes(3).toString("hex")}`;
    await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
    const url = withDatabase(serverUrl, name);
    await migrate(url);
    project.provide("databaseUrl", url);
    project.provide("databaseKind", "postgresql");
    return async () => {
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    };
  }
  const embedded = await startEmbeddedDatabase({ dataDir: null });
  await migrate(embedded.url);
  project.provide("databaseUrl", embedded.url);
  project.provide("databaseKind", "pglite");
  return () => embedded.stop();
}
