import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Store } from "./core/store.js";
import { WebhookDispatcher } from "./core/webhooks.js";
import { FaultInjector } from "./core/faults.js";
import { json, type SandboxRequest, type SandboxResponse } from "./core/http.js";
import type { SandboxConfig, SandboxContext, SandboxModule } from "./core/context.js";
import { createControlModule } from "./control/index.js";
import { createStripeModule } from "./stripe/index.js";
import { createPlaidModule, plaidItemOfRequest } from "./plaid/index.js";
import { plaidNotFound } from "./plaid/http.js";
import { createLinkModule } from "./link/index.js";
import { createMailModule, MailInbox, startSmtpServer, type RunningSmtpServer } from "./mail/index.js";

/** Credentials the app uses by default in local mode (not secrets: the sandbox is local-only). */
export const DEFAULT_CREDENTIALS = {
  plaidClientId: "local-sandbox-client-id",
  plaidSecret: "local-sandbox-secret",
  stripeSecretKey: "sk_test_local_sandbox",
} as const;

export interface SandboxOptions {
  port?: number;
  host?: string;
  /** Folder for state.json; null keeps state in memory only (tests). */
  dataDir: string | null;
  /** Port of the SMTP inbox (same host); 0 picks a free port (the default), null runs none. */
  smtpPort?: number | null;
  config?: Partial<SandboxConfig>;
}

export interface RunningSandbox {
  url: string;
  port: number;
  /** The SMTP inbox's port, or null when it was not started. */
  smtpPort: number | null;
  /** The messages the SMTP inbox received. */
  mail: MailInbox;
  context: SandboxContext;
  faults: FaultInjector;
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const host = options.host ?? "127.0.0.1";
  const store = new Store(options.dataDir);
  const faults = new FaultInjector();
  const server: Server = createServer();
  // Outlive the clients' idle sockets (Node's agents drop them after 5 s), so
  // a client never reuses a socket the server is closing (ECONNRESET).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const mail = new MailInbox(store);
  let smtp: RunningSmtpServer | null = null;
  if (options.smtpPort !== null) {
    try {
      smtp = await startSmtpServer({ host, port: options.smtpPort ?? 0, inbox: mail });
    } catch (err) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throw err;
    }
  }
  const config: SandboxConfig = {
    publicUrl: `http://${host}:${port}`,
    plaidClientId: DEFAULT_CREDENTIALS.plaidClientId,
    plaidSecret: DEFAULT_CREDENTIALS.plaidSecret,
    stripeSecretKey: DEFAULT_CREDENTIALS.stripeSecretKey,
    achSettleDelayMs: null,
    webhookRetryDelaysMs: [1_000, 5_000, 25_000],
    stripeWebhookSecret: null,
    stripeWebhookUrl: null,
    ...options.config,
    smtpUrl: smtp ? `smtp://${host}:${smtp.port}` : null,
  };
  const webhooks = new WebhookDispatcher(store, config.webhookRetryDelaysMs);
  const context: SandboxContext = { config, store, webhooks };

  // Order matters: Stripe first (Plaid mints btok_ through context.stripe),
  // control last (it inspects the others).
  const apiModules: SandboxModule[] = [createStripeModule(context), createPlaidModule(context), createLinkModule(context)];
  const inspected: SandboxModule[] = [...apiModules, createMailModule(mail, () => config.smtpUrl)];
  const modules: SandboxModule[] = [...inspected, createControlModule(context, inspected, faults)];

  const ownHost = ownHostCheck(host, port);
  server.on("request", (req, res) => {
    // The inspection page and the control API answer only to the sandbox's own names (DNS rebinding).
    const path = (req.url ?? "/").split("?")[0]!;
    if ((path === "/" || path.startsWith("/__sandbox")) && !ownHost(req.headers.host)) {
      req.resume();
      send(res, json(403, { error: `sandbox: refused Host ${JSON.stringify(req.headers.host ?? "")}; use ${config.publicUrl}` }));
      return;
    }
    handle(req, res, modules, faults, context).catch((err: unknown) => {
      console.error("[sandbox] handler crashed", err);
      if (!res.headersSent) send(res, json(500, { error: "sandbox internal error" }));
      else res.destroy();
    });
  });

  return {
    url: config.publicUrl,
    port,
    smtpPort: smtp?.port ?? null,
    mail,
    context,
    faults,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await smtp?.close();
      store.flush();
    },
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  modules: SandboxModule[],
  faults: FaultInjector,
  context: SandboxContext,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://sandbox.local");
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const request: SandboxRequest = {
    method: req.method ?? "GET",
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    rawBody: Buffer.concat(chunks),
    remoteAddress: req.socket.remoteAddress ?? "",
  };

  if (!request.path.startsWith("/__sandbox")) {
    const fault = faults.decide(
      request.path,
      undefined,
      () => plaidItemOfRequest(context, request.rawBody),
      () => new URLSearchParams(request.rawBody.toString("utf8")).get("customer"),
    );
    if (fault.latencyMs > 0) await new Promise((r) => setTimeout(r, fault.latencyMs));
    if (fault.kind === "drop") {
      req.socket.destroy();
      return;
    }
    if (fault.kind === "error") {
      send(res, json(fault.status, fault.body));
      return;
    }
  }

  for (const module of modules) {
    const handler = module.route(request.method, request.path);
    if (!handler) continue;
    const response = await handler(request);
    if (response) {
      send(res, response);
      return;
    }
  }
  // Stripe answers every /v1 path itself; the sandbox's own pages and the Link
  // stand-in's files keep a plain 404; anything else is a Plaid API path.
  const ownPath =
    request.path === "/" || request.path.startsWith("/__sandbox") || (request.method !== "POST" && request.path.startsWith("/link/"));
  send(res, ownPath ? json(404, { error: `sandbox: no route for ${request.method} ${request.path}` }) : plaidNotFound());
}

/**
 * Listening on loopback, the sandbox is reached as 127.0.0.1, localhost, [::1]
 * or the name it was given, on its port; a page whose own name was rebound to
 * 127.0.0.1 sends its own name and is refused. Listening on another address
 * (a container), any Host is accepted.
 */
function ownHostCheck(host: string, port: number): (hostHeader: string | undefined) => boolean {
  const loopback = host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
  if (!loopback) return () => true;
  const names = new Set(["127.0.0.1", "localhost", "[::1]", host.includes(":") ? `[${host}]` : host]);
  return (hostHeader) => {
    if (!hostHeader) return false;
    try {
      const url = new URL(`http://${hostHeader}`);
      return names.has(url.hostname) && Number(url.port || 80) === port;
    } catch {
      return false;
    }
  };
}

function send(res: ServerResponse, response: SandboxResponse): void {
  res.writeHead(response.status, response.headers ?? {});
  res.end(response.body);
}
