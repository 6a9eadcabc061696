import "server-only";
import path from "node:path";
import { z } from "zod";
import { ConfigError } from "./errors";
import { loadOrCreateDevSecrets } from "./dev-secrets";

type Env = Record<string, string | undefined>;

/** SIGNUPS_PER_IP when unset; also what sign-up uses when called without the configuration (tests, commands). */
export const DEFAULT_SIGNUPS_PER_IP = 10;
/** DATABASE_POOL_SIZE when unset: connections one process may open (README: Database, sizing). */
export const DEFAULT_DATABASE_POOL_SIZE = 10;

/** FUNDING_REQUESTS_PER_MINUTE when unset. */
export const DEFAULT_FUNDING_REQUESTS_PER_MINUTE = 20;

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const postgresUrl = z
  .string()
  .trim()
  .refine((v) => /^postgres(ql)?:\/\/.+/.test(v), {
    message: "expected a PostgreSQL URL like postgresql://user:password@host:5432/dbname",
  });

const httpUrl = z
  .string()
  .trim()
  .refine((v) => /^https?:\/\/[^\s]+$/.test(v), { message: "expected an http(s) URL like http://localhost:3000" })
  .transform((v) => v.replace(/\/+$/, ""));

function cents(fallback: number) {
  return z
    .string()
    .trim()
    .default(String(fallback))
    .refine((v) => /^\d{1,10}$/.test(v) && Number(v) > 0, { message: "expected a positive whole number of cents (e.g. 50000 for $500)" })
    .transform(Number);
}

/** smtp:// (STARTTLS when the server offers it) or smtps:// (TLS from the start), as nodemailer reads it. */
const smtpUrl = optionalString.refine(
  (v) => {
    if (v === undefined) return true;
    try {
      const url = new URL(v);
      return (url.protocol === "smtp:" || url.protocol === "smtps:") && url.hostname !== "";
    } catch {
      return false;
    }
  },
  { message: "expected an SMTP URL like smtps://user:password@smtp.example.com:465 or smtp://127.0.0.1:4025" },
);

