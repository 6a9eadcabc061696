import { paymentMethodView, customerSources } from "./bank-accounts.js";
import { invalidRequest } from "./errors.js";
import type { StripeRuntime } from "./state.js";

type Resolver = (rt: StripeRuntime, id: string) => object | undefined;

/** Expandable fields (by name) and how to load the object their id points to. */
const resolvers: Record<string, Resolver> = {
  customer: (rt, id) => rt.state.customers[id],
  latest_charge: (rt, id) => rt.state.charges[id]?.charge,
  charge: (rt, id) => rt.state.charges[id]?.charge,
  payment_intent: (rt, id) => rt.state.paymentIntents[id],
  setup_intent: (rt, id) => rt.state.setupIntents[id],
  payment_method: (rt, id) => paymentMethodView(rt, id),
  default_source: (rt, id) => rt.state.bankAccounts[id]?.bankAccount,
  mandate: (rt, id) => rt.state.mandates[id],
  single_use_mandate: (rt, id) => rt.state.mandates[id],
  balance_transaction: (rt, id) => rt.state.balanceTransactions[id],
  failure_balance_transaction: (rt, id) => rt.state.balanceTransactions[id],
  // A balance transaction's source: the charge, refund or dispute that moved the money.
  source: (rt, id) => rt.state.charges[id]?.charge ?? rt.state.refunds[id] ?? rt.state.disputes[id],
};

/** Stripe's limit on expansion depth. */
const MAX_DEPTH = 4;

function cannotExpand(path: string) {
  return invalidRequest(`This property cannot be expanded (${path}).`, { param: "expand" });
}

/**
 * Checks `expand[]` before the endpoint runs, so a bad path fails without
 * side-effects: each path must end in an expandable field.
 */
export function checkExpandPaths(paths: string[]): void {
  for (const path of paths) {
    const segments = path.split(".");
    if (segments.length > MAX_DEPTH) {
      throw invalidRequest(`You cannot expand more than ${MAX_DEPTH} levels of a property. Property: ${path}`, { param: "expand" });
    }
    const last = segments[segments.length - 1]!;
    if (last !== "sources" && !Object.hasOwn(resolvers, last)) throw cannotExpand(path);
  }
}

/**
 * Applies `expand[]` to a copy of an API object: each dotted path replaces
 * an id by its object; `data.` walks into lists; `sources` adds a
 * customer's sources list (not returned by default since 2020-08-27).
 */
export function expandObject(rt: StripeRuntime, value: object, paths: string[]): object {
  const copy = structuredClone(value) as Record<string, unknown>;
  for (const path of paths) expandPath(rt, copy, path.split("."), path);
  return copy;
}

function expandPath(rt: StripeRuntime, target: Record<string, unknown>, segments: string[], fullPath: string): void {
  const [field, ...rest] = segments as [string, ...string[]];

  if (target.object === "list" && field === "data" && Array.isArray(target.data)) {
    if (rest.length === 0) throw cannotExpand(fullPath);
    for (const item of target.data as Record<string, unknown>[]) expandPath(rt, item, rest, fullPath);
    return;
  }

  let value = target[field];
  if (field === "sources" && target.object === "customer" && typeof target.id === "string") {
    value = customerSources(rt, target.id);
    target.sources = value;
  } else if (Object.hasOwn(resolvers, field)) {
    if (typeof value === "string") {
      const resolved = resolvers[field]!(rt, value);
      if (resolved) {
        value = structuredClone(resolved);
        target[field] = value;
      }
    }
  } else if (rest.length === 0 || !value || typeof value !== "object") {
    // Only id fields can be expanded; plain nested hashes can only be walked through.
    throw cannotExpand(fullPath);
  }
  if (rest.length > 0 && value && typeof value === "object") expandPath(rt, value as Record<string, unknown>, rest, fullPath);
}
