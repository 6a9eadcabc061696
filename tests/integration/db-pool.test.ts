import { afterAll, describe, expect, it } from "vitest";

// Before lib/config is first read in this file: the app's pool takes its size from here.
process.env.DATABASE_POOL_SIZE = "3";
const { getDb } = await import("@/lib/db");

afterAll(() => getDb().$disconnect());

describe("the app's database pool", () => {
  it("opens at most DATABASE_POOL_SIZE connections however many queries wait", async () => {
    const db = getDb();
    const rows = await Promise.all(
      Array.from({ length: 9 }, () => db.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid, pg_sleep(0.2)::text AS slept`),
    );
    expect(new Set(rows.map(([row]) => row!.pid)).size).toBe(3);
  });
});
