import "server-only";
import PgBoss from "pg-boss";

/**
 * The durable job queue: pg-boss on the app's PostgreSQL (or the embedded
 * PGlite server). docs/job-queue.md says why pg-boss and how it was measured.
 *
 * A job kind is declared once with `defineJob` (name, queue options, handler);
 * `startJobs` creates pg-boss's own schema if needed, the kinds' queues, and —
 * when `work` is on — their workers. Producers only need the returned
 * `enqueue`, which can run inside the caller's transaction.
 */
export interface JobDefinition<T extends object> {
  name: string;
  /** Retries, backoff, expiry (the time after which a crashed worker's job is retried), dead letter, policy. */
  queue?: Omit<PgBoss.Queue, "name">;
  /** Jobs fetched per poll; the handler runs them concurrently. */
  batchSize?: number;
  handle(data: T): Promise<void>;
}

export function defineJob<T extends object>(definition: JobDefinition<T>): JobDefinition<T> {
  return definition;
}

/** Runs one SQL statement in the caller's transaction (a pg client, or a Prisma transaction wrapped to this shape). */
export interface TransactionSql {
  executeSql(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
}

export interface JobQueue {
  enqueue<T extends object>(job: JobDefinition<T>, data: T, options?: PgBoss.SendOptions & { tx?: TransactionSql }): Promise<string | null>;
  /** Stops fetching, lets running jobs finish for up to `timeoutMs`, then closes the pool. */
  stop(timeoutMs?: number): Promise<void>;
}

const POLLING_INTERVAL_SECONDS = 0.5;

export async function startJobs(options: {
  connectionString: string;
  jobs: JobDefinition<never>[];
  /** Run workers in this process (off in web-only processes). */
  work: boolean;
  /** Connections this queue may hold. */
  poolSize?: number;
  /** How often expired (crashed) jobs are looked for. */
  maintenanceIntervalSeconds?: number;
  onError?: (error: Error) => void;
}): Promise<JobQueue> {
  const boss = new PgBoss({
    connectionString: options.connectionString,
    max: options.poolSize ?? 4,
    supervise: options.work,
    schedule: options.work,
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 30,
  });
  boss.on("error", (error) => options.onError?.(error));
  await boss.start();
  for (const job of options.jobs) {
    await boss.createQueue(job.name, { name: job.name, ...job.queue });
    if (options.work) {
      const handle = job.handle as (data: object) => Promise<void>;
      await boss.work<object>(job.name, { batchSize: job.batchSize ?? 10, pollingIntervalSeconds: POLLING_INTERVAL_SECONDS }, (batch) =>
        Promise.all(batch.map((j) => handle(j.data))),
      );
    }
  }
  return {
    enqueue: (job, data, { tx, ...send } = {}) => boss.send(job.name, data, tx ? { ...send, db: tx } : send),
    stop: (timeoutMs = 15_000) => boss.stop({ graceful: true, wait: true, timeout: timeoutMs }),
  };
}
