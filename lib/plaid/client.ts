import "server-only";
import { Configuration, PlaidApi } from "plaid";
import { getConfig } from "@/lib/config";
import { timingEnabled } from "@/lib/observability/timing";
import { instrumentPlaid } from "@/lib/observability/clients";

let client: PlaidApi | undefined;

/** The official Plaid SDK, pointed at the local sandbox or at Plaid (lib/config decides). */
export function getPlaid(): PlaidApi {
  if (client) return client;
  const { plaid } = getConfig();
  client = new PlaidApi(
    new Configuration({
      basePath: plaid.basePath,
      baseOptions: {
        headers: { "PLAID-CLIENT-ID": plaid.clientId, "PLAID-SECRET": plaid.secret, "Plaid-Version": "2020-09-14" },
        timeout: 30_000,
      },
    }),
  );
  // BENCH_TIMING=1 only: time each API call per request (lib/observability).
  if (timingEnabled()) client = instrumentPlaid(client);
  return client;
}