/** `address@domain` or `Display Name <address@domain>`; one line (it becomes the From header). */
const mailFrom = optionalString.refine((v) => v === undefined || /^(?:[^<>\r\n@"]+<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/.test(v), {
  message: 'expected a sender address like "Fundwell <no-reply@example.com>" or no-reply@example.com',
});

/** true | false | unset (false). */
const flag = z
  .enum(["true", "false", ""], { message: "expected true or false" })
  .default("false")
  .transform((v) => v === "true");

/** Where the local sandbox's SMTP inbox listens (on the SANDBOX_URL host) when SMTP_URL is unset in local mode. */
export const LOCAL_SANDBOX_SMTP_PORT = 4025;
export const LOCAL_MAIL_FROM = "Fundwell <no-reply@fundwell.test>";

const logLevel = z.enum(["debug", "info", "warn", "error"], { message: "expected debug, info, warn or error" }).default("info");
export type LogLevel = z.infer<typeof logLevel>;

/** Raw environment: names and formats. Cross-variable rules are in parseConfig. */
const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"], { message: "expected development, production or test" }).default("development"),
  APP_URL: httpUrl.default("http://localhost:3000"),
  DATA_DIR: z.string().trim().min(1).default(".data"),
  DATABASE_URL: postgresUrl.optional().or(z.literal("").transform(() => undefined)),
  /** Connections this process's pool may open (lib/db/client.ts). */
  DATABASE_POOL_SIZE: z
    .string()
    .trim()
    .default(String(DEFAULT_DATABASE_POOL_SIZE))
    .refine((v) => /^\d{1,4}$/.test(v) && Number(v) >= 1 && Number(v) <= 1000, {
      message: "expected a whole number of connections per process, from 1 to 1000",
    })
    .transform(Number),
  AUTH_SECRET: optionalString.refine((v) => v === undefined || v.length >= 32, {
    message: "expected at least 32 characters (e.g. `openssl rand -base64 32`)",
  }),
  ENCRYPTION_KEYS: optionalString.refine(
    (v) => v === undefined || /^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=_-]+(,[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=_-]+)*$/.test(v),
    {
      message: "expected a comma-separated list of <key-id>:<base64 32-byte key>, newest (writing) key first",
    },
  ),
  PLAID_CLIENT_ID: optionalString,
  PLAID_SECRET: optionalString,
  PLAID_ENV: z.enum(["sandbox", "production"], { message: "expected sandbox or production" }).default("sandbox"),
  STRIPE_SECRET_KEY: optionalString.refine((v) => v === undefined || /^(sk|rk)_(test|live)_/.test(v), {
    message: "expected a Stripe secret key (sk_test_… or sk_live_…)",
  }),
  STRIPE_WEBHOOK_SECRET: optionalString.refine((v) => v === undefined || v.startsWith("whsec_"), {
    message: "expected a webhook signing secret starting with whsec_",
  }),
  SANDBOX_URL: httpUrl.default("http://127.0.0.1:4010"),
  /** Lets a production build (NODE_ENV=production) run without keys, on the local sandbox: e2e tests, demos. */
  ALLOW_LOCAL_MODE_IN_PRODUCTION: flag,
  /** Local mode only: create the demo accounts (published passwords). Default: yes outside production. */
  SEED_DEMO_ACCOUNTS: z.enum(["true", "false", ""], { message: "expected true or false" }).optional(),
  ADMIN_EMAILS: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((e) => e.trim().toLowerCase())
        .filter(Boolean),
    )
    .refine((list) => list.every((e) => /^[^\s@]+@[^\s@]+$/.test(e)), { message: "expected a comma-separated list of email addresses" }),
  GITHUB_CLIENT_ID: optionalString,
  GITHUB_CLIENT_SECRET: optionalString,
  GOOGLE_CLIENT_ID: optionalString,
  GOOGLE_CLIENT_SECRET: optionalString,
  FUNDING_MIN_CENTS: cents(100),
  FUNDING_MAX_CENTS: cents(500_000),
  FUNDING_DAILY_MAX_CENTS: cents(1_000_000),
  FUNDING_30_DAY_MAX_CENTS: cents(2_500_000),
  /** Use the legacy Charges API instead of PaymentIntents (Stripe accounts that still need it). */
  STRIPE_USE_CHARGES: z
    .enum(["true", "false", ""], { message: "expected true or false" })
    .default("false")
    .transform((v) => v === "true"),
  PLAID_REDIRECT_URI: optionalString.refine((v) => v === undefined || /^https?:\/\/\S+$/.test(v), {
    message: "expected the https URL of the OAuth return page registered in the Plaid Dashboard",
  }),
  PLAID_WEBHOOK_URL: optionalString.refine((v) => v === undefined || /^https?:\/\/\S+$/.test(v), {
    message: "expected a public http(s) URL for Plaid webhooks",
  }),
  TRUST_PROXY: z
    .enum(["true", "false", ""], { message: "expected true or false" })
    .default("false")
    .transform((v) => v === "true"),
  /** With TRUST_PROXY: how many proxies in front of the app append to X-Forwarded-For (lib/client-ip.ts). */
  TRUSTED_PROXY_HOPS: z
    .string()
    .trim()
    .default("1")
    .refine((v) => /^\d{1,2}$/.test(v) && Number(v) >= 1 && Number(v) <= 10, {
      message: "expected the number of trusted proxies in front of the app, 1 to 10",
    })
    .transform(Number),
  /** Accounts one client IP may create per 15 minutes (lib/auth/throttle.ts). */
  SIGNUPS_PER_IP: z
    .string()
    .trim()
    .default(String(DEFAULT_SIGNUPS_PER_IP))
    .refine((v) => /^\d{1,6}$/.test(v) && Number(v) >= 1, {
      message: "expected a whole number of sign-ups per client IP per 15 minutes, at least 1",
    })
    .transform(Number),
  /** Funding requests one user may make per minute (lib/http/rate-limit.ts). */
  FUNDING_REQUESTS_PER_MINUTE: z
    .string()
    .trim()
    .default(String(DEFAULT_FUNDING_REQUESTS_PER_MINUTE))
    .refine((v) => /^\d{1,6}$/.test(v) && Number(v) >= 1, {
      message: "expected a whole number of funding requests per user per minute, at least 1",
    })
    .transform(Number),
  // Checked here so a typo stops the start-up; read by the logger itself (lib/log.ts, logLevelFrom).
  LOG_LEVEL: logLevel,
  SMTP_URL: smtpUrl,
  MAIL_FROM: mailFrom,
  MAIL_SEND_INTERVAL_MS: z
    .string()
    .trim()
    .default("5000")
    .refine((v) => /^\d{1,10}$/.test(v), { message: "expected a whole number of milliseconds (0 turns the mail sender off)" })
    .transform(Number),
  RECONCILE_INTERVAL_MS: z
    .string()
    .trim()
    .default("300000")
    .refine((v) => /^\d{1,10}$/.test(v), { message: "expected a whole number of milliseconds (0 turns reconciliation off)" })
    .transform(Number),
  // Graceful shutdown (lib/shutdown.ts): everything ends within the bound, under Kubernetes' 30 s default grace period.
  SHUTDOWN_TIMEOUT_MS: z
    .string()
    .trim()
    .default("20000")
    .refine((v) => /^\d{1,7}$/.test(v) && Number(v) >= 1000 && Number(v) <= 600_000, {
      message: "expected a whole number of milliseconds from 1000 to 600000 (keep it under the platform's grace period)",
    })
    .transform(Number),
  SHUTDOWN_DRAIN_MS: z
    .string()
    .trim()
    .default("5000")
    .refine((v) => /^\d{1,7}$/.test(v), { message: "expected a whole number of milliseconds (0: stop accepting connections at once)" })
    .transform(Number),
});

