/**
 * Job-queue candidates measured side by side, on the embedded default (PGlite
 * behind lib/db/pglite-server.ts) and on a real PostgreSQL:
 *   npm run bench:queue [-- --jobs 2000 --only pglite|postgres]
 * For each candidate and backend: two worker instances (as two processes
 * would run them) of concurrency 5 share N jobs enqueued by 4 producers.
 * It reports throughput, enqueue latency p50/p95, pickup latency p50/p95
 * (enqueue → handler start), this process's CPU per job (on PGlite that
 * includes the database itself) and the connections held, and checks that no
 * job ran to completion twice. docs/job-queue.md records a run.
 */
import { spawn } from "node:child_process";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import { run as runGraphile, makeWorkerUtils } from "graphile-worker";
import PgBoss from "pg-boss";
import pg from "pg";
import { PgliteWireServer } from "../lib/db/pglite-server";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "2000" },
    only: { type: "string" },
    candidates: { type: "string", default: "graphile,boss5,boss50" },
    "crash-child": { type: "string" },
    postgres: { type: "string", default: "postgresql://postgres@127.0.0.1:5432/postgres" },
  },
});
const JOBS = Number(values.jobs);
const PRODUCERS = 4;
const CONCURRENCY = 5;

interface Backend {
  name: string;
  url: string;
  connections(): Promise<number>;
  stop(): Promise<void>;
}

interface Candidate {
  name: string;
  start(
    url: string,
    handle: (payload: { id: number; t: number }) => Promise<void>,
  ): Promise<{
    enqueue(payload: { id: number; t: number }): Promise<void>;
    stop(): Promise<void>;
  }>;
}

async function pgliteBackend(): Promise<Backend> {
  const db = await PGlite.create();
  const server = new PgliteWireServer(db, { user: "postgres", password: "bench" });
  const { host, port } = await server.listen(0);
  return {
    name: "PGlite (embedded)",
    url: `postgresql://postgres:bench@${host}:${port}/postgres?sslmode=disable`,
    connections: async () => (server as unknown as { connections: Set<unknown> }).connections.size,
    async stop() {
      await server.close();
      await db.close();
    },
  };
}

