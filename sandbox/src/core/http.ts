import type { IncomingHttpHeaders } from "node:http";

/** A parsed incoming request, independent of node:http so handlers stay testable. */
export interface SandboxRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** Remote address, for the inspection page and faults. */
  remoteAddress: string;
}

export interface SandboxResponse {
  status: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

export type Handler = (req: SandboxRequest) => Promise<SandboxResponse | undefined> | SandboxResponse | undefined;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): SandboxResponse {
  return {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    body: JSON.stringify(body, null, 2),
  };
}

export function html(status: number, body: string): SandboxResponse {
  return { status, headers: { "content-type": "text/html; charset=utf-8" }, body };
}

export function header(req: SandboxRequest, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
