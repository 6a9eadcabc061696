import Stripe from "stripe";
import { DEFAULT_CREDENTIALS } from "../../src/server.js";

/** The official Stripe SDK pointed at a sandbox on loopback, without its own retries unless asked for. */
export function sandboxStripe(port: number, options: { maxNetworkRetries?: number } = {}): Stripe {
  return new Stripe(DEFAULT_CREDENTIALS.stripeSecretKey, {
    host: "127.0.0.1",
    port,
    protocol: "http",
    telemetry: false,
    maxNetworkRetries: options.maxNetworkRetries ?? 0,
  });
}
