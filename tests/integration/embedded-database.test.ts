import { statSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { connect } from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { startEmbeddedDatabase } from "@/lib/db/embedded";

/** The URL with another user and/or password (undefined: none at all). */
function withCredentials(url: string, user: string, password: string | undefined): string {
  const u = new URL(url);
  u.username = user;
  u.password = password ?? "";
  return u.toString();
}

async function connectWith(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ ok: number }>("SELECT 1 AS ok");
    return `connected ${rows[0]!.ok}`;
  } catch (err) {
    return `refused: ${(err as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A hostile client speaking raw bytes: sends `chunks`, returns the message types it got back and whether the server closed. */
async function raw(port: number, chunks: Buffer[], waitMs = 500): Promise<{ types: string; closed: boolean; text: string }> {
  const socket = connect(port, "127.0.0.1");
  const received: Buffer[] = [];
  let closed = false;
  socket.on("data", (d) => received.push(d));
  socket.on("error", () => {});
  socket.on("close", () => (closed = true));
  await new Promise((resolve) => socket.once("connect", resolve));
  for (const chunk of chunks) socket.write(chunk);
  const deadline = Date.now() + waitMs;
  while (!closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  socket.destroy();
  const all = Buffer.concat(received);
  let types = "";
  for (let at = 0; at + 5 <= all.length; at += 1 + all.readInt32BE(at + 1)) types += String.fromCharCode(all[at]!);
  return { types, closed, text: all.toString("latin1") };
}

function startupPacket(params: Record<string, string>): Buffer {
  const body = Buffer.concat([
    Buffer.from([0, 3, 0, 0]), // protocol 3.0
    ...Object.entries(params).map(([k, v]) => Buffer.from(`${k}\0${v}\0`)),
    Buffer.from([0]),
  ]);
  const length = Buffer.alloc(4);
  length.writeInt32BE(body.length + 4);
  return Buffer.concat([length, body]);
}

function message(type: string, payload: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, "latin1");
  header.writeInt32BE(payload.length + 4, 1);
  return Buffer.concat([header, payload]);
}
const query = (sql: string) => message("Q", Buffer.from(`${sql}\0`));
const password = (text: string) => message("p", Buffer.from(`${text}\0`));

describe("embedded database (PGlite over the wire protocol)", () => {
  // Two PGlite start-ups: tens of seconds on a busy 2-core machine.
  it("listens on 127.0.0.1 only, with a generated password that differs per server", { timeout: 90_000 }, async () => {
    const a = await startEmbeddedDatabase({ dataDir: null });
    const b = await startEmbeddedDatabase({ dataDir: null });
    try {
      const [ua, ub] = [new URL(a.url), new URL(b.url)];
      expect(ua.hostname).toBe("127.0.0.1");
      expect(ua.username).toBe("postgres");
      expect(ua.password).toMatch(/^[A-Za-z0-9_-]{32,}$/);
      expect(ua.password).not.toBe(ub.password);
      expect(await connectWith(a.url)).toBe("connected 1");
      expect(await connectWith(withCredentials(a.url, "postgres", ub.password))).toMatch(
        /^refused: password authentication failed for user "postgres"/,
      );
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("refuses a wrong password, no password and another user; pg's own SCRAM exchange succeeds with the right one", async () => {
    const db = await startEmbeddedDatabase({ dataDir: null });
    try {
      const right = new URL(db.url).password;
      expect(await connectWith(withCredentials(db.url, "postgres", "postgres"))).toMatch(/^refused: password authentication failed/);
      expect(await connectWith(withCredentials(db.url, "postgres", `${right}x`))).toMatch(/^refused: password authentication failed/);
      expect(await connectWith(withCredentials(db.url, "postgres", undefined))).toMatch(/^refused: /);
      expect(await connectWith(withCredentials(db.url, "admin", right))).toMatch(
        /^refused: password authentication failed for user "admin"/,
      );
      expect(await connectWith(db.url)).toBe("connected 1");
    } finally {
      await db.stop();
    }
  });

  it("a foreign connection gets nothing before it authenticates, and cannot hold a transaction that stalls the app", async () => {
    const db = await startEmbeddedDatabase({ dataDir: null });
    const port = Number(new URL(db.url).port);
    const app = new pg.Client({ connectionString: db.url });
    await app.connect();
    try {
      // Skips authentication and goes straight to a query: refused, closed, no transaction.
      const skipped = await raw(port, [startupPacket({ user: "postgres", database: "postgres" }), query("BEGIN")]);
      expect(skipped.types).toBe("RE"); // the authentication request, then the error
      expect(skipped.text).toContain("28P01");
      expect(skipped.closed).toBe(true);
      // A cleartext guess where SCRAM was asked for.
      const guessed = await raw(port, [startupPacket({ user: "postgres", database: "postgres" }), password("postgres")]);
      expect(guessed.types).toBe("RE");
      expect(guessed.closed).toBe(true);
      // Garbage, and a start-up packet claiming to be huge: closed without an answer worth anything.
      expect((await raw(port, [Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n")])).closed).toBe(true);
      const huge = Buffer.alloc(8);
      huge.writeInt32BE(0x7fffffff);
      huge.writeInt32BE(196608, 4);
      expect((await raw(port, [huge])).closed).toBe(true);
      // The red-team stall: a foreign connection sends BEGIN and keeps its socket open for 4 s. It is
      // refused, so the app's own query does not wait for it.
      const started = Date.now();
      const holder = raw(port, [startupPacket({ user: "postgres", database: "postgres" }), query("BEGIN")], 4_000);
      await new Promise((r) => setTimeout(r, 200));
      const { rows } = await app.query<{ ok: number }>("SELECT 1 AS ok");
      expect(rows).toEqual([{ ok: 1 }]);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect((await holder).types).toBe("RE");
    } finally {
      await app.end();
      await db.stop();
    }
  });

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
    // The lock file carries the URL with its password: readable by its owner only.
    expect(statSync(path.join(dataDir, "pglite.lock")).mode & 0o777).toBe(0o600);
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