async function postgresBackend(adminUrl: string, tag: string): Promise<Backend> {
  const name = `job_queue_bench_${process.pid}_${tag}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name: "PostgreSQL",
    url: url.toString(),
    connections: async () => Number((await admin.query("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1", [name])).rows[0].n),
    async stop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** pg-boss 10 fetches a batch, runs it, then waits out the polling interval: batch size bounds throughput. */
const pgBoss = (batchSize: number): Candidate => ({
  name: `pg-boss 10.4.2 batch ${batchSize}`,
  async start(url, handle) {
    const bosses = [0, 1].map(() => new PgBoss({ connectionString: url, max: CONCURRENCY + 1 }));
    for (const boss of bosses) {
      boss.on("error", (error) => console.error("pg-boss:", error.message));
      await boss.start();
    }
    await bosses[0]!.createQueue("bench");
    for (const boss of bosses) {
      await boss.work<{ id: number; t: number }>("bench", { batchSize, pollingIntervalSeconds: 0.5 }, (jobs) =>
        Promise.all(jobs.map((job) => handle(job.data))),
      );
    }
    return {
      enqueue: async (payload) => void (await bosses[0]!.send("bench", payload)),
      stop: async () => {
        for (const boss of bosses) await boss.stop({ graceful: true, wait: true });
      },
    };
  },
});

const graphileWorker: Candidate = {
  name: "graphile-worker 0.17.3",
  async start(url, handle) {
    // Named prepared statements live in the session, and PGlite has only one:
    // every connection would prepare the same name (error 42P05).
    const options = {
      connectionString: url,
      noHandleSignals: true,
      pollInterval: 500,
      concurrency: CONCURRENCY,
      noPreparedStatements: true,
    };
    const utils = await makeWorkerUtils({ connectionString: url });
    await utils.migrate();
    const taskList = { bench: async (payload: unknown) => handle(payload as { id: number; t: number }) };
    const runners = [await runGraphile({ ...options, taskList }), await runGraphile({ ...options, taskList })];
    return {
      enqueue: async (payload) => void (await utils.addJob("bench", payload)),
      stop: async () => {
        for (const runner of runners) await runner.stop();
        await utils.release();
      },
    };
  },
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function measure(candidate: Candidate, backend: Backend) {
  const completions = new Map<number, number>();
  const pickup: number[] = [];
  let done: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  let peakConnections = 0;
  const queue = await candidate.start(backend.url, async (payload) => {
    pickup.push(Date.now() - payload.t);
    await new Promise((resolve) => setImmediate(resolve));
    completions.set(payload.id, (completions.get(payload.id) ?? 0) + 1);
    if (completions.size === JOBS) done();
  });
  const sampler = setInterval(() => {
    void backend.connections().then((n) => (peakConnections = Math.max(peakConnections, n)));
  }, 200);
  const enqueueLatency: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: PRODUCERS }, async () => {
      while (next < JOBS) {
        const id = next++;
        const t0 = performance.now();
        await queue.enqueue({ id, t: Date.now() });
        enqueueLatency.push(performance.now() - t0);
      }
    }),
  );
  const timeout = setTimeout(() => done(), 120_000);
  await finished;
  clearTimeout(timeout);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  // Let a double delivery, if any, show up before counting.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  clearInterval(sampler);
  await queue.stop();
  enqueueLatency.sort((a, b) => a - b);
  pickup.sort((a, b) => a - b);
  return {
    candidate: candidate.name,
    backend: backend.name,
    completed: completions.size,
    twice: [...completions.values()].filter((n) => n > 1).length,
    jobsPerSecond: completions.size / seconds,
    enqueueP50: percentile(enqueueLatency, 50),
    enqueueP95: percentile(enqueueLatency, 95),
    pickupP50: percentile(pickup, 50),
    pickupP95: percentile(pickup, 95),
    cpuMsPerJob: (used.user + used.system) / 1000 / JOBS,
    peakConnections,
  };
}

/**
 * A worker process is killed (SIGKILL) while it runs the only job; a worker in
 * this process must then run it to completion. Returns the seconds that took,
 * or null if it did not happen within the limit.
 */
async function crashRetry(kind: "graphile" | "boss", url: string, limitSeconds = 40): Promise<number | null> {
  let completedAt = 0;
  const stopWorker = await startCrashWorker(kind, url, async () => void (completedAt = Date.now()), true);
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, "--crash-child", `${kind} ${url}`], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve) => child.stdout.on("data", (d: Buffer) => d.toString().includes("picked") && resolve()));
  child.kill("SIGKILL");
  const killedAt = Date.now();
  await stopWorker.enable();
  while (!completedAt && Date.now() - killedAt < limitSeconds * 1000) await new Promise((r) => setTimeout(r, 100));
  await stopWorker.stop();
  return completedAt ? (completedAt - killedAt) / 1000 : null;
}

/** Enqueues the job (parent) or runs it forever (child); the parent's worker starts only after the kill. */
async function startCrashWorker(kind: "graphile" | "boss", url: string, handle: () => Promise<void>, parent: boolean) {
  if (kind === "boss") {
    const boss = new PgBoss({ connectionString: url, max: 2, maintenanceIntervalSeconds: 1 });
    boss.on("error", () => {});
    await boss.start();
    if (parent) {
      await boss.createQueue("crash", { name: "crash", expireInSeconds: 3, retryLimit: 3, retryDelay: 0 });
      await boss.send("crash", {});
    }
    return {
      enable: async () => void (await boss.work("crash", { pollingIntervalSeconds: 0.5 }, handle)),
      stop: () => boss.stop({ graceful: false, wait: true }),
    };
  }
  const utils = await makeWorkerUtils({ connectionString: url });
  await utils.migrate();
  if (parent) await utils.addJob("crash", {});
  let runner: Awaited<ReturnType<typeof runGraphile>> | null = null;
  return {
    enable: async () => {
      runner = await runGraphile({
        connectionString: url,
        noHandleSignals: true,
        pollInterval: 500,
        noPreparedStatements: true,
        taskList: { crash: handle },
      });
    },
    stop: async () => {
      await runner?.stop();
      await utils.release();
    },
  };
}

if (values["crash-child"]) {
  const [kind, url] = values["crash-child"].split(" ") as ["graphile" | "boss", string];
  const worker = await startCrashWorker(
    kind,
    url,
    () => {
      console.log("picked");
      return new Promise(() => {});
    },
    false,
  );
  await worker.enable();
  await new Promise(() => {});
}

const results: Record<string, unknown>[] = [];
const dropLater: Backend[] = [];
const chosen = values.candidates.split(",");
const all = { graphile: graphileWorker, boss5: pgBoss(CONCURRENCY), boss50: pgBoss(50) };
for (const candidate of Object.entries(all)
  .filter(([key]) => chosen.includes(key))
  .map(([, c]) => c)) {
  for (const kind of ["pglite", "postgres"]) {
    if (values.only && values.only !== kind) continue;
    const backend: Backend = kind === "pglite" ? await pgliteBackend() : await postgresBackend(values.postgres, String(results.length));
    try {
      const result = {
        ...(await measure(candidate, backend)),
        crashRetrySeconds: await crashRetry(candidate.name.startsWith("pg-boss") ? "boss" : "graphile", backend.url),
      };
      console.log(JSON.stringify(result));
      results.push(result);
    } catch (error) {
      console.log(JSON.stringify({ candidate: candidate.name, backend: backend.name, error: String(error) }));
    } finally {
      // A stopped graphile-worker runner may still hold an idle connection: drop databases at the end.
      if (kind === "pglite") await backend.stop();
      else dropLater.push(backend);
    }
  }
}
console.log(`\n${new Date().toISOString()} node ${process.version}, ${cpus().length}× ${cpus()[0]?.model}, ${JOBS} jobs`);
console.table(results);
process.on("uncaughtException", () => {});
for (const backend of dropLater) await backend.stop();
process.exit(0);
