import type { Store } from "./store.js";
import { alphanumeric } from "./ids.js";

export interface DeliveryAttempt {
  at: string;
  status: number | null;
  error: string | null;
  durationMs: number;
}

export interface WebhookDelivery {
  id: string;
  source: "plaid" | "stripe";
  url: string;
  /** e.g. "ITEM:ERROR" or "payment_intent.succeeded" */
  type: string;
  body: string;
  headers: Record<string, string>;
  createdAt: string;
  attempts: DeliveryAttempt[];
  state: "pending" | "delivered" | "failed";
}

interface WebhookState {
  deliveries: WebhookDelivery[];
}

/**
 * Sends webhooks with retries and records every attempt. Headers are computed
 * by `sign` at each attempt so signatures carry a fresh timestamp, as Plaid
 * and Stripe do on retries.
 */
export class WebhookDispatcher {
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly retryDelaysMs: number[],
  ) {
    store.namespace<WebhookState>("webhooks", () => ({ deliveries: [] }));
  }

  private get state(): WebhookState {
    return this.store.get<WebhookState>("webhooks");
  }

  list(): WebhookDelivery[] {
    return this.state.deliveries;
  }

  send(input: {
    source: "plaid" | "stripe";
    url: string;
    type: string;
    body: string;
    sign: (body: string) => Record<string, string>;
    /** Called once, when the delivery first succeeds. */
    onDelivered?: () => void;
  }): WebhookDelivery {
    const delivery: WebhookDelivery = {
      id: `whd_${alphanumeric(20)}`,
      source: input.source,
      url: input.url,
      type: input.type,
      body: input.body,
      headers: {},
      createdAt: new Date().toISOString(),
      attempts: [],
      state: "pending",
    };
    this.state.deliveries.push(delivery);
    this.store.changed();
    const run = this.deliver(delivery, input.sign, 0)
      .then(() => {
        if (delivery.state === "delivered") input.onDelivered?.();
      })
      .finally(() => this.inflight.delete(run));
    this.inflight.add(run);
    return delivery;
  }

  /** Resends a recorded delivery now (control API). */
  redeliver(id: string, sign: (body: string) => Record<string, string>): WebhookDelivery | undefined {
    const delivery = this.state.deliveries.find((d) => d.id === id);
    if (!delivery) return undefined;
    const run = this.deliver(delivery, sign, this.retryDelaysMs.length).finally(() => this.inflight.delete(run));
    this.inflight.add(run);
    return delivery;
  }

  /** Resolves when every delivery under way has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private async deliver(delivery: WebhookDelivery, sign: (body: string) => Record<string, string>, attempt: number): Promise<void> {
    const headers = { "content-type": "application/json", ...sign(delivery.body) };
    delivery.headers = headers;
    const started = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(delivery.url, {
        method: "POST",
        headers,
        body: delivery.body,
        signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      await res.arrayBuffer();
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    delivery.attempts.push({
      at: new Date().toISOString(),
      status,
      error,
      durationMs: Math.round(performance.now() - started),
    });
    const ok = status !== null && status >= 200 && status < 300;
    delivery.state = ok ? "delivered" : attempt < this.retryDelaysMs.length ? "pending" : "failed";
    this.store.changed();
    if (!ok && attempt < this.retryDelaysMs.length) {
      await new Promise((resolve) => setTimeout(resolve, this.retryDelaysMs[attempt]));
      await this.deliver(delivery, sign, attempt + 1);
    }
  }
}
