import "server-only";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PgliteWireServer } from "./pglite-server";

/**
 * The embedded default database: PGlite (PostgreSQL compiled to WASM), kept in
 * a folder, served over the PostgreSQL wire protocol on loopback so the app,
 * the migrate command and the tests all use the same `pg` driver and Prisma
 * adapter as with a real server (see pglite-server.ts for how connections
 * share the single PGlite session safely).
 *
 * The wire server listens on 127.0.0.1 and admits only user `postgres` with
 * a password generated at each start (SCRAM-SHA-256), carried in the URL it
 * returns; the launcher hands that URL to the app as DATABASE_URL.
 *
 * Only one process may open a PGlite folder: a lock file records the owner's
 * pid and URL, so a second command (e.g. `npm run db:migrate` while the app
 * runs) connects to the running server instead of opening the files. The
 * lock file holds the password, so it is readable by its owner only (0600),
 * in a folder only its owner may enter (0700).
 */

export interface EmbeddedDatabase {
  url: string;
  /** True when this process started the server (and must stop it). */
  owned: boolean;
  stop(): Promise<void>;
}

interface LockFile {
  pid: number;
  /** Null while the owner is still starting the server. */
  url: string | null;
}

export async function startEmbeddedDatabase(options: { dataDir: string | null; port?: number }): Promise<EmbeddedDatabase> {
  const lockPath = options.dataDir ? path.join(options.dataDir, "pglite.lock") : null;
  if (options.dataDir && lockPath) {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    const running = await claimOrFindOwner(lockPath);
    if (running) return { url: running.url, owned: false, stop: async () => {} };
  }

  const db = await PGlite.create(options.dataDir ? path.join(options.dataDir, "pglite") : undefined);
  const password = randomBytes(24).toString("base64url");
  const server = new PgliteWireServer(db, { user: "postgres", password });
  const { host, port } = await server.listen(options.port ?? 0);
  const url = `postgresql://postgres:${password}@${host}:${port}/postgres?sslmode=disable`;
  if (lockPath) writeFileSync(lockPath, JSON.stringify({ pid: process.pid, url } satisfies LockFile), { mode: 0o600 });

  let stopped = false;
  return {
    url,
    owned: true,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      await db.close();
      if (lockPath && existsSync(lockPath)) rmSync(lockPath);
    },
  };
}

/**
 * Claims the lock (atomic create) and returns null, or returns the running
 * owner's URL. Waits while another process is still starting.
 */
async function claimOrFindOwner(lockPath: string): Promise<{ url: string } | null> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      writeFileSync(lockPath, JSON.stringify({ pid: process.pid, url: null } satisfies LockFile), { flag: "wx", mode: 0o600 });
      return null;
    } catch {
      // The lock exists: a live owner, one starting, or a stale file.
    }
    let lock: LockFile;
    try {
      lock = JSON.parse(readFileSync(lockPath, "utf8")) as LockFile;
    } catch {
      // Being written by its owner right now, or vanished: look again.
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    if (!isAlive(lock.pid)) {
      rmSync(lockPath, { force: true }); // stale: the owner died without cleaning up
      continue;
    }
    if (lock.url) return { url: lock.url };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`embedded database: ${lockPath} is held by a process that never finished starting`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
