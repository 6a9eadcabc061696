import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { getConfig } from "@/lib/config";
import { DEFAULT_DATABASE_POOL_SIZE } from "@/lib/config/schema";
import { timingEnabled } from "@/lib/observability/timing";
import { instrumentAdapterFactory } from "@/lib/observability/clients";

export type Db = PrismaClient;

/** `max`: the most connections the pool opens (the app's own client takes DATABASE_POOL_SIZE; scripts pass a small one). */
export function createPrismaClient(databaseUrl: string, options: { max?: number } = {}): PrismaClient {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: options.max ?? DEFAULT_DATABASE_POOL_SIZE });
  // BENCH_TIMING=1 only: count and time each SQL statement per request (lib/observability).
  return new PrismaClient({ adapter: timingEnabled() ? instrumentAdapterFactory(adapter) : adapter });
}

// One client per process; kept on globalThis so Next's dev reloads don't open
// a new pool on every edit.
const globalForDb = globalThis as unknown as { fundwellDb?: PrismaClient };

export function getDb(): PrismaClient {
  if (!globalForDb.fundwellDb) {
    const { databaseUrl, databasePoolSize } = getConfig();
    globalForDb.fundwellDb = createPrismaClient(databaseUrl!, { max: databasePoolSize });
  }
  return globalForDb.fundwellDb;
}
