import type Stripe from "stripe";
import { ACH_FAILURE_MESSAGES, ACH_RETURNS, isAchFailureCode, outcomeForAccount, type AchFailureCode, type AchOutcome } from "./ach.js";
import { makeAvailable, recordPaymentFailure } from "./balance-transactions.js";
import { paymentMethodView } from "./bank-accounts.js";
import { blockAfterReturn } from "./blocked-accounts.js";
import { emitEvent } from "./events.js";
import { openDispute } from "./disputes.js";
import type { StoredCharge, StripeRuntime } from "./state.js";

/**
 * Moves pending ACH charges (and their PaymentIntents) to their final
 * state: by itself after `config.achSettleDelayMs`, or on command through
 * the control actions. Due times are stored, so timers survive a restart.
 */
export class AchSettlement {
  constructor(private readonly rt: StripeRuntime) {}

  /** Arms the automatic settlement of a new pending charge (no-op when settling only on command). */
  schedule(stored: StoredCharge): void {
    const delay = this.rt.context.config.achSettleDelayMs;
    if (delay === null) return;
    stored.settleAt = Date.now() + delay;
    this.rt.changed();
    this.arm(stored.charge.id, stored.settleAt);
  }

  /** Re-arms timers of charges still pending from a previous run. */
  resume(): void {
    for (const stored of Object.values(this.rt.state.charges)) {
      if (stored.charge.status === "pending" && stored.settleAt !== null) this.arm(stored.charge.id, stored.settleAt);
    }
  }

  private arm(chargeId: string, at: number): void {
    const timer = setTimeout(
      () => {
        const stored = this.rt.state.charges[chargeId];
        // Gone after a reset, or already settled on command.
        if (stored?.charge.status === "pending") this.settle(stored);
      },
      Math.max(0, at - Date.now()),
    );
    // A pending payment must not keep the process (or a test run) alive.
    timer.unref();
  }

  /** Applies the outcome of the account's test number, or a forced one. */
  settle(stored: StoredCharge, outcome: AchOutcome = outcomeForAccount(stored.accountNumber)): void {
    if (stored.charge.status !== "pending") throw new Error(`charge ${stored.charge.id} is ${stored.charge.status}, not pending`);
    switch (outcome.kind) {
      case "stay_processing":
        return;
      case "succeed":
        this.succeed(stored);
        return;
      case "fail":
        // Stripe names the ACH return code; the code's usual one unless another was forced.
        this.fail(stored, outcome.code, outcome.returnCode ?? ACH_RETURNS[outcome.code].returnCode);
        return;
      case "dispute":
        this.succeed(stored);
        openDispute(this.rt, stored);
        return;
    }
  }

  private succeed(stored: StoredCharge): void {
    const { charge } = stored;
    charge.status = "succeeded";
    charge.paid = true;
    makeAvailable(this.rt, charge.balance_transaction as string | null);
    charge.outcome = {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: "approved_by_network",
      reason: null,
      seller_message: "Payment complete.",
      type: "authorized",
    };
    stored.settleAt = null;
    this.rt.changed();
    emitEvent(this.rt, "charge.succeeded", charge);
    const intent = this.intentOf(charge);
    if (intent) {
      intent.status = "succeeded";
      intent.amount_received = intent.amount;
      this.rt.changed();
      emitEvent(this.rt, "payment_intent.succeeded", intent, { status: "processing", amount_received: 0 });
    }
  }

