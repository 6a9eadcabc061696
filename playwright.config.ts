import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig, devices, type PlaywrightTestConfig } from "@playwright/test";

type WebServer = Extract<NonNullable<PlaywrightTestConfig["webServer"]>, { command: string }>;
import { missingRealSandboxKeys, REAL_SANDBOX_KEYS } from "./e2e/support/keys";

/*
 * `npx playwright test` (docs/e2e.md): builds and starts a fresh app for the
 * run (fresh database, local sandbox) through e2e/support/server.ts, runs
 * every spec, then stops it all.
 *
 * Projects (targets):
 * - local-sandbox: the app in local mode, Link stand-in, sandbox control API.
 * - real-sandbox: the same specs against real Plaid Sandbox + Stripe test mode,
 *   on a second app server, when PLAID_CLIENT_ID, PLAID_SECRET,
 *   STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET are set; otherwise it runs one
 *   placeholder test that is skipped with the reason (e2e/real-sandbox.spec.ts).
 */

const PORT = Number(process.env.E2E_PORT ?? 3100);
const SANDBOX_PORT = Number(process.env.E2E_SANDBOX_PORT ?? 4110);
// The local server's sandbox runs its SMTP inbox here; both servers send their mail to it.
const SMTP_URL = `smtp://127.0.0.1:${Number(process.env.E2E_SANDBOX_SMTP_PORT ?? 4125)}`;
const REAL_PORT = Number(process.env.E2E_REAL_PORT ?? 3101);
const missingKeys = missingRealSandboxKeys();
const realEnabled = missingKeys.length === 0;

