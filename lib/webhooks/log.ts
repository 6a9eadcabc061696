/**
 * One-line JSON logs for webhooks and background jobs. Callers pass ids and
 * codes only: never tokens, payloads or SDK error objects (Plaid's axios
 * errors carry the request, and with it the access token).
 */
type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

function threshold(): number {
  const configured = process.env.LOG_LEVEL as Level | undefined;
  return ORDER[configured && configured in ORDER ? configured : "info"];
}

export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  if (ORDER[level] < threshold()) return;
  const line = JSON.stringify({ time: new Date().toISOString(), level, message, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

/** A safe description of any thrown value: its class and message, no stack, no attached request. */
export function errorSummary(err: unknown): { error: string; code?: string } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { error: `${err.name}: ${err.message}`, ...(typeof code === "string" ? { code } : {}) };
  }
  return { error: String(err) };
}
