import type { Store } from "./store.js";
import type { WebhookDispatcher } from "./webhooks.js";
import type { Handler } from "./http.js";

export interface SandboxConfig {
  /** Plaid credentials the emulator accepts (headers PLAID-CLIENT-ID/PLAID-SECRET or body client_id/secret). */
  plaidClientId: string;
  plaidSecret: string;
  /** The only Stripe secret key the emulator accepts (Bearer or basic auth). */
  stripeSecretKey: string;
  /** Base URL the sandbox is reachable at (for links in the inspection page and Link script). */
  publicUrl: string;
  /** Delay before an ACH payment settles by itself; null = only on command. */
  achSettleDelayMs: number | null;
  /** Webhook retry schedule in ms after the first attempt. */
  webhookRetryDelaysMs: number[];
  /** Stripe webhook endpoint secret used when an endpoint is configured from the environment. */
  stripeWebhookSecret: string | null;
  /** Stripe webhook URL configured from the environment (besides endpoints created through the API). */
  stripeWebhookUrl: string | null;
  /** Where the SMTP inbox listens, `smtp://host:port` (set at start-up; null when it is off). */
  smtpUrl: string | null;
}

/**
 * What Plaid needs from the Stripe emulator: Plaid's
 * /processor/stripe/bank_account_token/create mints a btok_ inside Stripe.
 */
export interface StripeBridge {
  createBankAccountToken(input: {
    accountNumber: string;
    routingNumber: string;
    accountHolderName: string;
    accountHolderType: "individual" | "company";
    accountType: "checking" | "savings";
    bankName: string;
  }): { id: string };
}

export interface SandboxContext {
  config: SandboxConfig;
  store: Store;
  webhooks: WebhookDispatcher;
  /** Filled in by the Stripe module at start-up. */
  stripe?: StripeBridge;
}

/**
 * A module mounts API routes and control actions. `route` returns a handler
 * for the request, or undefined when the path is not its own.
 */
export interface SandboxModule {
  name: string;
  route(method: string, path: string): Handler | undefined;
  /** Control API actions, mounted at POST /__sandbox/<module>/<action>. Body is JSON. */
  control?: Record<string, (body: Record<string, unknown>) => Promise<unknown> | unknown>;
  /** Summary for the inspection page and GET /__sandbox/state. */
  inspect?(): Record<string, unknown>;
  /** In-memory state outside the store to drop on POST /__sandbox/reset. */
  reset?(): void;
}
