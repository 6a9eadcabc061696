import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, inject, it } from "vitest";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "@/lib/db/embedded";
import { migrate, readMigrations } from "@/lib/db/migrate";
import { modelFromDatabase, modelFromPrismaSchema } from "../helpers/schema-model";
import { adminQuery, withDatabase } from "../helpers/postgres";

const SCHEMA = path.resolve(import.meta.dirname, "../../prisma/schema.prisma");

describe("migrations match schema.prisma", () => {
  const scratch: EmbeddedDatabase[] = [];
  afterEach(async () => {
    await Promise.all(scratch.splice(0).map((db) => db.stop()));
  });
  async function freshPglite(): Promise<string> {
    const db = await startEmbeddedDatabase({ dataDir: null });
    scratch.push(db);
    return db.url;
  }

  it(`on this run's database (${inject("databaseKind")})`, async () => {
    const expected = modelFromPrismaSchema(SCHEMA);
    expect(Object.keys(expected.tables).length).toBeGreaterThan(0);
    expect(await modelFromDatabase(inject("databaseUrl"))).toEqual(expected);
  });

  it("on a fresh embedded PGlite", async () => {
    const url = await freshPglite();
    await migrate(url);
    expect(await modelFromDatabase(url)).toEqual(modelFromPrismaSchema(SCHEMA));
  });

  it("detects drift: a column's nullability, a missing index and a changed foreign key", async () => {
    const url = await freshPglite();
    await migrate(url);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const expected = modelFromPrismaSchema(SCHEMA);
    try {
      await client.query(`ALTER TABLE "users" ALTER COLUMN "name" SET NOT NULL`);
      expect(await modelFromDatabase(url)).not.toEqual(expected);
      await client.query(`ALTER TABLE "users" ALTER COLUMN "name" DROP NOT NULL`);
      expect(await modelFromDatabase(url)).toEqual(expected);

      await client.query(`DROP INDEX "audit_logs_created_at_idx"`);
      expect(await modelFromDatabase(url)).not.toEqual(expected);
      await client.query(`CREATE INDEX "audit_logs_created_at_idx" ON "audit_logs"("created_at")`);

      await client.query(`ALTER TABLE "accounts" DROP CONSTRAINT "accounts_user_id_fkey"`);
      await client.query(
        `ALTER TABLE "accounts" ADD CONSTRAINT "accounts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE`,
      );
      expect(await modelFromDatabase(url)).not.toEqual(expected);
    } finally {
      await client.end();
    }
  });
});

describe("migrate command", () => {
  it("records migrations as Prisma does and is idempotent", async () => {
    const db = await startEmbeddedDatabase({ dataDir: null });
    try {
      const files = await readMigrations();
      const first = await migrate(db.url);
      expect(first.applied).toEqual(files.map((f) => f.name));
      const second = await migrate(db.url);
      expect(second).toEqual({ applied: [], alreadyApplied: files.map((f) => f.name) });

      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query(
        `SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
      );
      await client.end();
      expect(rows.map((r) => [r.migration_name, r.checksum, r.finished_at !== null, r.rolled_back_at, r.applied_steps_count])).toEqual(
        files.map((f) => [f.name, f.checksum, true, null, 1]),
      );
    } finally {
      await db.stop();
    }
  });

  it("lets only one of two concurrent runs apply each migration", async () => {
    const url = inject("databaseKind") === "postgresql" ? await createScratchPostgres() : null;
    const db = url ? null : await startEmbeddedDatabase({ dataDir: null });
    const target = url ?? db!.url;
    try {
      const results = await Promise.all([migrate(target), migrate(target), migrate(target)]);
      const files = await readMigrations();
      const appliedCounts = files.map((f) => results.filter((r) => r.applied.includes(f.name)).length);
      expect(appliedCounts).toEqual(files.map(() => 1));
      const client = new pg.Client({ connectionString: target });
      await client.connect();
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
      await client.end();
      expect(rows[0].n).toBe(files.length);
    } finally {
      if (url) await dropScratchPostgres(url);
      await db?.stop();
    }
  });

  it("rolls back a failing migration completely and reports it", async () => {
    const { mkdtemp, mkdir, writeFile, cp } = await import("node:fs/promises");
    const os = await import("node:os");
    const dir = await mkdtemp(path.join(os.tmpdir(), "migrations-"));
    await cp(path.resolve(import.meta.dirname, "../../prisma/migrations"), dir, { recursive: true });
    await mkdir(path.join(dir, "29990101000000_broken"));
    await writeFile(
      path.join(dir, "29990101000000_broken", "migration.sql"),
      `CREATE TABLE "half" (id int);\nSELECT * FROM "no_such_table";`,
    );
    const db = await startEmbeddedDatabase({ dataDir: null });
    try {
      await expect(migrate(db.url, { dir })).rejects.toThrow(/29990101000000_broken failed: .*no_such_table/);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const half = await client.query(`SELECT to_regclass('half') AS t`);
      const rec = await client.query(
        `SELECT rolled_back_at IS NOT NULL AS rolled_back, logs FROM "_prisma_migrations" WHERE migration_name = '29990101000000_broken'`,
      );
      await client.end();
      expect(half.rows[0].t).toBeNull();
      expect(rec.rows[0].rolled_back).toBe(true);
      expect(rec.rows[0].logs).toMatch(/no_such_table/);
    } finally {
      await db.stop();
    }
  });
});

async function createScratchPostgres(): Promise<string> {
  const name = `fundwell_scratch_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
  await adminQuery(inject("databaseUrl"), `CREATE DATABASE "${name}"`);
  return withDatabase(inject("databaseUrl"), name);
}

async function dropScratchPostgres(url: string): Promise<void> {
  await adminQuery(inject("databaseUrl"), `DROP DATABASE IF EXISTS "${new URL(url).pathname.slice(1)}" WITH (FORCE)`);
}
