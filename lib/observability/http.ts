/**
 * BENCH_TIMING=1 only (called from instrumentation.ts): gives every HTTP
 * request the Next server handles its own timing store (./timing.ts) and
 * answers with a `Server-Timing` header (total, app, db, plaid, stripe, as of
 * when the headers are written). With BENCH_TIMING_LOG=1 it also prints one
 * line per finished request, `[bench-timing] {json}`, with the figures at the
 * end of the response (pages stream, so the header can be early) and the
 * request's `x-bench-id` header, which is how `npm run bench` reads them.
 */
import "server-only";
import http from "node:http";
import { newTiming, runWithTiming, serverTimingValue, timingEnabled, type RequestTiming } from "./timing";

const INSTALLED = Symbol.for("fundwell.httpTiming");

export function installHttpTiming(): void {
  if (!timingEnabled()) return;
  const proto = http.Server.prototype as unknown as Record<symbol, boolean> & {
    emit: (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  };
  if (proto[INSTALLED]) return;
  proto[INSTALLED] = true;
  const log = process.env.BENCH_TIMING_LOG === "1";
  const emit = proto.emit;
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== "request") return emit.call(this, event, ...args);
    const req = args[0] as http.IncomingMessage;
    const res = args[1] as http.ServerResponse;
    const timing = newTiming();
    instrumentResponse(req, res, timing, log);
    return runWithTiming(timing, () => emit.call(this, event, ...args));
  };
}

function instrumentResponse(req: http.IncomingMessage, res: http.ServerResponse, timing: RequestTiming, log: boolean): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: http.ServerResponse, ...args: unknown[]) {
    if (!this.headersSent) {
      const value = serverTimingValue(timing);
      const headers = args.find((a, i) => i > 0 && a !== null && typeof a === "object");
      if (Array.isArray(headers)) headers.push("Server-Timing", value);
      else if (headers) (headers as Record<string, string>)["Server-Timing"] = value;
      else this.setHeader("Server-Timing", value);
    }
    return (writeHead as (...a: unknown[]) => http.ServerResponse).apply(this, args);
  } as typeof res.writeHead;
  if (!log) return;
  res.once("finish", () => {
    const total = performance.now() - timing.start;
    const line = {
      id: req.headers["x-bench-id"] ?? null,
      method: req.method,
      path: req.url?.split("?")[0],
      status: res.statusCode,
      total: round(total),
      app: round(total - timing.plaid.ms - timing.stripe.ms),
      db: { count: timing.db.count, ms: round(timing.db.ms) },
      plaid: { count: timing.plaid.count, ms: round(timing.plaid.ms) },
      stripe: { count: timing.stripe.count, ms: round(timing.stripe.ms) },
    };
    process.stdout.write(`[bench-timing] ${JSON.stringify(line)}\n`);
  });
}

const round = (v: number) => Math.round(v * 1000) / 1000;
