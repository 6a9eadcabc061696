/**
 * `npm run dev` / `npm start`: everything the app needs, in one command.
 * Validates configuration, opens the database (DATABASE_URL or the embedded
 * PGlite in the data folder), applies migrations, seeds the demo accounts
 * (when the configuration says so: `demoAccounts` in lib/config) and starts
 * the local Plaid/Stripe sandbox (local mode only), then runs Next
 * (`next dev`, or with --prod a production build + `next start`) and prints
 * where to go.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { createPrismaClient } from "../lib/db/client";
import { migrate } from "../lib/db/migrate";
import { DEMO_ACCOUNTS, seedDemoAccounts } from "@/lib/auth/demo-accounts";
import { totpCode } from "@/lib/auth/totp";
import { startSandbox, type RunningSandbox } from "../sandbox/src/server";
import { loadCommandConfig, openDatabase } from "./lib/env";
import { nextStartArgs } from "./lib/next-start";

const prod = process.argv.includes("--prod");
// `next build` and `next start` run with NODE_ENV=production: check the configuration they will see, before starting anything.
if (prod) Object.assign(process.env, { NODE_ENV: "production" });
const config = loadCommandConfig();
const appUrl = new URL(config.appUrl);
const port = Number(appUrl.port || (appUrl.protocol === "https:" ? 443 : 80));
const NEXT_BIN = path.resolve("node_modules/.bin/next");

let sandbox: RunningSandbox | null = null;
let next: ChildProcess | null = null;
let shuttingDown = false;
const db = await openDatabase(config);
// For lib/ modules that read the configuration themselves (the demo admin's sealed two-factor secret).
process.env.DATABASE_URL = db.url;

async function shutdown(code: number): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    if (next?.pid && next.exitCode === null && next.signalCode === null) await stopNext(next.pid);
    else if (next?.pid) signalGroup(next.pid, "SIGKILL");
    await sandbox?.close();
    await db.embedded?.stop();
  }
  process.exit(code);
}

/**
 * SIGTERM to Next's process group (next dev's server child too): the server
 * drains and exits by itself within SHUTDOWN_TIMEOUT_MS (lib/shutdown.ts).
 * Then whatever is left of the group (build workers, a stuck server past the
 * bound) is killed, so no process outlives the launcher.
 */
async function stopNext(pid: number): Promise<void> {
  const exited = new Promise((resolve) => next!.once("exit", resolve));
  signalGroup(pid, "SIGTERM");
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, config.shutdown.timeoutMs + 2_000))]);
  signalGroup(pid, "SIGKILL");
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

try {
  await migrate(db.url, { log: (line) => console.log(`[db] ${line}`) });
  if (config.demoAccounts) {
    const prisma = createPrismaClient(db.url, { max: 1 });
    await seedDemoAccounts(prisma);
    await prisma.$disconnect();
  }
  if (config.mode === "local") {
    const sandboxUrl = new URL(config.sandboxUrl);
    sandbox = await startSandbox({
      host: sandboxUrl.hostname,
      port: Number(sandboxUrl.port || 80),
      smtpPort: sandboxSmtpPort(config.mail.smtpUrl, sandboxUrl.hostname),
      dataDir: path.join(config.dataDir, "sandbox"),
      config: {
        plaidClientId: config.plaid.clientId,
        plaidSecret: config.plaid.secret,
        stripeSecretKey: config.stripe.secretKey,
        stripeWebhookUrl: `${config.appUrl}/api/webhooks/stripe`,
        stripeWebhookSecret: config.stripe.webhookSecret,
        achSettleDelayMs: achSettleDelayMs(process.env.SANDBOX_ACH_SETTLE_MS),
      },
    });
  }
} catch (err) {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  await shutdown(1);
}

const env = {
  ...process.env,
  DATABASE_URL: db.url,
  NEXT_TELEMETRY_DISABLED: "1",
  // Shutdown is ordered by lib/shutdown.ts, not by Next's handler (which closes the server at once).
  NEXT_MANUAL_SIG_HANDLE: "1",
  // No load balancer to drain in development: Ctrl-C stops at once.
  ...(prod ? {} : { SHUTDOWN_DRAIN_MS: process.env.SHUTDOWN_DRAIN_MS || "0" }),
};
const distDir = process.env.NEXT_DIST_DIR || ".next";
if (prod && (process.argv.includes("--build") || !existsSync(path.join(distDir, "BUILD_ID")))) {
  console.log("Building the app (next build)…");
  const build = spawnSync(NEXT_BIN, ["build"], { stdio: "inherit", env: { ...env, NODE_ENV: "production" } });
  if (build.status !== 0) await shutdown(build.status ?? 1);
}

next = spawn(NEXT_BIN, prod ? nextStartArgs(port, appUrl.hostname) : ["dev", "--port", String(port), "--hostname", appUrl.hostname], {
  stdio: "inherit",
  env,
  // Its own process group, so the launcher can stop the whole tree (stopNext).
  detached: true,
});
next.on("exit", (code) => void shutdown(code ?? 0));

if (await waitForHealth(`http://${appUrl.hostname}:${port}/api/health`)) {
  const lines = [
    "",
    `  Fundwell is running: ${config.appUrl}`,
    `  Database: ${db.embedded ? `embedded PGlite in ${path.join(config.dataDir, "db")}` : "DATABASE_URL"}`,
    sandbox ? `  Local Plaid/Stripe sandbox: ${sandbox.url}` : "  Plaid and Stripe: real APIs (keys from the environment)",
    sandbox?.smtpPort
      ? `  Mail: the sandbox's SMTP inbox (${sandbox.context.config.smtpUrl}), shown at ${sandbox.url}/#mail`
      : `  Mail: ${config.mail.smtpUrl ? `SMTP server ${new URL(config.mail.smtpUrl).host}` : "no SMTP_URL, messages wait in the outbox"}`,
    ...(config.demoAccounts
      ? DEMO_ACCOUNTS.flatMap((a) => [
          `  ${a.role === "ADMIN" ? "Admin" : "Demo user"}: ${a.email} / ${a.password}`,
          ...(a.totpSecret
            ? [
                `    two-factor secret ${a.totpSecret} (code now: ${totpCode(a.totpSecret)}; the code step of the sign-in shows the current one in local mode)`,
              ]
            : []),
        ])
      : []),
    "",
  ];
  console.log(lines.join("\n"));
}

/** The sandbox runs the SMTP inbox where SMTP_URL points when that is plain SMTP on the sandbox's host (the local default); otherwise none. */
function sandboxSmtpPort(smtpUrl: string | null, sandboxHost: string): number | null {
  if (!smtpUrl) return null;
  const url = new URL(smtpUrl);
  return url.protocol === "smtp:" && url.hostname === sandboxHost ? Number(url.port || 25) : null;
}

/** Local debits settle by themselves after 20 s unless SANDBOX_ACH_SETTLE_MS says otherwise ("off": only on command). */
function achSettleDelayMs(value: string | undefined): number | null {
  if (value === undefined || value === "") return 20_000;
  if (value === "off") return null;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0) {
    console.error(`SANDBOX_ACH_SETTLE_MS: expected a number of milliseconds or "off" (got "${value}")`);
    process.exit(1);
  }
  return ms;
}

async function waitForHealth(url: string): Promise<boolean> {
  for (let i = 0; i < 600 && !shuttingDown; i++) {
    try {
      const res = await fetch(url);
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}
