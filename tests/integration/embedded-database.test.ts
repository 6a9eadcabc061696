import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { startEmbeddedDatabase } from "@/lib/db/embedded";

describe("embedded database (PGlite over the wire protocol)", () => {
  it("keeps concurrent parameterised queries from many connections apart", async () => {
    const db = await startEmbeddedDatabase({ dataDir: null });
    const pool = new pg.Pool({ connectionString: db.url, max: 12 });
    try {
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => pool.query<{ n: number; s: string }>("SELECT $1::int AS n, $2::text AS s", [i, `v${i}`])),
      );
      expect(results.map((r) => [r.rows[0]!.n, r.rows[0]!.s])).toEqual(Array.from({ length: 200 }, (_, i) => [i, `v${i}`]));
    } finally {
      await pool.end();
      await db.stop();
    }
  });

  it("isolates transactions: others wait for an open transaction and never see its uncommitted rows", async () => {
    const db = await startEmbeddedDatabase({ dataDir: null });
    const a = new pg.Client({ connectionString: db.url });
    const b = new pg.Client({ connectionString: db.url });
    await Promise.all([a.connect(), b.connect()]);
    try {
      await a.query("CREATE TABLE t (n int)");
      await a.query("BEGIN");
      await a.query("INSERT INTO t VALUES (1)");
      let bDone = false;
      const bCount = b.query<{ c: number }>("SELECT count(*)::int AS c FROM t").then((r) => {
        bDone = true;
        return r.rows[0]!.c;
      });
      await new Promise((r) => setTimeout(r, 100));
      expect(bDone).toBe(false); // b waits for a's transaction
      await a.query("ROLLBACK");
      expect(await bCount).toBe(0);
    } finally {
      await Promise.all([a.end(), b.end()]);
      await db.stop();
    }
  });

  it("rolls back the transaction of a connection that disconnects mid-way", async () => {
    const db = await startEmbeddedDatabase({ dataDir: null });
    const a = new pg.Client({ connectionString: db.url });
    const b = new pg.Client({ connectionString: db.url });
    await Promise.all([a.connect(), b.connect()]);
    try {
      a.on("error", () => {}); // the socket is cut on purpose below
      await b.query("CREATE TABLE t (n int)");
      await a.query("BEGIN");
      await a.query("INSERT INTO t VALUES (1)");
      (a as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      const { rows } = await b.query<{ c: number }>("SELECT count(*)::int AS c FROM t");
      expect(rows[0]!.c).toBe(0);
    } finally {
      await b.end();
      await db.stop();
    }
  });

  it("keeps data in its folder across restarts, and a second opener attaches to the running server", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "fundwell-db-"));
    const first = await startEmbeddedDatabase({ dataDir });
    const second = await startEmbeddedDatabase({ dataDir });
    expect(second.owned).toBe(false);
    expect(second.url).toBe(first.url);
    const c1 = new pg.Client({ connectionString: first.url });
    await c1.connect();
    await c1.query("CREATE TABLE kept (v text)");
    await c1.query("INSERT INTO kept VALUES ('still here')");
    await c1.end();
    await first.stop();

    const reopened = await startEmbeddedDatabase({ dataDir });
    expect(reopened.owned).toBe(true);
    const c2 = new pg.Client({ connectionString: reopened.url });
    await c2.connect();
    const { rows } = await c2.query("SELECT v FROM kept");
    await c2.end();
    await reopened.stop();
    expect(rows).toEqual([{ v: "still here" }]);
  });
});
