/**
 * The local Plaid/Stripe sandbox for `npm run bench`, in its own process and
 * in memory (`dataDir: null`): the launcher's sandbox persists state.json,
 * whose rewrites (tens of MB after thousands of debits) would steal CPU from
 * the app being measured. Prints `listening <url>` when ready; SIGTERM stops it.
 */
import { startSandbox } from "../sandbox/src/server";
import { LOCAL_SANDBOX_CREDENTIALS } from "../lib/config/schema";

const sandbox = await startSandbox({
  dataDir: null,
  host: "127.0.0.1",
  port: Number(process.env.BENCH_SANDBOX_PORT ?? 4410),
  smtpPort: null,
  config: {
    plaidClientId: LOCAL_SANDBOX_CREDENTIALS.plaidClientId,
    plaidSecret: LOCAL_SANDBOX_CREDENTIALS.plaidSecret,
    stripeSecretKey: LOCAL_SANDBOX_CREDENTIALS.stripeSecretKey,
    achSettleDelayMs: null,
    webhookRetryDelaysMs: [],
  },
});
console.log(`listening ${sandbox.url}`);
const stop = () => void sandbox.close().then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
