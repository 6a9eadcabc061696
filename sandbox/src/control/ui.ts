/**
 * The inspection page's forms: POST /__sandbox/ui/<action> with an
 * application/x-www-form-urlencoded body runs the matching control action and
 * answers 303 back to the page with a flash message (?flash=...&level=ok|error).
 * Only the actions below are reachable this way.
 */
import type { SandboxRequest, SandboxResponse } from "../core/http.js";

type Run = (action: string, body: Record<string, unknown>) => Promise<unknown>;

interface UiAction {
  /** Section of the page to come back to. */
  anchor: string;
  body(form: URLSearchParams): { action: string; body: Record<string, unknown> };
  message(result: Record<string, unknown>, form: URLSearchParams): string;
}

const str = (form: URLSearchParams, name: string): string | undefined => {
  const value = form.get(name);
  return value === null || value === "" ? undefined : value;
};

function paymentTarget(form: URLSearchParams): Record<string, unknown> {
  const pi = str(form, "payment_intent");
  const charge = str(form, "charge");
  return pi ? { payment_intent: pi } : charge ? { charge } : {};
}

function paymentMessage(verb: string) {
  return (result: Record<string, unknown>): string => {
    const charge = result.charge as { id: string; status: string; failure_code?: string | null } | undefined;
    const pi = result.payment_intent as { id: string; status: string } | null | undefined;
    const failure = charge?.failure_code ? ` (${charge.failure_code})` : "";
    return pi
      ? `${verb} ${pi.id}: PaymentIntent ${pi.status}, charge ${charge?.status ?? "?"}${failure}`
      : `${verb} ${charge?.id ?? "?"}: ${charge?.status ?? "?"}${failure}`;
  };
}

const UI_ACTIONS: Record<string, UiAction> = {
  "stripe/settle": {
    anchor: "payments",
    body: (f) => ({ action: "stripe/settle", body: paymentTarget(f) }),
    message: paymentMessage("Settled"),
  },
  "stripe/succeed": {
    anchor: "payments",
    body: (f) => ({ action: "stripe/succeed", body: paymentTarget(f) }),
    message: paymentMessage("Succeeded"),
  },
  "stripe/fail": {
    anchor: "payments",
    body: (f) => ({ action: "stripe/fail", body: { ...paymentTarget(f), code: str(f, "code") ?? "insufficient_funds" } }),
    message: paymentMessage("Failed"),
  },
  "stripe/settle_all": {
    anchor: "payments",
    body: () => ({ action: "stripe/settle_all", body: {} }),
    message: (r) => `Settled ${(r.charges as unknown[] | undefined)?.length ?? 0} pending payment(s)`,
  },
  "plaid/fire_webhook": {
    anchor: "webhooks",
    body: (f) => {
      const [type, code] = (str(f, "webhook") ?? "").split(":");
      return {
        action: "plaid/fire_webhook",
        body: { item_id: str(f, "item_id"), webhook_type: type || undefined, webhook_code: code || undefined },
      };
    },
    message: (r) => `Sent ${String(r.type)} to ${String(r.url)} (delivery ${String(r.delivery_id)})`,
  },
  "plaid/reset_login": {
    anchor: "items",
    body: (f) => ({ action: "plaid/reset_login", body: { item_id: str(f, "item_id") } }),
    message: (r) => `Item ${String(r.item_id)} is now ${String(r.error_code)}`,
  },
  "mail/clear": {
    anchor: "mail",
    body: () => ({ action: "mail/clear", body: {} }),
    message: (r) => `Deleted ${String(r.cleared)} message(s)`,
  },
  "faults/clear": { anchor: "faults", body: () => ({ action: "faults/clear", body: {} }), message: () => "Fault rules cleared" },
  reset: { anchor: "", body: () => ({ action: "reset", body: {} }), message: () => "Everything was reset" },
};

function back(message: string, level: "ok" | "error", anchor: string): SandboxResponse {
  const query = new URLSearchParams({ flash: message, level });
  return {
    status: 303,
    headers: { location: `/?${query.toString()}${anchor ? `#${anchor}` : ""}`, "content-type": "text/plain; charset=utf-8" },
    body: message,
  };
}

export async function runUiAction(name: string, req: SandboxRequest, run: Run): Promise<SandboxResponse> {
  const action = UI_ACTIONS[name];
  if (!action) return back(`Unknown action ${name}`, "error", "");
  const form = new URLSearchParams(req.rawBody.toString("utf8"));
  const { action: control, body } = action.body(form);
  try {
    const result = ((await run(control, body)) ?? {}) as Record<string, unknown>;
    return back(action.message(result, form), "ok", action.anchor);
  } catch (err) {
    return back(`${name} failed: ${err instanceof Error ? err.message : String(err)}`, "error", action.anchor);
  }
}