// CI and closed-network machines use Debian's Chromium; a laptop falls back to Playwright's own browser.
// Debian's chromium-headless-shell first: the same lighter headless build Playwright uses by default
// (about 30% less CPU per test than full Chromium's headless mode on 2 cores, docs/e2e.md).
const systemChromium = ["/usr/bin/chromium-headless-shell", "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));

/**
 * Video needs the ffmpeg Playwright looks for in its browser folder
 * (<browsers path>/ffmpeg-<revision>/). Playwright's own download, or on
 * closed networks Debian's ffmpeg linked there (.ci/run does it). E2E_VIDEO=0/1 forces it.
 */
function videoAvailable(): boolean {
  if (process.env.E2E_VIDEO) return process.env.E2E_VIDEO === "1";
  try {
    const browsers = JSON.parse(readFileSync("node_modules/playwright-core/browsers.json", "utf8")) as {
      browsers: { name: string; revision: string }[];
    };
    const revision = browsers.browsers.find((b) => b.name === "ffmpeg")?.revision;
    const root =
      process.env.PLAYWRIGHT_BROWSERS_PATH ||
      path.join(
        process.env.XDG_CACHE_HOME || path.join(os.homedir(), os.platform() === "darwin" ? "Library/Caches" : ".cache"),
        "ms-playwright",
      );
    const dir = path.join(root, `ffmpeg-${revision}`);
    return os.platform() === "linux" ? existsSync(path.join(dir, "ffmpeg-linux")) : existsSync(dir);
  } catch {
    return false;
  }
}

// Once, in the runner (workers load this file too).
if (!process.env.TEST_WORKER_INDEX && !realEnabled && !process.env.E2E_QUIET) {
  console.log(
    `[e2e] real-sandbox target skipped: set ${missingKeys.join(", ")} to also run the specs against Plaid Sandbox + Stripe test mode (docs/e2e.md).`,
  );
}

const chromium = {
  ...devices["Desktop Chrome"],
  launchOptions: {
    executablePath: process.env.PLAYWRIGHT_CHROMIUM_PATH ?? systemChromium,
    args: ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-gpu"],
  },
};

const server = (port: number, env: Record<string, string>): WebServer => ({
  // The server-only hook lets the script load lib/db (scripts/server-only/register.mjs).
  command: "node_modules/.bin/tsx --import ./scripts/server-only/register.mjs e2e/support/server.ts",
  url: `http://localhost:${port}/api/health`,
  timeout: 300_000,
  reuseExistingServer: false,
  // SIGTERM first, so e2e/support/server.ts stops the app and drops its scratch database (SIGKILL would leave it).
  gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
  stdout: "pipe",
  stderr: "pipe",
  env: {
    E2E_PORT: String(port),
    APP_URL: `http://localhost:${port}`,
    DATA_DIR: `.data/e2e-${port}`,
    // Every spec signs people up from this one machine (the limit itself: tests/integration/auth-throttle).
    SIGNUPS_PER_IP: "100000",
    // The HTTP funding test sends 50 transfers per person in seconds (the limit itself: tests/integration/rate-limits).
    FUNDING_REQUESTS_PER_MINUTE: "100000",
    // Every sign-up waits for its verification mail (e2e/support/users.ts): deliver the outbox often.
    MAIL_SEND_INTERVAL_MS: "200",
    // One dist folder for every e2e build (listed in tsconfig.json, so Next never rewrites it).
    NEXT_DIST_DIR: ".next-e2e",
    NEXT_TELEMETRY_DISABLED: "1",
    ...env,
  },
});

const webServers = [
  server(PORT, {
    SANDBOX_URL: `http://127.0.0.1:${SANDBOX_PORT}`,
    SMTP_URL,
    // Specs settle debits themselves through the sandbox control API.
    SANDBOX_ACH_SETTLE_MS: "off",
    // OAuth banks (the sandbox's Platypus OAuth Bank) send the person back here, as Plaid does in production.
    PLAID_REDIRECT_URI: `http://localhost:${PORT}/oauth-return`,
    // `npm start` is a production build: lib/config refuses local mode there unless asked, and seeds the
    // demo accounts (the admin specs sign in as admin@fundwell.test) only when asked.
    ALLOW_LOCAL_MODE_IN_PRODUCTION: "true",
    SEED_DEMO_ACCOUNTS: "true",
    // Local mode, even when the real keys are in the environment (they are for the real-sandbox server).
    ...Object.fromEntries(REAL_SANDBOX_KEYS.map((k) => [k, ""])),
  }),
  ...(realEnabled
    ? [
        server(REAL_PORT, {
          PLAID_ENV: "sandbox",
          // Started after the local server, which has just built: reuse that build.
          E2E_SKIP_BUILD: "1",
          // No demo accounts in real mode: the admin specs sign this address up (e2e/support/users.ts).
          ADMIN_EMAILS: "admin@fundwell.test",
          SEED_DEMO_ACCOUNTS: "",
          AUTH_SECRET: process.env.AUTH_SECRET ?? randomBytes(32).toString("base64"),
          ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS ?? `e2e:${randomBytes(32).toString("base64")}`,
          // Required in production with real keys: the local server's sandbox inbox.
          SMTP_URL,
          MAIL_FROM: "Fundwell <no-reply@fundwell.test>",
        }),
      ]
    : []),
];

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  // A failed test runs once more with trace and video on (recording them for every passing test
  // doubled the suite's CPU, docs/e2e.md); a test that then passes is "flaky" and still fails the run.
  retries: 1,
  failOnFlakyTests: true,
  // Generous for a loaded 2-core machine; nothing waits for them to pass.
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    // E2E_TRACE=on records every test (debugging); otherwise the retry of a failed test is recorded.
    trace: process.env.E2E_TRACE === "on" ? "on" : "on-first-retry",
    screenshot: "only-on-failure",
    video: videoAvailable() ? "on-first-retry" : "off",
  },
  projects: [
    {
      name: "local-sandbox",
      testIgnore: "real-sandbox.spec.ts",
      use: { ...chromium, baseURL: `http://localhost:${PORT}` },
    },
    realEnabled
      ? {
          name: "real-sandbox",
          testIgnore: "real-sandbox.spec.ts",
          // Real Link and Stripe test-mode settlement are slower than the sandbox.
          timeout: 240_000,
          expect: { timeout: 30_000 },
          use: { ...chromium, baseURL: `http://localhost:${REAL_PORT}` },
        }
      : {
          name: "real-sandbox",
          testMatch: "real-sandbox.spec.ts",
          use: { ...chromium, baseURL: `http://localhost:${REAL_PORT}` },
        },
  ],
  webServer: webServers,
});
