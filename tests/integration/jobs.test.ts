import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "@/lib/db/embedded";
import { defineJob, startJobs, type JobQueue } from "@/lib/jobs/queue";

/** A database of this file's own on the test server, so pg-boss's schema stays out of the app's. */
async function ownDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `jobs_test_${process.pid}`;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

describe.each(["PostgreSQL", "PGlite"])("job queue on %s", (backend) => {
  let url: string;
  let cleanup: () => Promise<void>;
  let queue: JobQueue;
  let second: JobQueue;
  let embedded: EmbeddedDatabase | null = null;
  const runs = new Map<string, number>();
  const echo = defineJob<{ key: string }>({
    name: "echo",
    async handle({ key }) {
      runs.set(key, (runs.get(key) ?? 0) + 1);
    },
  });

  let active = 0;
  let mostActive = 0;
  const serialRuns: number[] = [];
  const serial = defineJob<{ n: number }>({
    name: "serial",
    queue: { policy: "singleton" },
    batchSize: 5,
    async handle({ n }) {
      mostActive = Math.max(mostActive, ++active);
      await new Promise((r) => setTimeout(r, 30));
      serialRuns.push(n);
      active--;
    },
  });

  beforeAll(async () => {
    if (backend === "PGlite") {
      embedded = await startEmbeddedDatabase({ dataDir: null });
      url = embedded.url;
      cleanup = () => embedded!.stop();
    } else {
      const db = await ownDatabase();
      url = db.url;
      cleanup = () => db.drop();
    }
    // Two queues on one database: two worker instances, as two processes would run them.
    queue = await startJobs({ connectionString: url, jobs: [echo as never, serial as never], work: true });
    second = await startJobs({ connectionString: url, jobs: [echo as never, serial as never], work: true });
  });

  afterAll(async () => {
    await queue?.stop(5_000);
    await second?.stop(5_000);
    await cleanup?.();
  });

  it("runs every enqueued job once", async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `many-${i}`);
    for (const key of keys) await queue.enqueue(echo, { key });
    await until(() => keys.every((k) => runs.has(k)));
    expect(keys.map((k) => runs.get(k))).toEqual(keys.map(() => 1));
  });

  it("enqueues inside the caller's transaction: a rollback drops the job, a commit keeps it", async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const tx = { executeSql: (text: string, values: unknown[]) => client.query(text, values) };
      await client.query("BEGIN");
      await queue.enqueue(echo, { key: "rolled-back" }, { tx });
      await client.query("ROLLBACK");
      await client.query("BEGIN");
      await queue.enqueue(echo, { key: "committed" }, { tx });
      await client.query("COMMIT");
    } finally {
      await client.end();
    }
    await until(() => runs.has("committed"));
    // Jobs are fetched in creation order per poll; one more poll interval for a stray one.
    await new Promise((r) => setTimeout(r, 1_200));
    expect(runs.get("committed")).toBe(1);
    expect(runs.has("rolled-back")).toBe(false);
  });

  it("runs a singleton queue's jobs one at a time across two workers", async () => {
    for (let n = 0; n < 8; n++) await (n % 2 ? second : queue).enqueue(serial, { n });
    await until(() => serialRuns.length === 8, 30_000);
    expect(serialRuns.toSorted((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(mostActive).toBe(1);
  });

  it("creates at most one job per singleton key and interval, whichever instance asks", async () => {
    const options = { singletonKey: "tick", singletonSeconds: 60 };
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await (i % 2 ? second : queue).enqueue(echo, { key: `tick-${i}` }, options));
    expect(ids.filter((id) => id !== null)).toHaveLength(1);
    await until(() => runs.has("tick-0"));
    await new Promise((r) => setTimeout(r, 1_200));
    expect([...runs.keys()].filter((k) => k.startsWith("tick-"))).toEqual(["tick-0"]);
  });
});
