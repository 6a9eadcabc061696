import Stripe from "stripe";
import { startSandbox, DEFAULT_CREDENTIALS, type RunningSandbox, type SandboxOptions } from "../src/server.js";
import { checkStripeEvent } from "./stripe-schema/checks.js";
import { takeViolations } from "./stripe-schema/violations.js";
import { sandboxStripe } from "./helpers/stripe-client.js";
import { useStarted } from "./helpers/use-started.js";

/** A running sandbox plus the official SDK pointed at it, as the app configures it. */
export interface StripeHarness {
  sandbox: RunningSandbox;
  stripe: Stripe;
  /** Another SDK client on the same sandbox (e.g. other key or no retries). */
  client(options?: { key?: string; maxNetworkRetries?: number }): Stripe;
  /** POST /__sandbox/stripe/<action> with a JSON body (the control API is not part of Stripe's). */
  control<T = Record<string, unknown>>(action: string, body?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

export async function startStripeHarness(options: Partial<SandboxOptions> = {}): Promise<StripeHarness> {
  const sandbox = await startSandbox({ dataDir: null, port: 0, ...options });
  const client = ({ key = DEFAULT_CREDENTIALS.stripeSecretKey, maxNetworkRetries = 2 } = {}) =>
    sandboxStripe(sandbox.port, { key, maxNetworkRetries });
  return {
    sandbox,
    stripe: client(),
    client,
    async control(action, body = {}) {
      const res = await fetch(`${sandbox.url}/__sandbox/stripe/${action}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as Record<string, unknown>;
      if (!res.ok) throw new Error(`control ${action} failed: ${JSON.stringify(json)}`);
      return json as never;
    },
    async close() {
      await sandbox.context.webhooks.idle();
      // Every event the emulator recorded, delivered or not, is checked against the SDK's types.
      const { events } = sandbox.context.store.get<{ events: Record<string, unknown> }>("stripe");
      for (const event of Object.values(events)) checkStripeEvent("recorded event", event);
      const violations = takeViolations();
      if (violations.length > 0)
        throw new Error(`Stripe events differ from the stripe SDK's types:\n${[...new Set(violations)].join("\n")}`);
      await sandbox.close();
    },
  };
}

/** One harness for the calling file (see useStarted). */
export function useStripeHarness(options: Partial<SandboxOptions> = {}): StripeHarness {
  return useStarted(() => startStripeHarness(options));
}

/** Awaits a Stripe SDK call expected to fail and returns its error. */
export async function rejection(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof Stripe.errors.StripeError) return err;
    throw err;
  }
  throw new Error("expected the request to fail");
}

export const ONLINE_ACCEPTANCE = {
  customer_acceptance: { type: "online", online: { ip_address: "203.0.113.7", user_agent: "Mozilla/5.0 (test)" } },
} as const satisfies Stripe.PaymentIntentCreateParams.MandateData;

/**
 * A customer with a verified bank account for `accountNumber`, created the
 * way Stripe allows for raw numbers: token → source → micro-deposit verification.
 */
export async function customerWithBankAccount(
  stripe: Stripe,
  accountNumber: string,
): Promise<{ customer: Stripe.Customer; bankAccount: Stripe.BankAccount }> {
  const token = await stripe.tokens.create({
    bank_account: {
      country: "US",
      currency: "usd",
      routing_number: "110000000",
      account_number: accountNumber,
      account_holder_name: "Jane Doe",
      account_holder_type: "individual",
    },
  });
  const customer = await stripe.customers.create({ email: "jane@example.com" });
  const source = await stripe.customers.createSource(customer.id, { source: token.id });
  const bankAccount = await stripe.customers.verifySource(customer.id, source.id, { amounts: [32, 45] });
  return { customer: (await stripe.customers.retrieve(customer.id)) as Stripe.Customer, bankAccount };
}

/** A confirmed ACH debit (first one on the account, so it carries mandate_data). */
export async function debit(
  stripe: Stripe,
  customer: string,
  paymentMethod: string,
  amount = 2500,
  withMandate = true,
): Promise<Stripe.PaymentIntent> {
  return stripe.paymentIntents.create({
    amount,
    currency: "usd",
    customer,
    payment_method: paymentMethod,
    allowed_payment_method_types: ["us_bank_account"],
    confirm: true,
    ...(withMandate ? { mandate_data: ONLINE_ACCEPTANCE } : {}),
  });
}
