/**
 * Per-route fault injection for reliability tests (control API:
 * POST /__sandbox/faults). A rule matches requests whose path starts with
 * `route` (e.g. "/accounts/balance/get" or "/v1/payment_intents"). The first matching rule that still has `times` left
 * and wins its `rate` draw applies: it adds `latencyMs`, then drops the
 * connection, answers with an injected error, or lets the request through.
 *
 * Injected errors default to the provider's real error shape, chosen by the
 * request path: `/v1/...` gets a Stripe `{ error: { type, message, code? } }`
 * object, everything else a PlaidError (`error_type`, `error_code`,
 * `error_message`, ..., `request_id`). So `{ route, status: 500 }` is a
 * PlaidError INTERNAL_SERVER_ERROR or a Stripe api_error, and
 * `{ route: "/accounts/get", code: "ITEM_LOGIN_REQUIRED" }` is Plaid's 400.
 *
 * `itemId` narrows a rule to the Plaid requests about one item (by the
 * body's access_token), and `customer` to the Stripe requests that name
 * one customer (the form body's `customer`), so a test can fault its own
 * item or customer while other tests share the sandbox.
 */
import { plaidError, ERROR_CATALOG } from "../plaid/errors.js";
import { alphanumeric, plaidRequestId } from "./ids.js";

export interface FaultRule {
  /** Path prefix, e.g. "/accounts/get", "/v1/payment_intents", "/" (everything but /__sandbox). */
  route: string;
  /** Probability in [0,1] that the rule applies to a matching request. Default 1. */
  rate?: number;
  /** Added latency in ms when the rule applies (before the error/drop, or before the real handler). */
  latencyMs?: number;
  /** Destroy the connection without answering. */
  drop?: boolean;
  /** Answer with this HTTP status instead of calling the handler. */
  status?: number;
  /** Error code for the default body: a Plaid `error_code` (its catalogued status is used when `status` is absent) or a Stripe `code`. */
  code?: string;
  /** Replaces the default error message. */
  message?: string;
  /** Exact response body (JSON) instead of the provider's error shape. */
  body?: unknown;
  /** Older form of status + body: `{ status, body? }`. */
  error?: { status: number; body?: unknown };
  /** How many more times the rule may apply; unlimited when absent. */
  times?: number;
  /** Only Plaid requests about this item_id (by the body's access_token). */
  itemId?: string;
  /** Only Stripe requests whose form body names this customer (cus_…), e.g. creating a PaymentIntent. */
  customer?: string;
}

/** A rule as listed by the control API, with how often it matched and applied. */
export interface ActiveFaultRule extends FaultRule {
  matched: number;
  applied: number;
}

export type FaultDecision =
  | { kind: "none"; latencyMs: number }
  | { kind: "drop"; latencyMs: number }
  | { kind: "error"; latencyMs: number; status: number; body: unknown };

const MAX_LATENCY_MS = 60_000;

