import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3100);
const SANDBOX_PORT = Number(process.env.E2E_SANDBOX_PORT ?? 4110);
// CI and closed-network machines use Debian's Chromium; a laptop falls back to Playwright's own browser.
const systemChromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    baseURL: `http://localhost:${PORT}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    // Video needs Playwright's own ffmpeg build, which closed-network machines cannot download.
    video: process.env.E2E_VIDEO === "1" ? "retain-on-failure" : "off",
    launchOptions: {
      executablePath: process.env.PLAYWRIGHT_CHROMIUM_PATH ?? systemChromium,
      args: ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-gpu"],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
  webServer: {
    command: "node_modules/.bin/tsx e2e/support/server.ts",
    url: `http://localhost:${PORT}/api/health`,
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      APP_URL: `http://localhost:${PORT}`,
      SANDBOX_URL: `http://127.0.0.1:${SANDBOX_PORT}`,
      DATA_DIR: `.data/e2e-${PORT}`,
      NEXT_DIST_DIR: ".next-e2e",
      // Specs settle debits themselves through the sandbox control API.
      SANDBOX_ACH_SETTLE_MS: "off",
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
});
