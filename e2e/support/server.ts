/**
 * Playwright's web server: a fresh app for every run. Wipes the e2e data
 * folder (embedded database + sandbox state) and starts the embedded
 * database, or with DATABASE_URL creates a new database on that server
 * (dropped on exit); then runs the production build through the normal
 * launcher (scripts/run.ts --prod --build). The app's port comes from
 * E2E_PORT (playwright.config.ts), which also names the database URL file.
 */
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "@/lib/db/embedded";
import { E2E_DATABASE_URL_FILE } from "./database";
import { adminQuery, withDatabase } from "../../tests/helpers/postgres";

const dataDir = process.env.DATA_DIR ?? ".data/e2e";
rmSync(dataDir, { recursive: true, force: true });

let scratchDb: { serverUrl: string; name: string } | null = null;
if (process.env.DATABASE_URL) {
  const serverUrl = process.env.DATABASE_URL;
  await dropStaleE2eDatabases(serverUrl);
  const name = `fundwell_e2e_${Date.now()}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  process.env.DATABASE_URL = withDatabase(serverUrl, name);
  scratchDb = { serverUrl, name };
}
let embedded: EmbeddedDatabase | null = null;
if (!process.env.DATABASE_URL) {
  embedded = await startEmbeddedDatabase({ dataDir: path.join(dataDir, "db") });
  process.env.DATABASE_URL = embedded.url;
}
// Specs read the database URL to arrange or check state directly.
mkdirSync(path.dirname(E2E_DATABASE_URL_FILE), { recursive: true });
writeFileSync(E2E_DATABASE_URL_FILE, process.env.DATABASE_URL, { mode: 0o600 }); // it carries the password

// E2E_SKIP_BUILD: a second server of the same run (real-sandbox) reuses the build the first one just made.
// With the server-only hook, as `npm start` runs it (scripts/server-only/register.mjs).
const runArgs = [
  "--import",
  "./scripts/server-only/register.mjs",
  "scripts/run.ts",
  "--prod",
  ...(process.env.E2E_SKIP_BUILD ? [] : ["--build"]),
];
const child = spawn("node_modules/.bin/tsx", runArgs, { stdio: "inherit", env: process.env });

async function cleanup(code: number): Promise<void> {
  if (child.exitCode === null) {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  }
  await embedded?.stop();
  if (scratchDb) await adminQuery(scratchDb.serverUrl, `DROP DATABASE IF EXISTS "${scratchDb.name}" WITH (FORCE)`).catch(() => {});
  process.exit(code);
}
child.on("exit", (code) => void cleanup(code ?? 0));
process.on("SIGTERM", () => void cleanup(0));
process.on("SIGINT", () => void cleanup(0));

/**
 * Playwright stops this server with SIGTERM (playwright.config.ts), which
 * drops the run's database above; a run that was killed outright leaves its
 * database behind, so each run also drops those (over an hour old).
 */
async function dropStaleE2eDatabases(serverUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'fundwell\\_e2e\\_%'`);
    for (const { datname } of rows) {
      const createdAt = Number(datname.slice("fundwell_e2e_".length));
      if (Number.isFinite(createdAt) && Date.now() - createdAt > 3_600_000)
        await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}
