import { header, html, json, type Handler, type SandboxRequest, type SandboxResponse } from "../core/http.js";
import type { SandboxContext, SandboxModule } from "../core/context.js";
import type { FaultInjector } from "../core/faults.js";
import { renderInspectionPage } from "./page.js";
import { runUiAction } from "./ui.js";

export type ControlAction = (body: Record<string, unknown>) => Promise<unknown> | unknown;

/** Thrown for an action name no module knows (404 rather than 400). */
export class UnknownActionError extends Error {}

/**
 * JSON control API and the inspection page (documented in sandbox/README.md):
 *
 * - `GET /` inspection page; `POST /__sandbox/ui/<action>` its HTML forms (ui.ts)
 * - `GET /__sandbox/state` JSON summary of every module, webhooks, faults and counts
 * - `GET /__sandbox/faults` the active fault rules
 * - `POST /__sandbox/reset` | `faults` | `faults/add` | `faults/clear` | `webhooks/idle`
 * - `POST /__sandbox/<module>/<action>` the modules' `control` actions (plaid/…, stripe/…)
 *
 * POST bodies are JSON objects (empty body = `{}`) sent with `Content-Type:
 * application/json`; the answer is the action's JSON result (200), `{ error }`
 * with 400 (invalid input) or 404 (unknown action).
 *
 * Only clients of this machine may drive it, not web pages they visit: a
 * control POST must carry `Content-Type: application/json` (415 otherwise),
 * which no page can send to another origin without a CORS preflight the
 * sandbox never grants, and is refused (403) when the browser marks it as
 * coming from another origin (`Origin` other than the sandbox's own, or
 * `null`; `Sec-Fetch-Site` other than `same-origin` or `none`). Node's fetch,
 * curl and the SDKs send neither header. server.ts also refuses every page
 * and control request whose Host is not one of the sandbox's own names
 * (DNS rebinding).
 */
export function createControlModule(context: SandboxContext, modules: SandboxModule[], faults: FaultInjector): SandboxModule {
  const builtins: Record<string, ControlAction> = {
    reset: () => {
      context.store.reset();
      faults.clear();
      for (const module of modules) module.reset?.();
      return { reset: true };
    },
    faults: (body) => {
      if (!Array.isArray(body.rules)) throw new Error("rules must be an array of fault rules");
      if (body.seed !== undefined && body.seed !== null && (typeof body.seed !== "number" || !Number.isFinite(body.seed))) {
        throw new Error("seed must be a number (or null for Math.random)");
      }
      faults.set(body.rules);
      if (body.seed !== undefined) faults.seed(body.seed as number | null);
      return { rules: faults.list() };
    },
    "faults/add": (body) => {
      if (!Array.isArray(body.rules)) throw new Error("rules must be an array of fault rules");
      faults.add(body.rules);
      return { rules: faults.list() };
    },
    "faults/clear": () => {
      faults.clear();
      return { rules: faults.list() };
    },
    "webhooks/idle": async () => {
      await context.webhooks.idle();
      return { idle: true };
    },
  };

  const run = async (action: string, body: Record<string, unknown>): Promise<unknown> => {
    const builtin = builtins[action];
    const [moduleName, ...rest] = action.split("/");
    const moduleAction = modules.find((m) => m.name === moduleName)?.control?.[rest.join("/")];
    const fn = builtin ?? moduleAction;
    if (!fn) throw new UnknownActionError(`control API: unknown action ${action}`);
    return fn(body);
  };

  const state = (): Record<string, unknown> => ({
    ...Object.fromEntries(modules.map((m) => [m.name, m.inspect?.() ?? {}])),
    webhooks: context.webhooks.list(),
    faults: faults.list(),
    counts: counts(context),
  });

  const controlHandler =
    (action: string): Handler =>
    async (req) => {
      if (crossSite(req, { nullOrigin: "refuse" }))
        return json(403, {
          error:
            "control API: cross-site request refused (only the sandbox's own page, or a client that sends no Origin such as Node's fetch or curl, may call it)",
        });
      if (!isJsonContentType(header(req, "content-type")))
        return json(415, { error: "control API: send Content-Type: application/json (a JSON object, or an empty body)" });
      let body: Record<string, unknown> = {};
      if (req.rawBody.length > 0) {
        try {
          body = JSON.parse(req.rawBody.toString("utf8")) as Record<string, unknown>;
        } catch {
          return json(400, { error: "control API: body must be JSON" });
        }
        if (typeof body !== "object" || body === null || Array.isArray(body))
          return json(400, { error: "control API: body must be a JSON object" });
      }
      try {
        return json(200, (await run(action, body)) ?? {});
      } catch (err) {
        if (err instanceof UnknownActionError) return json(404, { error: err.message });
        return json(400, { error: err instanceof Error ? err.message : String(err) });
      }
    };

  const page = (req: SandboxRequest): SandboxResponse => {
    const message = req.query.get("flash");
    const level = req.query.get("level") === "error" ? "error" : "ok";
    const response = html(200, renderInspectionPage({ context, faults: faults.list(), flash: message ? { message, level } : null }));
    // No script, no network: what an email's HTML (in a sandboxed srcdoc iframe, which inherits this) could try is refused.
    const csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
    return { ...response, headers: { ...response.headers, "cache-control": "no-store", "content-security-policy": csp } };
  };

  return {
    name: "control",
    route(method, path) {
      if (method === "GET" && path === "/") return page;
      if (method === "GET" && path === "/__sandbox/state") return () => json(200, state());
      if (method === "GET" && path === "/__sandbox/faults") return () => json(200, { rules: faults.list() });
      if (method === "POST" && path.startsWith("/__sandbox/ui/")) {
        return (req) => {
          if (crossSite(req, { nullOrigin: "allow" }))
            return json(403, { error: "inspection page actions only accept forms from the sandbox's own page" });
          return runUiAction(path.slice("/__sandbox/ui/".length), req, run);
        };
      }
      if (method === "POST" && path.startsWith("/__sandbox/")) return controlHandler(path.slice("/__sandbox/".length));
      return undefined;
    },
  };
}

