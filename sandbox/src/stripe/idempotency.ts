import type { SandboxResponse } from "../core/http.js";
import { invalidRequest, StripeApiError } from "./errors.js";
import type { FormObject } from "./form.js";
import type { StripeRuntime } from "./state.js";

/** A saved first result, replayed for later requests with the same key. */
export interface IdempotencyRecord {
  method: string;
  path: string;
  /** Canonical JSON of the parameters, to detect reuse with different ones. */
  fingerprint: string;
  createdAt: number;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Stripe keeps keys for at least 24 hours. */
const RETENTION_MS = 24 * 60 * 60 * 1000;
const MAX_KEY_LENGTH = 255;

export interface ExecutionResult {
  response: SandboxResponse;
  /** False when the request failed before any side-effect (validation): Stripe saves nothing then. */
  save: boolean;
}

/**
 * Stripe's Idempotency-Key semantics for POST requests: the first result
 * (status and body, errors included once the endpoint started executing) is
 * replayed with `Idempotent-Replayed: true`; the same key with other
 * parameters is an idempotency_error; a key whose first request is still
 * running gets 409 idempotency_key_in_use.
 */
export class IdempotencyLayer {
  /** Keys being processed right now (not persisted: a restart ends every request). */
  private readonly inFlight = new Set<string>();
  /**
   * The saved keys in creation order, for expiry: the oldest are at `head`.
   * Enumerating the records object instead (for…in) costs O(all keys) on
   * every call even when it stops at the first, which made each POST slower
   * as a long run saved tens of thousands of keys (docs/sandbox-benchmark.md).
   * Rebuilt when the state object is replaced (reset, load).
   */
  private order: string[] = [];
  private head = 0;
  private orderOf: Record<string, IdempotencyRecord> | null = null;

  constructor(private readonly rt: StripeRuntime) {}

  async run(
    key: string,
    method: string,
    path: string,
    params: FormObject,
    execute: () => Promise<ExecutionResult>,
  ): Promise<SandboxResponse> {
    if (key.length > MAX_KEY_LENGTH) {
      throw invalidRequest(`Idempotency-Key must be at most ${MAX_KEY_LENGTH} characters long.`, { param: "Idempotency-Key" });
    }
    const fingerprint = canonicalJson(params);
    const saved = this.lookup(key);
    if (saved) {
      if (saved.method !== method || saved.path !== path) {
        throw new StripeApiError(400, {
          type: "idempotency_error",
          message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${path}' vs '${saved.path}'). Try using a key other than '${key}' if you meant to execute a different request.`,
        });
      }
      if (saved.fingerprint !== fingerprint) {
        throw new StripeApiError(400, {
          type: "idempotency_error",
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        });
      }
      return { status: saved.status, headers: { ...saved.headers, "Idempotent-Replayed": "true" }, body: saved.body };
    }
    if (this.inFlight.has(key)) {
      throw new StripeApiError(409, {
        type: "invalid_request_error",
        code: "idempotency_key_in_use",
        message: "There is currently another in-progress request using this idempotency key. Please retry your request later.",
      });
    }
    this.inFlight.add(key);
    try {
      const { response, save } = await execute();
      if (save) {
        this.expiryOrder().push(key);
        this.rt.state.idempotency[key] = {
          method,
          path,
          fingerprint,
          createdAt: Date.now(),
          status: response.status,
          headers: response.headers ?? {},
          body: response.body.toString(),
        };
        this.rt.changed();
      }
      return response;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private lookup(key: string): IdempotencyRecord | undefined {
    const records = this.rt.state.idempotency;
    const cutoff = Date.now() - RETENTION_MS;
    // Expiry stops at the first live key: O(expired), not O(all keys).
    const order = this.expiryOrder();
    while (this.head < order.length) {
      const oldest = order[this.head]!;
      const record = records[oldest];
      if (record && record.createdAt >= cutoff) break;
      if (record) delete records[oldest];
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > order.length) {
      this.order = order.slice(this.head);
      this.head = 0;
    }
    const record = records[key];
    return record && record.createdAt >= cutoff ? record : undefined;
  }

  private expiryOrder(): string[] {
    const records = this.rt.state.idempotency;
    if (this.orderOf !== records) {
      // Oldest first (saved and loaded in that order already; the sort is for safety, once per state object).
      this.order = Object.keys(records).sort((a, b) => records[a]!.createdAt - records[b]!.createdAt);
      this.head = 0;
      this.orderOf = records;
    }
    return this.order;
  }
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
