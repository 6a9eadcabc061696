/**
 * Per-route fault injection for reliability tests. A rule matches requests
 * whose path starts with `route` (e.g. "/accounts/balance/get" or
 * "/v1/payment_intents"); each matching request may be delayed, dropped
 * (socket destroyed with no response) or answered with an injected error.
 */
export interface FaultRule {
  route: string;
  /** Probability in [0,1] that the fault applies to a matching request. Default 1. */
  rate?: number;
  /** Added latency in ms (applied whenever the rule matches, before the fault). */
  latencyMs?: number;
  /** Destroy the connection without answering. */
  drop?: boolean;
  /** Answer with this status and body instead of calling the handler. */
  error?: { status: number; body: unknown };
  /** Remaining number of requests this rule applies to; unlimited when absent. */
  times?: number;
}

export type FaultDecision =
  | { kind: "none"; latencyMs: number }
  | { kind: "drop"; latencyMs: number }
  | { kind: "error"; latencyMs: number; status: number; body: unknown };

export class FaultInjector {
  private rules: FaultRule[] = [];

  set(rules: FaultRule[]): void {
    this.rules = rules.map((r) => ({ ...r }));
  }

  list(): FaultRule[] {
    return this.rules;
  }

  clear(): void {
    this.rules = [];
  }

  decide(path: string, random: () => number = Math.random): FaultDecision {
    for (const rule of this.rules) {
      if (!path.startsWith(rule.route)) continue;
      if (rule.times !== undefined && rule.times <= 0) continue;
      const latencyMs = rule.latencyMs ?? 0;
      if (random() >= (rule.rate ?? 1)) return { kind: "none", latencyMs };
      if (rule.times !== undefined) rule.times -= 1;
      if (rule.drop) return { kind: "drop", latencyMs };
      if (rule.error) return { kind: "error", latencyMs, status: rule.error.status, body: rule.error.body };
      return { kind: "none", latencyMs };
    }
    return { kind: "none", latencyMs: 0 };
  }
}