/** Deterministic PRNG (mulberry32) for reproducible `rate` draws. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Validates one rule from the control API; throws a message naming the problem. */
export function parseFaultRule(input: unknown, index = 0): FaultRule {
  const where = `rules[${index}]`;
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new Error(`${where} must be an object`);
  const r = input as Record<string, unknown>;
  const known = new Set([
    "route",
    "rate",
    "latencyMs",
    "drop",
    "status",
    "code",
    "message",
    "body",
    "error",
    "times",
    "itemId",
    "customer",
  ]);
  for (const key of Object.keys(r)) if (!known.has(key)) throw new Error(`${where}.${key} is not a rule field (${[...known].join(", ")})`);
  if (typeof r.route !== "string" || !r.route.startsWith("/")) throw new Error(`${where}.route must be a path prefix starting with /`);
  if (r.route.startsWith("/__sandbox")) throw new Error(`${where}.route: the control API cannot be faulted`);
  const rule: FaultRule = { route: r.route };
  if (r.rate !== undefined) {
    if (typeof r.rate !== "number" || !(r.rate >= 0 && r.rate <= 1)) throw new Error(`${where}.rate must be a number in [0, 1]`);
    rule.rate = r.rate;
  }
  if (r.latencyMs !== undefined) {
    if (typeof r.latencyMs !== "number" || !(r.latencyMs >= 0 && r.latencyMs <= MAX_LATENCY_MS))
      throw new Error(`${where}.latencyMs must be a number in [0, ${MAX_LATENCY_MS}]`);
    rule.latencyMs = r.latencyMs;
  }
  if (r.drop !== undefined) {
    if (typeof r.drop !== "boolean") throw new Error(`${where}.drop must be a boolean`);
    rule.drop = r.drop;
  }
  const status = r.status ?? (r.error as { status?: unknown } | undefined)?.status;
  if (r.error !== undefined && (typeof r.error !== "object" || r.error === null))
    throw new Error(`${where}.error must be { status, body? }`);
  if (status !== undefined) {
    if (typeof status !== "number" || !Number.isInteger(status) || status < 400 || status > 599)
      throw new Error(`${where}.status must be an HTTP error status (400-599)`);
    rule.status = status;
  }
  if (r.code !== undefined) {
    if (typeof r.code !== "string" || r.code === "") throw new Error(`${where}.code must be a non-empty string`);
    rule.code = r.code;
  }
  if (r.message !== undefined) {
    if (typeof r.message !== "string") throw new Error(`${where}.message must be a string`);
    rule.message = r.message;
  }
  const body = r.body !== undefined ? r.body : (r.error as { body?: unknown } | undefined)?.body;
  if (body !== undefined) rule.body = body;
  if (r.times !== undefined) {
    if (typeof r.times !== "number" || !Number.isInteger(r.times) || r.times < 0)
      throw new Error(`${where}.times must be a non-negative integer`);
    rule.times = r.times;
  }
  if (r.itemId !== undefined) {
    if (typeof r.itemId !== "string" || r.itemId === "") throw new Error(`${where}.itemId must be a non-empty Plaid item_id`);
    if (rule.route.startsWith("/v1")) throw new Error(`${where}.itemId only applies to Plaid routes`);
    rule.itemId = r.itemId;
  }
  if (r.customer !== undefined) {
    if (typeof r.customer !== "string" || !r.customer.startsWith("cus_"))
      throw new Error(`${where}.customer must be a Stripe customer id (cus_…)`);
    if (!rule.route.startsWith("/v1")) throw new Error(`${where}.customer only applies to Stripe routes`);
    rule.customer = r.customer;
  }
  if (rule.drop && (rule.status !== undefined || rule.body !== undefined || rule.code !== undefined))
    throw new Error(`${where}: drop and an error response are exclusive`);
  if (rule.body !== undefined && rule.status === undefined && rule.code === undefined) throw new Error(`${where}.body needs a status`);
  return rule;
}

const STRIPE_ERRORS: Record<number, { type: string; code?: string; message: string }> = {
  400: { type: "invalid_request_error", message: "Invalid request (injected by the sandbox)." },
  401: { type: "authentication_error", message: "Invalid API Key provided (injected by the sandbox)." },
  402: { type: "card_error", code: "card_declined", message: "Your card was declined (injected by the sandbox)." },
  403: { type: "invalid_request_error", message: "The provided key does not have the required permissions (injected by the sandbox)." },
  404: { type: "invalid_request_error", code: "resource_missing", message: "No such object (injected by the sandbox)." },
  // What Stripe answers while another request holds the idempotency key (as the sandbox's own idempotency layer does).
  409: {
    type: "invalid_request_error",
    code: "idempotency_key_in_use",
    message: "There is currently another in-progress request using this idempotency key (injected by the sandbox).",
  },
  429: {
    type: "invalid_request_error",
    code: "rate_limit",
    message: "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.",
  },
};

/** Stripe's error object for an injected status (5xx: api_error). */
export function stripeFaultBody(status: number, code?: string, message?: string): { error: Record<string, unknown> } {
  const base =
    STRIPE_ERRORS[status] ??
    (status >= 500 ? { type: "api_error", message: "An unknown error occurred (injected by the sandbox)." } : STRIPE_ERRORS[400]!);
  const error: Record<string, unknown> = { type: base.type, message: message ?? base.message };
  const finalCode = code ?? base.code;
  if (finalCode) error.code = finalCode;
  error.request_log_url = `https://dashboard.stripe.com/test/logs/req_${alphanumeric(14)}`;
  return { error };
}

