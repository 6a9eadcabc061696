import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { getConfig } from "@/lib/config";
import { timingEnabled } from "@/lib/observability/timing";
import { instrumentAdapterFactory } from "@/lib/observability/clients";

export type Db = PrismaClient;

export function createPrismaClient(databaseUrl: string, options: { max?: number } = {}): PrismaClient {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: options.max ?? 10 });
  // BENCH_TIMING=1 only: count and time each SQL statement per request (lib/observability).
  return new PrismaClient({ adapter: timingEnabled() ? instrumentAdapterFactory(adapter) : adapter });
}

// One client per process; kept on globalThis so Next's dev reloads don't open
// a new pool on every edit.
const globalForDb = globalThis as unknown as { fundwellDb?: PrismaClient };

export function getDb(): PrismaClient {
  globalForDb.fundwellDb ??= createPrismaClient(getConfig().databaseUrl!);
  return globalForDb.fundwellDb;
}