  private fail(stored: StoredCharge, code: AchFailureCode, returnCode: string | null): void {
    const { charge } = stored;
    const message = ACH_FAILURE_MESSAGES[code];
    charge.status = "failed";
    charge.failure_code = code;
    charge.failure_message = message;
    charge.failure_balance_transaction = recordPaymentFailure(this.rt, charge).id;
    const declineCode = ACH_RETURNS[code].declineCode;
    charge.outcome = {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: returnCode,
      network_status: "declined_by_network",
      reason: declineCode,
      seller_message: message,
      type: "issuer_declined",
    };
    stored.settleAt = null;
    this.rt.changed();
    emitEvent(this.rt, "charge.failed", charge);
    const bankAccount = typeof charge.payment_method === "string" ? this.rt.state.bankAccounts[charge.payment_method] : undefined;
    if (bankAccount) blockAfterReturn(this.rt, bankAccount, code, returnCode);
    const intent = this.intentOf(charge);
    if (intent) {
      const paymentMethod = typeof intent.payment_method === "string" ? paymentMethodView(this.rt, intent.payment_method) : undefined;
      // Stripe reports a failed attempt on the intent and detaches the payment method from it.
      intent.last_payment_error = {
        type: "card_error",
        code,
        decline_code: declineCode,
        message,
        charge: charge.id,
        ...(returnCode ? { network_decline_code: returnCode } : {}),
        payment_method_type: "us_bank_account",
        ...(paymentMethod ? { payment_method: paymentMethod } : {}),
      };
      intent.status = "requires_payment_method";
      intent.payment_method = null;
      this.rt.changed();
      emitEvent(this.rt, "payment_intent.payment_failed", intent, { status: "processing" });
    }
  }

  private intentOf(charge: Stripe.Charge): Stripe.PaymentIntent | undefined {
    return typeof charge.payment_intent === "string" ? this.rt.state.paymentIntents[charge.payment_intent] : undefined;
  }

  /**
   * Control actions (POST /__sandbox/stripe/<action>, JSON body naming a
   * `payment_intent` or a `charge`). Each returns the updated objects.
   */
  controlActions(): Record<string, (body: Record<string, unknown>) => unknown> {
    return {
      settle: (body) => this.act(body, (stored) => this.settle(stored)),
      succeed: (body) => this.act(body, (stored) => this.settle(stored, { kind: "succeed" })),
      fail: (body) => {
        const code = body.code ?? "insufficient_funds";
        if (!isAchFailureCode(code)) throw new Error(`code must be one of ${Object.keys(ACH_FAILURE_MESSAGES).join(", ")}`);
        // The ACH return code, reported as the charge's outcome.network_decline_code (and the intent's last_payment_error's).
        const returnCode = body.return_code;
        if (returnCode !== undefined && (typeof returnCode !== "string" || !/^R[0-9]{2}$/.test(returnCode)))
          throw new Error("return_code must be an ACH return code such as R02");
        return this.act(body, (stored) => this.settle(stored, { kind: "fail", code, ...(returnCode ? { returnCode } : {}) }));
      },
      dispute: (body) => this.act(body, (stored) => openDispute(this.rt, stored)),
      settle_all: () => {
        const pending = Object.values(this.rt.state.charges).filter((s) => s.charge.status === "pending");
        for (const stored of pending) this.settle(stored);
        return { charges: pending.map((s) => ({ id: s.charge.id, payment_intent: s.charge.payment_intent, status: s.charge.status })) };
      },
    };
  }

  private act(
    body: Record<string, unknown>,
    action: (stored: StoredCharge) => unknown,
  ): { charge: Stripe.Charge; payment_intent: Stripe.PaymentIntent | null } {
    const stored = this.chargeFromBody(body);
    action(stored);
    return { charge: stored.charge, payment_intent: this.intentOf(stored.charge) ?? null };
  }

  private chargeFromBody(body: Record<string, unknown>): StoredCharge {
    if (typeof body.payment_intent === "string") {
      const intent = this.rt.state.paymentIntents[body.payment_intent];
      if (!intent) throw new Error(`no such payment_intent ${body.payment_intent}`);
      if (typeof intent.latest_charge !== "string") throw new Error(`payment_intent ${intent.id} has no charge (status ${intent.status})`);
      return this.rt.state.charges[intent.latest_charge]!;
    }
    if (typeof body.charge === "string") {
      const stored = this.rt.state.charges[body.charge];
      if (!stored) throw new Error(`no such charge ${body.charge}`);
      return stored;
    }
    throw new Error("pass payment_intent or charge");
  }
}
