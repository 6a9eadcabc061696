import type { TestProject } from "vitest/node";
import { startSandbox } from "../../sandbox/src/server";
import { LOCAL_SANDBOX_CREDENTIALS } from "@/lib/config/schema";

/**
 * Vitest global setup for integration tests: one local sandbox (Plaid, Link,
 * Stripe) per run, in memory, that the app's own clients reach through the
 * official SDKs exactly as in local mode, and its SMTP inbox on a free port.
 * Webhooks are not pushed: tests deliver them to the route handlers themselves.
 */
declare module "vitest" {
  export interface ProvidedContext {
    sandboxUrl: string;
    /** The sandbox's SMTP inbox (its messages at sandboxUrl/__sandbox/mail). */
    sandboxSmtpPort: number;
    stripeWebhookSecret: string;
  }
}

export const TEST_STRIPE_WEBHOOK_SECRET = "whsec_integration_tests_only";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const sandbox = await startSandbox({
    dataDir: null,
    port: 0,
    smtpPort: 0,
    config: {
      plaidClientId: LOCAL_SANDBOX_CREDENTIALS.plaidClientId,
      plaidSecret: LOCAL_SANDBOX_CREDENTIALS.plaidSecret,
      stripeSecretKey: LOCAL_SANDBOX_CREDENTIALS.stripeSecretKey,
      webhookRetryDelaysMs: [],
    },
  });
  project.provide("sandboxUrl", sandbox.url);
  project.provide("sandboxSmtpPort", sandbox.smtpPort!);
  project.provide("stripeWebhookSecret", TEST_STRIPE_WEBHOOK_SECRET);
  return () => sandbox.close();
}
