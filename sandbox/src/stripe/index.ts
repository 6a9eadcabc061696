import type { SandboxContext, SandboxModule } from "../core/context.js";
import { bankAccountRoutes, createBridge } from "./bank-accounts.js";
import { chargeRoutes } from "./charges.js";
import { customerRoutes } from "./customers.js";
import { disputeRoutes } from "./disputes.js";
import { eventRoutes, webhookEndpointRoutes } from "./events.js";
import { inspectStripe } from "./inspect.js";
import { mandateRoutes } from "./mandates.js";
import { paymentIntentRoutes } from "./payment-intents.js";
import { balanceTransactionRoutes } from "./balance-transactions.js";
import { RefundSettlement, refundRoutes } from "./refunds.js";
import { StripeRouter } from "./router.js";
import { AchSettlement } from "./settlement.js";
import { setupIntentRoutes } from "./setup-intents.js";
import { StripeRuntime } from "./state.js";

/** Stripe API emulator: `/v1/*` for the official SDK, control actions for ACH settlement. */
export function createStripeModule(context: SandboxContext): SandboxModule {
  const rt = new StripeRuntime(context);
  const settlement = new AchSettlement(rt);
  const refunds = new RefundSettlement(rt);
  const router = new StripeRouter(rt, [
    ...customerRoutes(rt),
    ...bankAccountRoutes(rt),
    ...mandateRoutes(rt),
    ...setupIntentRoutes(rt),
    ...paymentIntentRoutes(rt, settlement),
    ...chargeRoutes(rt, settlement),
    ...refundRoutes(rt, refunds),
    ...balanceTransactionRoutes(rt),
    ...disputeRoutes(rt),
    ...eventRoutes(rt),
    ...webhookEndpointRoutes(rt),
  ]);
  context.stripe = createBridge(rt);
  settlement.resume();
  refunds.resume();
  const debitActions = settlement.controlActions();

  return {
    name: "stripe",
    route(_method, path) {
      return path.startsWith("/v1/") ? (req) => router.handle(req) : undefined;
    },
    control: {
      ...debitActions,
      ...refunds.controlActions(),
      /** Settles every pending debit (by its account) and every pending refund (succeeded). */
      settle_all: (body) => ({ ...(debitActions.settle_all!(body) as object), refunds: refunds.settleAll() }),
      /** Delays every POST by `ms` (0 turns it off), to exercise idempotency_key_in_use. */
      processing_delay: (body) => {
        const ms = Number(body.ms ?? 0);
        if (!Number.isFinite(ms) || ms < 0) throw new Error("ms must be a non-negative number");
        router.processingDelayMs = ms;
        return { processing_delay_ms: ms };
      },
    },
    inspect: () => inspectStripe(rt),
  };
}
