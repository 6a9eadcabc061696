import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "@/lib/config";
import { logLevelFrom } from "@/lib/config/schema";

const ROOT = path.resolve(import.meta.dirname, "../..");
const tmp = () => mkdtempSync(path.join(os.tmpdir(), "fundwell-config-"));
const REAL_KEYS = {
  PLAID_CLIENT_ID: "abc123",
  PLAID_SECRET: "s3cret",
  STRIPE_SECRET_KEY: "sk_test_123",
  STRIPE_WEBHOOK_SECRET: "whsec_abc",
};
const REAL_MAIL = { SMTP_URL: "smtps://apikey:pw@smtp.example.com:465", MAIL_FROM: "Fundwell <no-reply@example.com>" };
const REAL_MAIL_CONFIG = { smtpUrl: REAL_MAIL.SMTP_URL, from: REAL_MAIL.MAIL_FROM };
const KEY = `k1:${Buffer.alloc(32, 7).toString("base64")}`;

function problems(env: Record<string, string>, requireDatabase = false): string[] {
  try {
    parseConfig(env, { requireDatabase, cwd: tmp() });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.map((p) => `${p.variable}: ${p.message}`);
  }
  return [];
}

describe("configuration", () => {
  it("runs in local mode with no variables at all, generating dev secrets once into the data folder", () => {
    const cwd = tmp();
    const first = parseConfig({}, { requireDatabase: false, cwd });
    expect(first.mode).toBe("local");
    expect(first.databaseUrl).toBeNull();
    expect(first.plaid.basePath).toBe("http://127.0.0.1:4010");
    expect(first.stripe.apiBase).toBe("http://127.0.0.1:4010");
    expect(first.encryptionKeys).toMatch(/^dev1:/);
    const second = parseConfig({}, { requireDatabase: false, cwd });
    expect(second.authSecret).toBe(first.authSecret);
    expect(second.encryptionKeys).toBe(first.encryptionKeys);
    const stored = JSON.parse(readFileSync(path.join(cwd, ".data", "dev-secrets.json"), "utf8")) as { authSecret: string };
    expect(stored.authSecret).toBe(first.authSecret);
  });

  it("names each malformed variable and what it expects", () => {
    expect(problems({ DATABASE_URL: "mysql://x", APP_URL: "localhost:3000", NODE_ENV: "staging", STRIPE_SECRET_KEY: "pk_test_1" })).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^DATABASE_URL: expected a PostgreSQL URL/),
        expect.stringMatching(/^APP_URL: expected an http\(s\) URL/),
        expect.stringMatching(/^NODE_ENV: expected development, production or test/),
        expect.stringMatching(/^STRIPE_SECRET_KEY: expected a Stripe secret key/),
      ]),
    );
    expect(problems({ ENCRYPTION_KEYS: "not-a-keyring" })).toEqual([
      expect.stringMatching(/^ENCRYPTION_KEYS: expected a comma-separated list/),
    ]);
    expect(problems({ AUTH_SECRET: "short" })).toEqual([expect.stringMatching(/^AUTH_SECRET: expected at least 32 characters/)]);
  });

  it("takes the database pool size from DATABASE_POOL_SIZE (default 10), a whole number from 1 to 1000", () => {
    const parsed = (env: Record<string, string>) => parseConfig(env, { requireDatabase: false, cwd: tmp() });
    expect(parsed({})).toMatchObject({ databasePoolSize: 10 });
    expect(parsed({ DATABASE_POOL_SIZE: " 25 " })).toMatchObject({ databasePoolSize: 25 });
    expect(parsed({ DATABASE_POOL_SIZE: "1" })).toMatchObject({ databasePoolSize: 1 });
    for (const bad of ["0", "-1", "2.5", "ten", "1001", ""]) {
      expect(problems({ DATABASE_POOL_SIZE: bad }), bad).toEqual([
        expect.stringMatching(/^DATABASE_POOL_SIZE: expected a whole number of connections per process, from 1 to 1000/),
      ]);
    }
  });

  it("validates LOG_LEVEL and RECONCILE_INTERVAL_MS like every other variable", () => {
    expect(problems({ LOG_LEVEL: "loud", RECONCILE_INTERVAL_MS: "soon" })).toEqual([
      expect.stringMatching(/^LOG_LEVEL: expected debug, info, warn or error/),
      expect.stringMatching(/^RECONCILE_INTERVAL_MS: expected a whole number of milliseconds/),
    ]);
    expect(problems({ RECONCILE_INTERVAL_MS: "-5" })).toHaveLength(1);
    const parsed = (env: Record<string, string>) => parseConfig(env, { requireDatabase: false, cwd: tmp() });
    expect(parsed({})).toMatchObject({ reconcileIntervalMs: 300_000 });
    expect(parsed({ LOG_LEVEL: "warn", RECONCILE_INTERVAL_MS: "0" })).toMatchObject({ reconcileIntervalMs: 0 });
    expect(logLevelFrom({ LOG_LEVEL: "debug" })).toBe("debug");
    expect(logLevelFrom({ LOG_LEVEL: "loud" })).toBe("info"); // reported by parseConfig at start-up
  });

  it("bounds the graceful shutdown: SHUTDOWN_TIMEOUT_MS 1-600 s (default 20 s), a drain shorter than it", () => {
    const parsed = (env: Record<string, string>) => parseConfig(env, { requireDatabase: false, cwd: tmp() });
    expect(parsed({}).shutdown).toEqual({ timeoutMs: 20_000, drainMs: 5_000 });
    expect(parsed({ SHUTDOWN_TIMEOUT_MS: "25000", SHUTDOWN_DRAIN_MS: "0" }).shutdown).toEqual({ timeoutMs: 25_000, drainMs: 0 });
    expect(problems({ SHUTDOWN_TIMEOUT_MS: "500" })).toEqual([
      expect.stringMatching(/^SHUTDOWN_TIMEOUT_MS: expected a whole number of milliseconds from 1000/),
    ]);
    expect(problems({ SHUTDOWN_TIMEOUT_MS: "20s" })).toHaveLength(1);
    expect(problems({ SHUTDOWN_DRAIN_MS: "-1" })).toEqual([
      expect.stringMatching(/^SHUTDOWN_DRAIN_MS: expected a whole number of milliseconds/),
    ]);
    expect(problems({ SHUTDOWN_TIMEOUT_MS: "5000", SHUTDOWN_DRAIN_MS: "5000" })).toEqual([
      expect.stringMatching(/^SHUTDOWN_DRAIN_MS: must be shorter than SHUTDOWN_TIMEOUT_MS \(5000\)/),
    ]);
  });

  it("validates TRUSTED_PROXY_HOPS as a small positive whole number (default 1)", () => {
    for (const bad of ["0", "-1", "1.5", "two", "11", "100"]) {
      expect(problems({ TRUST_PROXY: "true", TRUSTED_PROXY_HOPS: bad })).toEqual([
        expect.stringMatching(/^TRUSTED_PROXY_HOPS: expected the number of trusted proxies in front of the app, 1 to 10/),
      ]);
    }
    const parsed = (env: Record<string, string>) => parseConfig(env, { requireDatabase: false, cwd: tmp() });
    expect(parsed({})).toMatchObject({ trustProxy: false, trustedProxyHops: 1 });
    expect(parsed({ TRUST_PROXY: "true", TRUSTED_PROXY_HOPS: " 2 " })).toMatchObject({ trustProxy: true, trustedProxyHops: 2 });
  });

  it("validates SIGNUPS_PER_IP (default 10)", () => {
    expect(problems({ SIGNUPS_PER_IP: "0" })).toEqual([expect.stringMatching(/^SIGNUPS_PER_IP: expected a whole number of sign-ups/)]);
    expect(problems({ SIGNUPS_PER_IP: "many" })).toHaveLength(1);
    expect(parseConfig({}, { requireDatabase: false, cwd: tmp() }).signUpsPerIp).toBe(10);
    expect(parseConfig({ SIGNUPS_PER_IP: "250" }, { requireDatabase: false, cwd: tmp() }).signUpsPerIp).toBe(250);
  });

  it("requires DATABASE_URL inside the app, with a hint about the run command", () => {
    expect(problems({}, true)).toEqual([expect.stringMatching(/^DATABASE_URL: not set: start the app with `npm run dev`/)]);
    expect(problems({ DATABASE_URL: "postgresql://u@h/db" }, true)).toEqual([]);
  });

  it("wants Plaid and Stripe keys together, and a webhook secret with real Stripe keys", () => {
    expect(problems({ PLAID_CLIENT_ID: "id", PLAID_SECRET: "s" })).toEqual([
      expect.stringMatching(/^STRIPE_SECRET_KEY: set Plaid .* together/),
      expect.stringMatching(/^STRIPE_WEBHOOK_SECRET: required/),
    ]);
    expect(problems({ PLAID_CLIENT_ID: "id", STRIPE_SECRET_KEY: "sk_test_1", STRIPE_WEBHOOK_SECRET: "whsec_1" })).toEqual([
      "PLAID_SECRET: required when PLAID_CLIENT_ID is set",
    ]);
    expect(problems({ PLAID_CLIENT_ID: "id", PLAID_SECRET: "s", STRIPE_SECRET_KEY: "sk_test_1" })).toEqual([
      expect.stringMatching(/^STRIPE_WEBHOOK_SECRET: required/),
    ]);
    const remote = parseConfig(REAL_KEYS, { requireDatabase: false, cwd: tmp() });
    expect(remote.mode).toBe("remote");
    expect(remote.plaid.basePath).toBe("https://sandbox.plaid.com");
    expect(remote.stripe.apiBase).toBeNull();
  });

  it("refuses production with real keys but no explicit encryption key, session secret or SMTP server", () => {
    expect(problems({ ...REAL_KEYS, NODE_ENV: "production" })).toEqual([
      expect.stringMatching(/^AUTH_SECRET: required in production/),
      expect.stringMatching(/^ENCRYPTION_KEYS: required in production/),
      expect.stringMatching(/^SMTP_URL: required in production/),
    ]);
    const ok = parseConfig(
      { ...REAL_KEYS, NODE_ENV: "production", AUTH_SECRET: "x".repeat(32), ENCRYPTION_KEYS: KEY, ...REAL_MAIL },
      { requireDatabase: false, cwd: tmp() },
    );
    expect(ok.encryptionKeys).toBe(KEY);
  });

  it("refuses production without Plaid and Stripe keys: the emulator and generated secrets are not for real users", () => {
    expect(problems({ NODE_ENV: "production" })).toEqual([
      expect.stringMatching(/^NODE_ENV: production without Plaid and Stripe keys .*local sandbox.*ALLOW_LOCAL_MODE_IN_PRODUCTION=true/),
    ]);
    // Blank keys are no keys; "false" and empty are no opt-in.
    expect(problems({ NODE_ENV: "production", PLAID_CLIENT_ID: " ", STRIPE_SECRET_KEY: "" })).toHaveLength(1);
    expect(problems({ NODE_ENV: "production", ALLOW_LOCAL_MODE_IN_PRODUCTION: "false" })).toHaveLength(1);
    expect(problems({ NODE_ENV: "production", ALLOW_LOCAL_MODE_IN_PRODUCTION: "" })).toHaveLength(1);
    for (const bad of ["yes", "1", "TRUE", "true "]) {
      expect(problems({ NODE_ENV: "production", ALLOW_LOCAL_MODE_IN_PRODUCTION: bad })).toEqual(
        expect.arrayContaining([expect.stringMatching(/^ALLOW_LOCAL_MODE_IN_PRODUCTION: expected true or false/)]),
      );
    }
  });

  it("runs local mode in production only when asked, and then seeds no demo accounts unless asked too", () => {
    const optedIn = parseConfig({ NODE_ENV: "production", ALLOW_LOCAL_MODE_IN_PRODUCTION: "true" }, { requireDatabase: false, cwd: tmp() });
    expect(optedIn).toMatchObject({ env: "production", mode: "local", demoAccounts: false });
    const seeded = parseConfig(
      { NODE_ENV: "production", ALLOW_LOCAL_MODE_IN_PRODUCTION: "true", SEED_DEMO_ACCOUNTS: "true" },
      { requireDatabase: false, cwd: tmp() },
    );
    expect(seeded).toMatchObject({ mode: "local", demoAccounts: true });
    // SEED_DEMO_ACCOUNTS alone does not let production run on the emulator.
    expect(problems({ NODE_ENV: "production", SEED_DEMO_ACCOUNTS: "true" })).toEqual([
      expect.stringMatching(/^NODE_ENV: production without/),
    ]);
  });

  it("seeds demo accounts in development and tests by default, never with real keys", () => {
    const parsed = (env: Record<string, string>) => parseConfig(env, { requireDatabase: false, cwd: tmp() });
    expect(parsed({}).demoAccounts).toBe(true);
    expect(parsed({ NODE_ENV: "test" }).demoAccounts).toBe(true);
    expect(parsed({ SEED_DEMO_ACCOUNTS: "false" }).demoAccounts).toBe(false);
    expect(parsed(REAL_KEYS).demoAccounts).toBe(false);
    expect(problems({ ...REAL_KEYS, SEED_DEMO_ACCOUNTS: "true" })).toEqual([
      expect.stringMatching(/^SEED_DEMO_ACCOUNTS: demo accounts have published passwords; they exist only in local mode/),
    ]);
    expect(problems({ SEED_DEMO_ACCOUNTS: "on" })).toEqual([expect.stringMatching(/^SEED_DEMO_ACCOUNTS: expected true or false/)]);
    // The opt-in changes nothing where it is not needed.
    expect(parsed({ ALLOW_LOCAL_MODE_IN_PRODUCTION: "true" })).toMatchObject({ mode: "local", demoAccounts: true });
  });

  it("npm start and npm run db:seed stop with the message before touching anything", () => {
    const dataDir = tmp();
    const cases: { args: string[]; env: Record<string, string>; message: string }[] = [
      // `npm start` without NODE_ENV: the launcher checks what `next start` will run with.
      { args: ["scripts/run.ts", "--prod"], env: {}, message: "NODE_ENV: production without Plaid and Stripe keys" },
      {
        args: ["scripts/seed.ts"],
        env: { NODE_ENV: "production", ALLOW_LOCAL_MODE_IN_PRODUCTION: "true" },
        message: "demo accounts are off",
      },
    ];
    for (const { args, env, message } of cases) {
      // Only these variables: no NODE_ENV, no keys, nothing from the test runner.
      const only: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, ...env };
      const run = spawnSync(path.join(ROOT, "node_modules/.bin/tsx"), ["--import", "./scripts/server-only/register.mjs", ...args], {
        cwd: ROOT,
        env: only as NodeJS.ProcessEnv,
        encoding: "utf8",
        timeout: 30_000,
      });
      expect(run.stderr).toContain(message);
      expect(run.status).toBe(1);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    // Nothing was started or created: no database, no sandbox state.
    expect(readdirSync(dataDir).filter((f) => f !== "dev-secrets.json")).toEqual([]);
  }, 40_000);

  it("stops a command and the server start-up with the message, not a stack trace", () => {
    const env = { ...process.env, DATABASE_URL: "mysql://nope", DATA_DIR: tmp() };
    for (const args of [["scripts/migrate.ts"], ["-e", "import('./lib/config/startup.ts').then((m) => m.checkConfigOrExit())"]]) {
      // As package.json runs them: with the hook that lets Node load server-only modules (scripts/server-only).
      const run = spawnSync(path.join(ROOT, "node_modules/.bin/tsx"), ["--import", "./scripts/server-only/register.mjs", ...args], {
        cwd: ROOT,
        env,
        encoding: "utf8",
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain("Configuration error:");
      expect(run.stderr).toContain("DATABASE_URL: expected a PostgreSQL URL");
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    // Two tsx start-ups: seconds each on a busy 2-core machine.
  }, 30_000);

  it("mail: local mode sends to the sandbox's SMTP inbox as no-reply@fundwell.test, every 5 s", () => {
    expect(parseConfig({}, { requireDatabase: false, cwd: tmp() }).mail).toEqual({
      smtpUrl: "smtp://127.0.0.1:4025",
      from: "Fundwell <no-reply@fundwell.test>",
      sendIntervalMs: 5_000,
    });
    // On the sandbox's host; SMTP_URL and MAIL_FROM override; 0 turns the sender off.
    const custom = parseConfig(
      {
        SANDBOX_URL: "http://localhost:4999",
        MAIL_FROM: "ops@example.com",
        MAIL_SEND_INTERVAL_MS: "0",
      },
      { requireDatabase: false, cwd: tmp() },
    );
    expect(custom.mail).toEqual({ smtpUrl: "smtp://localhost:4025", from: "ops@example.com", sendIntervalMs: 0 });
    expect(parseConfig({ SMTP_URL: "smtp://127.0.0.1:4125" }, { requireDatabase: false, cwd: tmp() }).mail.smtpUrl).toBe(
      "smtp://127.0.0.1:4125",
    );
  });

  it("mail: validates SMTP_URL, MAIL_FROM and MAIL_SEND_INTERVAL_MS", () => {
    for (const SMTP_URL of ["http://smtp.example.com", "smtp.example.com:587", "smtp://", "mailto:a@b.c"]) {
      expect(problems({ SMTP_URL })).toEqual([expect.stringMatching(/^SMTP_URL: expected an SMTP URL/)]);
    }
    for (const SMTP_URL of [
      "smtp://127.0.0.1:4025",
      "smtps://user:p%40ss@smtp.example.com:465",
      "smtp://smtp.example.com:587?requireTLS=true",
    ]) {
      expect(problems({ SMTP_URL })).toEqual([]);
    }
    for (const MAIL_FROM of ["fundwell", "Fundwell <no-reply>", "a@b.c\r\nBcc: x@y.z", "<a@b.c", "a@b.c, c@d.e", '"Quoted" <a@b.c>']) {
      expect(problems({ MAIL_FROM })).toEqual([expect.stringMatching(/^MAIL_FROM: expected a sender address/)]);
    }
    for (const MAIL_FROM of ["no-reply@example.com", "Fundwell <no-reply@example.com>", "Fundwell Support<help@mail.example.com>"]) {
      expect(problems({ MAIL_FROM })).toEqual([]);
    }
    expect(problems({ MAIL_SEND_INTERVAL_MS: "5s" })).toEqual([expect.stringMatching(/^MAIL_SEND_INTERVAL_MS: expected a whole number/)]);
  });

  it("mail with real keys: MAIL_FROM goes with SMTP_URL; without SMTP_URL (outside production) mail waits in the outbox", () => {
    expect(problems({ ...REAL_KEYS, SMTP_URL: REAL_MAIL.SMTP_URL })).toEqual([expect.stringMatching(/^MAIL_FROM: required with SMTP_URL/)]);
    expect(parseConfig({ ...REAL_KEYS, ...REAL_MAIL }, { requireDatabase: false, cwd: tmp() }).mail).toMatchObject(REAL_MAIL_CONFIG);
    expect(parseConfig({ ...REAL_KEYS }, { requireDatabase: false, cwd: tmp() }).mail.smtpUrl).toBeNull();
  });
});
