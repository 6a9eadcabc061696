import type { BrowserContext } from "@playwright/test";
import { CookieJar, request } from "../../bench/http";

/**
 * HTTP for the API-level specs (access matrix, fuzzing, concurrent funding):
 * node:http with keep-alive and a cookie jar seeded from a signed-in browser
 * context. Playwright's APIRequestContext answers the same questions but
 * routes every request through its protocol layer in the test worker, which
 * cost more CPU than the app server itself on 2 cores (docs/e2e.md).
 * Redirects are not followed: specs assert them.
 */
export class HttpSession {
  private readonly jar = new CookieJar();

  private constructor(private readonly baseURL: string) {}

  /** The app's origin, for the Origin header state-changing requests need. */
  get origin(): string {
    return new URL(this.baseURL).origin;
  }

  static anonymous(baseURL: string): HttpSession {
    return new HttpSession(baseURL);
  }

  /** The cookies (session) of a browser context that signed in. */
  static async of(context: BrowserContext, baseURL: string): Promise<HttpSession> {
    const session = new HttpSession(baseURL);
    for (const cookie of await context.cookies(baseURL)) session.jar.set(cookie.name, cookie.value);
    return session;
  }

  /** `data`: a string is sent as is, anything else as JSON. */
  async fetch(url: string, options: { method?: string; data?: unknown; headers?: Record<string, string> } = {}): Promise<HttpResponse> {
    const { method = "GET", data } = options;
    const body = data === undefined ? undefined : typeof data === "string" ? data : JSON.stringify(data);
    const headers: Record<string, string> = {
      ...(body !== undefined && typeof data !== "string" ? { "content-type": "application/json" } : {}),
      ...options.headers,
    };
    // Explicit: node:http sends no length for a body on OPTIONS or DELETE, which the server would read as a second request.
    if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
    const cookie = this.jar.header();
    if (cookie) headers.cookie = cookie;
    const res = await request(new URL(url, this.baseURL).toString(), { method, headers, body });
    this.jar.store(res.headers);
    return new HttpResponse(res.status, res.headers, res.body);
  }
}

/** The parts of Playwright's APIResponse the specs use. */
export class HttpResponse {
  constructor(
    private readonly code: number,
    private readonly rawHeaders: Record<string, string | string[] | undefined>,
    private readonly body: string,
  ) {}
  status(): number {
    return this.code;
  }
  headers(): Record<string, string> {
    return Object.fromEntries(
      Object.entries(this.rawHeaders).flatMap(([k, v]) => (v === undefined ? [] : [[k, Array.isArray(v) ? v.join("\n") : v]])),
    );
  }
  async text(): Promise<string> {
    return this.body;
  }
  async json(): Promise<unknown> {
    return JSON.parse(this.body);
  }
}
