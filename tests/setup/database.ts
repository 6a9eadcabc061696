import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startEmbeddedDatabase } from "../../lib/db/embedded";
import { migrate } from "../../lib/db/migrate";

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

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
