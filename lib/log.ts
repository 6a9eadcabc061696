import "server-only";
import pino from "pino";
import { logLevelFrom } from "@/lib/config/schema";

/**
 * The app's one structured logger (pino): one JSON line per entry,
 * `{"level":"info","time":"…","message":"…",…fields}`; warn and error go to
 * stderr. The level is LOG_LEVEL, validated by lib/config.
 *
 * Callers pass ids and codes only: never tokens, payloads or SDK error
 * objects (Plaid's axios errors carry the request, and with it the access
 * token). Use `errorSummary(err)` for a thrown value.
 *
 * Lines go through process.stdout/stderr's `write` (not a raw file
 * descriptor), so whatever captures the process's output sees them.
 */
export const logger = pino(
  {
    level: logLevelFrom(process.env),
    base: undefined,
    messageKey: "message",
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  },
  pino.multistream(
    [
      { level: "debug", stream: process.stdout },
      { level: "warn", stream: process.stderr },
    ],
    { dedupe: true },
  ),
);

/** A safe description of any thrown value: its class and message, no stack, no attached request. */
export function errorSummary(err: unknown): { error: string; code?: string } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { error: `${err.name}: ${err.message}`, ...(typeof code === "string" ? { code } : {}) };
  }
  return { error: String(err) };
}
