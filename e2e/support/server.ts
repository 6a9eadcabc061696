/**
 * Playwright's web server: a fresh app for every run. Wipes the e2e data
 * folder (embedded database + sandbox state), or with DATABASE_URL creates a
 * new database on that server (dropped on exit), then runs the production
 * build through the normal launcher (scripts/run.ts --prod --build).
 */
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import pg from "pg";

const dataDir = process.env.DATA_DIR ?? ".data/e2e";
rmSync(dataDir, { recursive: true, force: true });

let scratchDb: { serverUrl: string; name: string } | null = null;
if (process.env.DATABASE_URL) {
  const serverUrl = process.env.DATABASE_URL;
  const name = `fundwell_e2e_${Date.now()}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  process.env.DATABASE_URL = url.toString();
  scratchDb = { serverUrl, name };
}

const child = spawn("node_modules/.bin/tsx", ["scripts/run.ts", "--prod", "--build"], { stdio: "inherit", env: process.env });

async function cleanup(code: number): Promise<void> {
  if (child.exitCode === null) {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  }
  if (scratchDb) await adminQuery(scratchDb.serverUrl, `DROP DATABASE IF EXISTS "${scratchDb.name}" WITH (FORCE)`).catch(() => {});
  process.exit(code);
}
child.on("exit", (code) => void cleanup(code ?? 0));
process.on("SIGTERM", () => void cleanup(0));
process.on("SIGINT", () => void cleanup(0));

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