/**
 * A request a browser sent on behalf of another origin's page (the sandbox is
 * local, but a browser on this machine visiting a page could still post).
 * Clients that are not browsers send neither header and pass. `Origin: null`
 * (sandboxed frames, some form posts) is the page's own for its forms, never
 * for the JSON API.
 */
function crossSite(req: SandboxRequest, options: { nullOrigin: "allow" | "refuse" }): boolean {
  const fetchSite = header(req, "sec-fetch-site");
  if (fetchSite !== undefined && fetchSite !== "same-origin" && fetchSite !== "none") return true;
  const origin = header(req, "origin");
  if (origin === undefined) return false;
  if (origin === "null") return options.nullOrigin === "refuse";
  try {
    return new URL(origin).host !== header(req, "host");
  } catch {
    return true;
  }
}

/** `application/json`, with any parameters (charset), in any case. */
function isJsonContentType(value: string | undefined): boolean {
  return value !== undefined && value.split(";")[0]!.trim().toLowerCase() === "application/json";
}

/** Object counts for GET /__sandbox/state (tests and dashboards). */
function counts(context: SandboxContext): Record<string, number> {
  const data = context.store.snapshot() as {
    plaid?: {
      items: Record<string, { accounts: unknown[] }>;
      link_tokens: object;
      public_tokens: object;
      access_tokens: object;
      processor_tokens: object;
    };
    stripe?: Record<string, object>;
    mail?: { messages: object };
  };
  const size = (o: object | undefined) => (o ? Object.keys(o).length : 0);
  let accounts = 0;
  for (const item of Object.values(data.plaid?.items ?? {})) accounts += item.accounts.length;
  return {
    plaid_items: size(data.plaid?.items),
    plaid_accounts: accounts,
    plaid_link_tokens: size(data.plaid?.link_tokens),
    plaid_public_tokens: size(data.plaid?.public_tokens),
    plaid_access_tokens: size(data.plaid?.access_tokens),
    plaid_processor_tokens: size(data.plaid?.processor_tokens),
    stripe_customers: size(data.stripe?.customers),
    stripe_bank_accounts: size(data.stripe?.bankAccounts),
    stripe_payment_intents: size(data.stripe?.paymentIntents),
    stripe_charges: size(data.stripe?.charges),
    stripe_events: size(data.stripe?.events),
    webhook_deliveries: context.webhooks.list().length,
    mail_messages: size(data.mail?.messages),
  };
}