/** LOG_LEVEL on its own, for the logger, which starts before the rest of the configuration is read. An invalid value is reported by parseConfig. */
export function logLevelFrom(env: Env): LogLevel {
  const parsed = logLevel.safeParse(env.LOG_LEVEL);
  return parsed.success ? parsed.data : "info";
}

/** Credentials the local sandbox accepts; not secrets (it only listens on loopback). */
export const LOCAL_SANDBOX_CREDENTIALS = {
  plaidClientId: "local-sandbox-client-id",
  plaidSecret: "local-sandbox-secret",
  stripeSecretKey: "sk_test_local_sandbox",
} as const;

export interface AppConfig {
  env: "development" | "production" | "test";
  appUrl: string;
  dataDir: string;
  /** Null only in the launcher before the embedded database is started. */
  databaseUrl: string | null;
  /** The most connections this process's database pool opens (DATABASE_POOL_SIZE). */
  databasePoolSize: number;
  authSecret: string;
  encryptionKeys: string;
  /** local: the project's sandbox on loopback; remote: real Plaid Sandbox/Production and Stripe. */
  mode: "local" | "remote";
  /**
   * The demo accounts (README; published passwords and two-factor secret) are
   * created by `npm run dev`/`npm start`/`npm run db:seed`, and the sign-in's
   * code step shows the demo admin's code. Local mode only: by default outside
   * production, in production only with SEED_DEMO_ACCOUNTS=true.
   */
  demoAccounts: boolean;
  plaid: { clientId: string; secret: string; env: "sandbox" | "production"; basePath: string };
  stripe: { secretKey: string; webhookSecret: string | null; apiBase: string | null };
  sandboxUrl: string;
  adminEmails: string[];
  oauth: { github?: { clientId: string; clientSecret: string }; google?: { clientId: string; clientSecret: string } };
  funding: { minCents: number; maxCents: number; dailyMaxCents: number; thirtyDayMaxCents: number; useCharges: boolean };
  /** Where Plaid sends webhooks (default APP_URL/api/webhooks/plaid) and the OAuth return page, if configured. */
  plaidWebhookUrl: string;
  plaidRedirectUri: string | null;
  /** TRUST_PROXY: the client IP comes from X-Forwarded-For, `trustedProxyHops` entries from the right; otherwise from the socket. */
  trustProxy: boolean;
  trustedProxyHops: number;
  /** Accounts one client IP may create per 15 minutes. */
  signUpsPerIp: number;
  /** Funding requests one user may make per minute. */
  fundingRequestsPerMinute: number;
  /** Milliseconds between reconciliation runs in the server process; 0 = off. */
  reconcileIntervalMs: number;
  mail: {
    /** nodemailer's SMTP URL; null: none configured (real keys outside production), mail waits in the outbox. */
    smtpUrl: string | null;
    /** The From header of every message. */
    from: string;
    /** Milliseconds between runs of the outbox sender in the server process; 0 = off. */
    sendIntervalMs: number;
  };
  /**
   * Graceful shutdown on SIGTERM (lib/shutdown.ts): for `drainMs` readiness
   * answers 503 while connections are still accepted (load balancers stop
   * sending), then the server closes; the process exits within `timeoutMs`.
   */
  shutdown: { timeoutMs: number; drainMs: number };
}

/**
 * Validates the environment and derives the app's settings. Throws a
 * ConfigError listing every problem (variable name + what it expects).
 * `requireDatabase: false` is for the launcher, which may start the
 * embedded database itself.
 */
