import "server-only";
import http from "node:http";
import { logger } from "@/lib/log";
import { stopAllPeriodicTasks } from "@/lib/periodic-task";

interface ShutdownState {
  draining: boolean;
  installed: boolean;
  /** The HTTP servers of this process (next start has one), seen through their connections and requests. */
  servers: Set<http.Server>;
  /** Responses not yet sent: told to close their connection when the drain starts. */
  inFlight: Set<http.ServerResponse>;
}

// Next bundles instrumentation and route code separately: share the state through globalThis.
const state = ((globalThis as unknown as { fundwellShutdown?: ShutdownState }).fundwellShutdown ??= {
  draining: false,
  installed: false,
  servers: new Set(),
  inFlight: new Set(),
});

/** True from SIGTERM on: readiness answers 503 (app/api/health/ready). */
export function isDraining(): boolean {
  return state.draining;
}

/**
 * Graceful shutdown of the Next server process on SIGTERM (and SIGINT),
 * installed once from instrumentation.ts. The launcher starts Next with
 * NEXT_MANUAL_SIG_HANDLE=1 so Next's own handler, which closes the server at
 * once, leaves the order to this one:
 * 1. readiness answers 503 and periodic tasks take no more work;
 * 2. for `drainMs` connections are still accepted (load balancers notice the
 *    503 or the endpoint removal and stop sending), every answer, including
 *    those of requests already in flight, closes its connection
 *    (`Connection: close`);
 * 3. the server stops listening and closes idle keep-alive connections, and
 *    each busy one as soon as its request is answered;
 * 4. once no connection is left and the task runs in hand have returned, the
 *    process exits 0. Whatever is left at `timeoutMs` is cut and it exits 1.
 */
export function installGracefulShutdown(options: { timeoutMs: number; drainMs: number }): void {
  if (state.installed) return;
  state.installed = true;
  const proto = http.Server.prototype as unknown as { emit: (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean };
  const emit = proto.emit;
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "connection") state.servers.add(this);
    else if (event === "request") trackRequest(this, args[1] as http.ServerResponse);
    return emit.call(this, event, ...args);
  };
  const onSignal = (signal: NodeJS.Signals) => void shutdown(signal, options);
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}

function trackRequest(server: http.Server, res: http.ServerResponse): void {
  state.servers.add(server);
  if (state.draining) {
    res.shouldKeepAlive = false;
    return;
  }
  state.inFlight.add(res);
  res.once("close", () => state.inFlight.delete(res));
}

async function shutdown(signal: NodeJS.Signals, { timeoutMs, drainMs }: { timeoutMs: number; drainMs: number }): Promise<void> {
  if (state.draining) return;
  state.draining = true;
  const started = Date.now();
  logger.info({ signal, drainMs, timeoutMs }, "shutdown: draining");
  // Not unref'd: it fires even if a task run hangs with nothing else keeping the process alive.
  setTimeout(() => {
    logger.error({ elapsedMs: Date.now() - started }, "shutdown: bound reached, closing the remaining connections");
    for (const server of state.servers) server.closeAllConnections();
    process.exit(1);
  }, timeoutMs);

  // Answers still to come close their connection (Connection: close when their head is not sent yet).
  for (const res of state.inFlight) res.shouldKeepAlive = false;
  const tasks = stopAllPeriodicTasks();
  await new Promise((resolve) => setTimeout(resolve, drainMs));
  await Promise.all([...state.servers].map(closeWhenIdle));
  await tasks;
  logger.info({ elapsedMs: Date.now() - started }, "shutdown: done");
  process.exit(0);
}

/** Stops listening and resolves once every connection has ended; busy ones are closed as their answer completes. */
function closeWhenIdle(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    // Node's close() closes the idle keep-alive connections once; the interval catches those that go idle later.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
  });
}
