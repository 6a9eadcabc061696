import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

/**
 * Applies prisma/migrations/<name>/migration.sql in order, offline, recording
 * each in `_prisma_migrations` exactly as `prisma migrate deploy` does (same
 * table, sha256 checksum, finished_at/applied_steps_count), so a connected
 * machine running Prisma's own CLI sees them as applied.
 */

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../../prisma/migrations");

/** The advisory lock key Prisma's migration engine uses: we exclude each other. */
const PRISMA_ADVISORY_LOCK_KEY = 72707369;

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MigrationError";
  }
}

export async function readMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

export async function migrate(databaseUrl: string, options: { dir?: string; log?: (line: string) => void } = {}): Promise<MigrateResult> {
  const log = options.log ?? (() => {});
  const migrations = await readMigrations(options.dir);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // Session-level lock: a second process blocks here until the first is done.
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_ADVISORY_LOCK_KEY]);
    try {
      await client.query(CREATE_MIGRATIONS_TABLE);
      const result: MigrateResult = { applied: [], alreadyApplied: [] };
      for (const migration of migrations) {
        if (await applyOne(client, migration, log)) {
          log(`applied ${migration.name}`);
          result.applied.push(migration.name);
        } else {
          result.alreadyApplied.push(migration.name);
        }
      }
      return result;
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}

/**
 * Applies one migration unless it is already recorded. The check and the
 * apply share one transaction, so even where the advisory lock cannot
 * exclude another connection (PGlite multiplexes connections onto one
 * session, but runs their transactions one at a time) nothing runs twice.
 */
async function applyOne(client: pg.Client, migration: Migration, log: (line: string) => void): Promise<boolean> {
  const id = randomUUID();
  await client.query("BEGIN");
  const { rows } = await client.query<{ checksum: string; finished_at: Date | null; rolled_back_at: Date | null }>(
    `SELECT checksum, finished_at, rolled_back_at FROM "_prisma_migrations" WHERE migration_name = $1 AND rolled_back_at IS NULL`,
    [migration.name],
  );
  const done = rows.find((r) => r.finished_at !== null);
  if (done) {
    await client.query("COMMIT");
    if (done.checksum !== migration.checksum)
      log(`warning: migration ${migration.name} was modified after it was applied (checksum differs)`);
    return false;
  }
  if (rows.length > 0) {
    await client.query("ROLLBACK");
    throw new MigrationError(
      `migration ${migration.name} started earlier and never finished; repair the database, then mark it rolled back (UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '${migration.name}' AND finished_at IS NULL)`,
    );
  }
  try {
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)`,
      [id, migration.checksum, migration.name],
    );
    await client.query(migration.sql);
    await client.query(`UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [id]);
    await client.query("COMMIT");
    return true;
  } catch (err) {
    await client.query("ROLLBACK");
    const message = err instanceof Error ? err.message : String(err);
    // PostgreSQL DDL is transactional, so nothing was applied: record the
    // attempt with its error as rolled back, visible to operators without
    // blocking the next run once the SQL is fixed.
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs, started_at, rolled_back_at, applied_steps_count) VALUES ($1, $2, $3, $4, now(), now(), 0)`,
      [id, migration.checksum, migration.name, message],
    );
    throw new MigrationError(`migration ${migration.name} failed: ${message}`);
  }
}