export function parseConfig(env: Env, options: { requireDatabase: boolean; cwd?: string }): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? "environment"), message: issue.message })),
    );
  }
  const e = parsed.data;
  const problems: { variable: string; message: string }[] = [];

  const plaidSet = Boolean(e.PLAID_CLIENT_ID || e.PLAID_SECRET);
  const stripeSet = Boolean(e.STRIPE_SECRET_KEY);
  if (e.PLAID_CLIENT_ID && !e.PLAID_SECRET) problems.push({ variable: "PLAID_SECRET", message: "required when PLAID_CLIENT_ID is set" });
  if (e.PLAID_SECRET && !e.PLAID_CLIENT_ID) problems.push({ variable: "PLAID_CLIENT_ID", message: "required when PLAID_SECRET is set" });
  if (plaidSet !== stripeSet) {
    problems.push({
      variable: plaidSet ? "STRIPE_SECRET_KEY" : "PLAID_CLIENT_ID",
      message: "set Plaid (PLAID_CLIENT_ID, PLAID_SECRET) and Stripe (STRIPE_SECRET_KEY) keys together, or neither for the local sandbox",
    });
  }
  const mode: AppConfig["mode"] = plaidSet || stripeSet ? "remote" : "local";
  if (mode === "local" && e.NODE_ENV === "production" && !e.ALLOW_LOCAL_MODE_IN_PRODUCTION) {
    problems.push({
      variable: "NODE_ENV",
      message:
        "production without Plaid and Stripe keys would run on the local sandbox (emulated Plaid and Stripe, generated secrets). " +
        "Set PLAID_CLIENT_ID, PLAID_SECRET, STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET, or, for a test or demo server only, " +
        "ALLOW_LOCAL_MODE_IN_PRODUCTION=true",
    });
  }
  if (mode === "remote" && e.SEED_DEMO_ACCOUNTS === "true") {
    problems.push({
      variable: "SEED_DEMO_ACCOUNTS",
      message: "demo accounts have published passwords; they exist only in local mode (no Plaid or Stripe keys)",
    });
  }
  const demoAccounts =
    mode === "local" && (e.SEED_DEMO_ACCOUNTS === "true" || ((e.SEED_DEMO_ACCOUNTS ?? "") === "" && e.NODE_ENV !== "production"));
  if (mode === "remote" && !e.STRIPE_WEBHOOK_SECRET) {
    problems.push({
      variable: "STRIPE_WEBHOOK_SECRET",
      message: "required with real Stripe keys (the signing secret of your webhook endpoint or of `stripe listen`)",
    });
  }
  if (mode === "remote" && e.NODE_ENV === "production") {
    // Real money paths must never run on a generated development key.
    if (!e.AUTH_SECRET) problems.push({ variable: "AUTH_SECRET", message: "required in production (at least 32 random characters)" });
    if (!e.ENCRYPTION_KEYS)
      problems.push({
        variable: "ENCRYPTION_KEYS",
        message: "required in production (<key-id>:<base64 32-byte key>; generate with `npm run keys:generate`)",
      });
  }
  if (e.SHUTDOWN_DRAIN_MS >= e.SHUTDOWN_TIMEOUT_MS) {
    problems.push({
      variable: "SHUTDOWN_DRAIN_MS",
      message: `must be shorter than SHUTDOWN_TIMEOUT_MS (${e.SHUTDOWN_TIMEOUT_MS}): in-flight requests need time to finish after the drain`,
    });
  }
  if (mode === "remote" && e.SMTP_URL && !e.MAIL_FROM) {
    problems.push({
      variable: "MAIL_FROM",
      message: "required with SMTP_URL and real keys: an address of a domain your SMTP service may send for",
    });
  }
  if (mode === "remote" && e.NODE_ENV === "production" && !e.SMTP_URL) {
    problems.push({
      variable: "SMTP_URL",
      message: "required in production (smtps://user:password@smtp.example.com:465): account mail cannot wait for ever",
    });
  }
  if (options.requireDatabase && !e.DATABASE_URL) {
    problems.push({
      variable: "DATABASE_URL",
      message: "not set: start the app with `npm run dev` or `npm start` (they run the embedded database), or set a PostgreSQL URL",
    });
  }
  if (Boolean(e.GITHUB_CLIENT_ID) !== Boolean(e.GITHUB_CLIENT_SECRET)) {
    problems.push({
      variable: e.GITHUB_CLIENT_ID ? "GITHUB_CLIENT_SECRET" : "GITHUB_CLIENT_ID",
      message: "set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET together",
    });
  }
  if (Boolean(e.GOOGLE_CLIENT_ID) !== Boolean(e.GOOGLE_CLIENT_SECRET)) {
    problems.push({
      variable: e.GOOGLE_CLIENT_ID ? "GOOGLE_CLIENT_SECRET" : "GOOGLE_CLIENT_ID",
      message: "set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET together",
    });
  }
  if (e.FUNDING_MIN_CENTS > e.FUNDING_MAX_CENTS)
    problems.push({ variable: "FUNDING_MIN_CENTS", message: "must not exceed FUNDING_MAX_CENTS" });
  if (e.FUNDING_MAX_CENTS > e.FUNDING_DAILY_MAX_CENTS)
    problems.push({ variable: "FUNDING_DAILY_MAX_CENTS", message: "must be at least FUNDING_MAX_CENTS" });
  if (e.FUNDING_DAILY_MAX_CENTS > e.FUNDING_30_DAY_MAX_CENTS)
    problems.push({ variable: "FUNDING_30_DAY_MAX_CENTS", message: "must be at least FUNDING_DAILY_MAX_CENTS" });
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = path.resolve(options.cwd ?? process.cwd(), e.DATA_DIR);
  const needsDevSecrets = !e.AUTH_SECRET || !e.ENCRYPTION_KEYS || (mode === "local" && !e.STRIPE_WEBHOOK_SECRET);
  const dev = needsDevSecrets ? loadOrCreateDevSecrets(dataDir) : null;

  return {
    env: e.NODE_ENV,
    appUrl: e.APP_URL,
    dataDir,
    databaseUrl: e.DATABASE_URL ?? null,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    authSecret: e.AUTH_SECRET ?? dev!.authSecret,
    encryptionKeys: e.ENCRYPTION_KEYS ?? dev!.encryptionKeys,
    mode,
    demoAccounts,
    plaid:
      mode === "local"
        ? {
            clientId: LOCAL_SANDBOX_CREDENTIALS.plaidClientId,
            secret: LOCAL_SANDBOX_CREDENTIALS.plaidSecret,
            env: "sandbox",
            basePath: e.SANDBOX_URL,
          }
        : {
            clientId: e.PLAID_CLIENT_ID!,
            secret: e.PLAID_SECRET!,
            env: e.PLAID_ENV,
            basePath: e.PLAID_ENV === "production" ? "https://production.plaid.com" : "https://sandbox.plaid.com",
          },
    stripe:
      mode === "local"
        ? {
            secretKey: LOCAL_SANDBOX_CREDENTIALS.stripeSecretKey,
            webhookSecret: e.STRIPE_WEBHOOK_SECRET ?? dev!.stripeWebhookSecret,
            apiBase: e.SANDBOX_URL,
          }
        : { secretKey: e.STRIPE_SECRET_KEY!, webhookSecret: e.STRIPE_WEBHOOK_SECRET!, apiBase: null },
    sandboxUrl: e.SANDBOX_URL,
    adminEmails: e.ADMIN_EMAILS,
    oauth: {
      ...(e.GITHUB_CLIENT_ID ? { github: { clientId: e.GITHUB_CLIENT_ID, clientSecret: e.GITHUB_CLIENT_SECRET! } } : {}),
      ...(e.GOOGLE_CLIENT_ID ? { google: { clientId: e.GOOGLE_CLIENT_ID, clientSecret: e.GOOGLE_CLIENT_SECRET! } } : {}),
    },
    funding: {
      minCents: e.FUNDING_MIN_CENTS,
      maxCents: e.FUNDING_MAX_CENTS,
      dailyMaxCents: e.FUNDING_DAILY_MAX_CENTS,
      thirtyDayMaxCents: e.FUNDING_30_DAY_MAX_CENTS,
      useCharges: e.STRIPE_USE_CHARGES,
    },
    plaidWebhookUrl: e.PLAID_WEBHOOK_URL ?? `${e.APP_URL}/api/webhooks/plaid`,
    plaidRedirectUri: e.PLAID_REDIRECT_URI ?? null,
    trustProxy: e.TRUST_PROXY,
    trustedProxyHops: e.TRUSTED_PROXY_HOPS,
    signUpsPerIp: e.SIGNUPS_PER_IP,
    fundingRequestsPerMinute: e.FUNDING_REQUESTS_PER_MINUTE,
    reconcileIntervalMs: e.RECONCILE_INTERVAL_MS,
    mail: {
      smtpUrl: e.SMTP_URL ?? (mode === "local" ? `smtp://${new URL(e.SANDBOX_URL).hostname}:${LOCAL_SANDBOX_SMTP_PORT}` : null),
      from: e.MAIL_FROM ?? LOCAL_MAIL_FROM,
      sendIntervalMs: e.MAIL_SEND_INTERVAL_MS,
    },
    shutdown: { timeoutMs: e.SHUTDOWN_TIMEOUT_MS, drainMs: e.SHUTDOWN_DRAIN_MS },
  };
}
