/** Browser-side JSON calls to the app's API, with its `{ error: { message, code?, fields? } }` errors. */
import type { AppErrorCode, ErrorCode } from "@/lib/errors";

export interface ApiErrorBody {
  message: string;
  code?: ErrorCode;
  fields?: Record<string, string>;
}

export type ApiResult<T> =
  | { ok: true; status: number; data: T }
  /** status 0: the request never got an answer (offline, connection reset). */
  | { ok: false; status: number; error: ApiErrorBody };

const NETWORK_ERROR = "We couldn't reach Fundwell. Check your connection and try again.";

export async function api<T>(method: "GET" | "POST" | "DELETE", url: string, body?: unknown): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "same-origin",
    });
  } catch {
    return { ok: false, status: 0, error: { message: NETWORK_ERROR } };
  }
  const payload = res.status === 204 ? null : ((await res.json().catch(() => null)) as unknown);
  if (res.ok) return { ok: true, status: res.status, data: payload as T };
  const error = (payload as { error?: Partial<ApiErrorBody> } | null)?.error;
  return {
    ok: false,
    status: res.status,
    error: {
      message: typeof error?.message === "string" && error.message ? error.message : fallbackMessage(res.status),
      ...(typeof error?.code === "string" ? { code: error.code as ErrorCode } : {}),
      ...(error?.fields ? { fields: error.fields } : {}),
    },
  };
}

/** Whether the error carries one of the app's codes (typed, so a misspelt code does not compile). */
export function errorIs(error: ApiErrorBody, ...codes: AppErrorCode[]): boolean {
  return error.code !== undefined && (codes as string[]).includes(error.code);
}

function fallbackMessage(status: number): string {
  if (status === 401) return "Your session has ended. Please sign in again.";
  if (status === 403) return "You can't do that here.";
  if (status === 429) return "Too many attempts. Please wait a moment and try again.";
  if (status >= 500) return "Something went wrong on our side. Please try again.";
  return "Something went wrong. Please try again.";
}

/** Fire-and-forget report that survives navigation (Link's events and exits). */
export function beacon(url: string, body: unknown): void {
  try {
    void fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      keepalive: true,
      credentials: "same-origin",
    }).catch(() => {});
  } catch {
    // Reporting must never break the flow.
  }
}
