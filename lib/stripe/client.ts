import "server-only";
import Stripe from "stripe";
import { getConfig } from "@/lib/config";
import { timingEnabled } from "@/lib/observability/timing";
import { timedStripeHttpClient } from "@/lib/observability/clients";

let client: Stripe | undefined;

/** The official Stripe SDK, pointed at the local sandbox (host/port) or at Stripe. */
export function getStripe(): Stripe {
  if (client) return client;
  const { stripe } = getConfig();
  const base = stripe.apiBase ? new URL(stripe.apiBase) : null;
  client = new Stripe(stripe.secretKey, {
    telemetry: false,
    // The SDK retries network errors and 409/5xx with the same Idempotency-Key.
    maxNetworkRetries: 2,
    timeout: 30_000,
    // BENCH_TIMING=1 only: time each HTTP call per request (lib/observability).
    ...(timingEnabled() ? { httpClient: timedStripeHttpClient() } : {}),
    ...(base ? { host: base.hostname, port: Number(base.port || 80), protocol: base.protocol.replace(":", "") as "http" | "https" } : {}),
  });
  return client;
}
