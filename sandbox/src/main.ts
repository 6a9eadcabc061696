/**
 * `npm run sandbox`: runs the local Plaid + Link + Stripe emulator on its own
 * (see sandbox/README.md). SANDBOX_PORT (default 4010), SANDBOX_SMTP_PORT
 * (default 4025, the SMTP inbox), SANDBOX_HOST (default
 * 127.0.0.1), SANDBOX_DATA_DIR (default .data/sandbox), SANDBOX_ACH_SETTLE_MS,
 * SANDBOX_STRIPE_WEBHOOK_URL and SANDBOX_STRIPE_WEBHOOK_SECRET.
 */
import path from "node:path";
import { DEFAULT_CREDENTIALS, startSandbox, type RunningSandbox } from "./server.js";

function fail(message: string): never {
  console.error(`[sandbox] ${message}`);
  process.exit(1);
}

function optionalNumber(name: string): number | null {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return null;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) fail(`${name} must be a non-negative number, got "${raw}"`);
  return value;
}

const port = optionalNumber("SANDBOX_PORT") ?? 4010;
const smtpPort = optionalNumber("SANDBOX_SMTP_PORT") ?? 4025;
const host = process.env.SANDBOX_HOST ?? "127.0.0.1";
const dataDir = path.resolve(process.env.SANDBOX_DATA_DIR ?? ".data/sandbox");
const achSettleDelayMs = optionalNumber("SANDBOX_ACH_SETTLE_MS");
const stripeWebhookUrl = process.env.SANDBOX_STRIPE_WEBHOOK_URL || null;
const stripeWebhookSecret = process.env.SANDBOX_STRIPE_WEBHOOK_SECRET || null;
if ((stripeWebhookUrl === null) !== (stripeWebhookSecret === null)) {
  fail("set SANDBOX_STRIPE_WEBHOOK_URL and SANDBOX_STRIPE_WEBHOOK_SECRET together");
}

let sandbox: RunningSandbox;
try {
  sandbox = await startSandbox({ port, smtpPort, host, dataDir, config: { achSettleDelayMs, stripeWebhookSecret, stripeWebhookUrl } });
} catch (err) {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") {
    const inUse = (err as { port?: number }).port;
    fail(
      inUse === smtpPort
        ? `${host}:${smtpPort} (SMTP) is already in use (another sandbox?); set SANDBOX_SMTP_PORT`
        : `${host}:${port} is already in use (another sandbox or app?); set SANDBOX_PORT`,
    );
  }
  throw err;
}

console.log(`[sandbox] Plaid, Link and Stripe emulator on ${sandbox.url} (state in ${path.join(dataDir, "state.json")})`);
console.log(`[sandbox] inspection page: ${sandbox.url}/   control API: ${sandbox.url}/__sandbox/state`);
console.log(`[sandbox] SMTP inbox on ${sandbox.context.config.smtpUrl} (messages on the page and at ${sandbox.url}/__sandbox/mail)`);
console.log(
  `[sandbox] Plaid client id ${DEFAULT_CREDENTIALS.plaidClientId}, secret ${DEFAULT_CREDENTIALS.plaidSecret}; Stripe key ${DEFAULT_CREDENTIALS.stripeSecretKey}`,
);
console.log(`[sandbox] ACH debits settle ${achSettleDelayMs === null ? "only on command" : `after ${achSettleDelayMs} ms`}`);

let closing = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (closing) process.exit(1); // second Ctrl-C: give up waiting
    closing = true;
    void sandbox.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error("[sandbox] error while closing", err);
        process.exit(1);
      },
    );
  });
}
