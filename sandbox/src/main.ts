/**
 * `npm run sandbox`: runs the local Plaid + Link + Stripe emulator on its own.
 * SANDBOX_PORT (default 4010), SANDBOX_HOST (default 127.0.0.1),
 * SANDBOX_DATA_DIR (default .data/sandbox).
 */
import path from "node:path";
import { startSandbox } from "./server.js";

const port = Number(process.env.SANDBOX_PORT ?? 4010);
const host = process.env.SANDBOX_HOST ?? "127.0.0.1";
const dataDir = path.resolve(process.env.SANDBOX_DATA_DIR ?? ".data/sandbox");
const settle = process.env.SANDBOX_ACH_SETTLE_MS;

const sandbox = await startSandbox({
  port,
  host,
  dataDir,
  config: {
    achSettleDelayMs: settle === undefined || settle === "" ? null : Number(settle),
    stripeWebhookSecret: process.env.SANDBOX_STRIPE_WEBHOOK_SECRET ?? null,
    stripeWebhookUrl: process.env.SANDBOX_STRIPE_WEBHOOK_URL ?? null,
  },
});
console.log(`[sandbox] Plaid, Link and Stripe emulator on ${sandbox.url} (state in ${dataDir})`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void sandbox.close().then(() => process.exit(0));
  });
}
