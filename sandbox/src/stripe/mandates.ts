import type Stripe from "stripe";
import { invalidRequest, parameterMissing } from "./errors.js";
import { emitEvent } from "./events.js";
import { requireMandate } from "./lookup.js";
import type { Params } from "./params.js";
import { retrieveRoute } from "./resource-routes.js";
import type { Route } from "./router.js";
import { newId, unixNow, type StoredBankAccount, type StripeRuntime } from "./state.js";

/** The customer's acceptance from `mandate_data[customer_acceptance]`. */
export type CustomerAcceptance = Stripe.Mandate.CustomerAcceptance;

/**
 * Reads `mandate_data`: `customer_acceptance[type]` is online (with
 * `online[ip_address]` and `online[user_agent]`) or offline.
 */
export function readMandateData(params: Params): CustomerAcceptance | undefined {
  const mandateData = params.object("mandate_data");
  if (!mandateData) return undefined;
  const acceptance = mandateData.object("customer_acceptance");
  if (!acceptance) throw parameterMissing("mandate_data[customer_acceptance]");
  const type = acceptance.enumeration("type", ["online", "offline"] as const);
  if (!type) throw parameterMissing("mandate_data[customer_acceptance][type]");
  const acceptedAt = acceptance.integer("accepted_at") ?? unixNow();
  const online = acceptance.object("online");
  const offline = acceptance.object("offline");
  if (type === "offline") {
    if (online)
      throw invalidRequest("You cannot pass `online` with an offline acceptance.", { param: "mandate_data[customer_acceptance][online]" });
    offline?.finish();
    return { type, accepted_at: acceptedAt, offline: {} };
  }
  if (!online) throw parameterMissing("mandate_data[customer_acceptance][online]");
  const ip = online.requiredString("ip_address");
  const userAgent = online.requiredString("user_agent");
  return { type, accepted_at: acceptedAt, online: { ip_address: ip, user_agent: userAgent } };
}

/** The bank account's mandate if it can still be debited under it. */
export function activeMandate(rt: StripeRuntime, bankAccount: StoredBankAccount): Stripe.Mandate | undefined {
  const mandate = bankAccount.mandate ? rt.state.mandates[bankAccount.mandate] : undefined;
  return mandate?.status === "active" ? mandate : undefined;
}

/** A multi-use ACH mandate; it becomes the one later debits of this bank account reuse. */
export function createMandate(rt: StripeRuntime, bankAccount: StoredBankAccount, acceptance: CustomerAcceptance): Stripe.Mandate {
  const mandate: Stripe.Mandate = {
    id: newId("mandate"),
    object: "mandate",
    customer_acceptance: acceptance,
    livemode: false,
    multi_use: {},
    payment_method: bankAccount.bankAccount.id,
    payment_method_details: { type: "us_bank_account", us_bank_account: {} },
    status: "active",
    type: "multi_use",
  };
  rt.state.mandates[mandate.id] = mandate;
  bankAccount.mandate = mandate.id;
  rt.changed();
  return mandate;
}

/** Revokes a mandate (dispute, detached bank account) and announces it. */
export function deactivateMandate(rt: StripeRuntime, id: string): void {
  const mandate = rt.state.mandates[id];
  if (!mandate || mandate.status === "inactive") return;
  mandate.status = "inactive";
  rt.changed();
  emitEvent(rt, "mandate.updated", mandate, { status: "active" });
}

export function mandateRoutes(rt: StripeRuntime): Route[] {
  return [retrieveRoute("/v1/mandates/:id", (path) => requireMandate(rt, path.id!, "mandate"))];
}
