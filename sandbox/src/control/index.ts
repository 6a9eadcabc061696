import { html, json, type Handler } from "../core/http.js";
import type { SandboxContext, SandboxModule } from "../core/context.js";
import type { FaultInjector, FaultRule } from "../core/faults.js";

/**
 * JSON control API (POST /__sandbox/<module>/<action>, GET /__sandbox/state)
 * and the inspection page at GET /.
 */
export function createControlModule(context: SandboxContext, modules: SandboxModule[], faults: FaultInjector): SandboxModule {
  const builtins: Record<string, (body: Record<string, unknown>) => unknown> = {
    reset: () => {
      context.store.reset();
      faults.clear();
      return { reset: true };
    },
    faults: (body) => {
      faults.set((body.rules ?? []) as FaultRule[]);
      return { rules: faults.list() };
    },
    "webhooks/idle": async () => {
      await context.webhooks.idle();
      return { idle: true };
    },
  };

  const state = (): Record<string, unknown> => ({
    ...Object.fromEntries(modules.map((m) => [m.name, m.inspect?.() ?? {}])),
    webhooks: context.webhooks.list(),
    faults: faults.list(),
  });

  const controlHandler = (action: string): Handler => async (req) => {
    let body: Record<string, unknown> = {};
    if (req.rawBody.length > 0) {
      try {
        body = JSON.parse(req.rawBody.toString("utf8")) as Record<string, unknown>;
      } catch {
        return json(400, { error: "control API: body must be JSON" });
      }
    }
    const builtin = builtins[action];
    const [moduleName, ...rest] = action.split("/");
    const moduleAction = modules.find((m) => m.name === moduleName)?.control?.[rest.join("/")];
    const run = builtin ?? moduleAction;
    if (!run) return json(404, { error: `control API: unknown action ${action}` });
    try {
      return json(200, await run(body));
    } catch (err) {
      return json(400, { error: err instanceof Error ? err.message : String(err) });
    }
  };

  return {
    name: "control",
    route(method, path) {
      if (method === "GET" && path === "/") return () => html(200, renderInspectionPage(state()));
      if (method === "GET" && path === "/__sandbox/state") return () => json(200, state());
      if (method === "POST" && path.startsWith("/__sandbox/")) return controlHandler(path.slice("/__sandbox/".length));
      return undefined;
    },
  };
}

function renderInspectionPage(state: Record<string, unknown>): string {
  // Placeholder page; the full inspection UI (tables and actions) belongs to the sandbox issue.
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Local sandbox</title></head>
<body><h1>Local sandbox</h1><pre>${escapeHtml(JSON.stringify(state, null, 2))}</pre></body></html>`;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