/** Plaid's error object for an injected status or code. */
export function plaidFaultBody(status: number, code?: string, message?: string): Record<string, unknown> {
  let body: Record<string, unknown>;
  if (code !== undefined) {
    body = { ...plaidError(code, message) };
  } else if (status === 429) {
    body = {
      error_type: "RATE_LIMIT_EXCEEDED",
      error_code: "RATE_LIMIT",
      error_code_reason: null,
      error_message: message ?? "rate limit exceeded for attempts to access this item. please try again later",
      display_message: null,
      causes: [],
      documentation_url: "https://plaid.com/docs/errors/rate-limit-exceeded/#rate_limit",
      suggested_action: null,
    };
  } else if (status >= 500) {
    body = { ...plaidError("INTERNAL_SERVER_ERROR", message) };
  } else {
    body = { ...plaidError(status === 404 ? "NOT_FOUND" : "INVALID_FIELD", message) };
  }
  return { ...body, status, request_id: plaidRequestId() };
}

/** HTTP status of a rule's injected error, or undefined when the rule injects none. */
function ruleStatus(rule: FaultRule, path: string): number | undefined {
  if (rule.status !== undefined) return rule.status;
  if (rule.code === undefined) return undefined;
  if (path.startsWith("/v1/")) return 400;
  return ERROR_CATALOG[rule.code]?.status ?? 400;
}

export class FaultInjector {
  private rules: ActiveFaultRule[] = [];
  /** Draws for `rate`; replace it (or use `seed`) for deterministic tests. */
  random: () => number;

  constructor(random: () => number = Math.random) {
    this.random = random;
  }

  /** Replaces every rule (validated; throws on a bad one). */
  set(rules: unknown[]): void {
    const parsed = rules.map((rule, i) => parseFaultRule(rule, i));
    this.rules = parsed.map((r) => ({ ...r, matched: 0, applied: 0 }));
  }

  /** Appends rules after the current ones (validated; throws on a bad one, adding none). */
  add(rules: unknown[]): void {
    const parsed = rules.map((rule, i) => parseFaultRule(rule, i));
    this.rules = [...this.rules, ...parsed.map((r) => ({ ...r, matched: 0, applied: 0 }))];
  }

  /** Makes `rate` draws reproducible (null: back to Math.random). */
  seed(seed: number | null): void {
    this.random = seed === null ? Math.random : seededRandom(seed);
  }

  list(): ActiveFaultRule[] {
    return this.rules;
  }

  clear(): void {
    this.rules = [];
    this.random = Math.random;
  }

  /** `itemOf` names the Plaid item a request is about (null: none); asked only by rules with `itemId`. */
  decide(
    path: string,
    random: () => number = this.random,
    itemOf: () => string | null = () => null,
    customerOf: () => string | null = () => null,
  ): FaultDecision {
    // The inspection page is never faulted (the server already skips /__sandbox).
    if (path === "/") return { kind: "none", latencyMs: 0 };
    let item: string | null | undefined;
    let customer: string | null | undefined;
    for (const rule of this.rules) {
      if (!path.startsWith(rule.route)) continue;
      if (rule.times !== undefined && rule.times <= 0) continue;
      if (rule.itemId !== undefined && rule.itemId !== (item === undefined ? (item = itemOf()) : item)) continue;
      if (rule.customer !== undefined && rule.customer !== (customer === undefined ? (customer = customerOf()) : customer)) continue;
      rule.matched += 1;
      if (random() >= (rule.rate ?? 1)) continue;
      if (rule.times !== undefined) rule.times -= 1;
      rule.applied += 1;
      const latencyMs = rule.latencyMs ?? 0;
      if (rule.drop) return { kind: "drop", latencyMs };
      const status = ruleStatus(rule, path);
      if (status === undefined) return { kind: "none", latencyMs };
      const body =
        rule.body !== undefined
          ? rule.body
          : path.startsWith("/v1/")
            ? stripeFaultBody(status, rule.code, rule.message)
            : plaidFaultBody(status, rule.code, rule.message);
      return { kind: "error", latencyMs, status, body };
    }
    return { kind: "none", latencyMs: 0 };
  }
}
