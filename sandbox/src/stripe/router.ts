import { header, json, type SandboxRequest, type SandboxResponse } from "../core/http.js";
import { StripeApiError, invalidRequest, type StripeErrorBody } from "./errors.js";
import { checkExpandPaths, expandObject } from "./expand.js";
import { decodeForm, type FormObject } from "./form.js";
import { IdempotencyLayer } from "./idempotency.js";
import { Params } from "./params.js";
import { API_VERSION, requestId, type StripeRuntime } from "./state.js";

export interface ApiCall {
  params: Params;
  /** Values of the `:name` segments of the route pattern. */
  path: Record<string, string>;
}

/** Returns the API object to answer with (expanded by the router), or throws StripeApiError. Must not await. */
export type ApiHandler = (call: ApiCall) => object;

export interface Route {
  method: "GET" | "POST" | "DELETE";
  /** e.g. "/v1/customers/:customer/sources/:id" */
  pattern: string;
  /**
   * The top-level parameters the endpoint takes (besides `expand`), for
   * endpoints that can refuse a request before reading them all (a missing
   * required one): any other name is refused first, as Stripe does. Nested
   * names, and endpoints without the list, are checked as the handler reads
   * them (`Params.finish`).
   */
  accepts?: readonly string[];
  handler: ApiHandler;
}

/**
 * Stripe's HTTP protocol around the handlers: authentication, form
 * decoding, `expand[]`, error objects, Request-Id and Idempotency-Key.
 */
export class StripeRouter {
  private readonly idempotency: IdempotencyLayer;
  /**
   * Simulated processing time of POST requests (control action
   * `processing_delay`), so a retry racing the first request sees 409.
   */
  processingDelayMs = 0;

  constructor(
    private readonly rt: StripeRuntime,
    private readonly routes: Route[],
  ) {
    this.idempotency = new IdempotencyLayer(rt);
  }

  async handle(req: SandboxRequest): Promise<SandboxResponse> {
    const reqId = requestId();
    const requestedVersion = header(req, "stripe-version");
    // A valid Stripe-Version is echoed (the answer keeps the pinned version's shape; see README); an invalid one is refused below.
    const version = requestedVersion !== undefined && isValidApiVersion(requestedVersion) ? requestedVersion : API_VERSION;
    const baseHeaders = { "Request-Id": reqId, "Stripe-Version": version };
    const respond = (status: number, body: unknown, extra: Record<string, string> = {}): SandboxResponse =>
      json(status, body, { ...baseHeaders, ...extra });
    const fail = (err: StripeApiError): SandboxResponse =>
      respond(err.status, { error: { ...err.body, request_log_url: this.requestLogUrl(reqId) } satisfies StripeErrorBody });
    const crashed = (err: unknown): SandboxResponse => {
      console.error("[sandbox] stripe handler crashed", err);
      return respond(500, {
        error: {
          type: "api_error",
          message: "An unknown error occurred in the Stripe sandbox.",
          request_log_url: this.requestLogUrl(reqId),
        },
      });
    };

    try {
      this.authenticate(req);
      if (requestedVersion !== undefined && version !== requestedVersion) {
        throw invalidRequest(`Invalid Stripe API version: ${requestedVersion}`);
      }
      const match = this.match(req.method, req.path);
      if (!match) {
        throw invalidRequest(
          `Unrecognized request URL (${req.method}: ${req.path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
          {
            status: 404,
          },
        );
      }
      const form = this.decode(req);
      const idempotencyKey = req.method === "POST" ? header(req, "idempotency-key") : undefined;

      const execute = async (): Promise<{ response: SandboxResponse; save: boolean }> => {
        if (req.method === "POST" && this.processingDelayMs > 0) await new Promise((r) => setTimeout(r, this.processingDelayMs));
        // From here on, synchronous: the whole request is atomic.
        const revision = this.rt.revision;
        this.rt.currentRequest = { id: reqId, idempotency_key: idempotencyKey ?? null };
        try {
          const params = new Params(form);
          if (match.route.accepts) params.refuseUnknown(["expand", ...match.route.accepts]);
          const expand = params.stringList("expand") ?? [];
          checkExpandPaths(expand);
          const result = match.route.handler({ params, path: match.path });
          return { response: respond(200, expandObject(this.rt, result, expand)), save: true };
        } catch (err) {
          // Stripe saves nothing when the request failed before the endpoint changed anything,
          // but does save (and replay) a 500 from inside the endpoint.
          if (err instanceof StripeApiError) return { response: fail(err), save: this.rt.revision !== revision };
          return { response: crashed(err), save: true };
        } finally {
          this.rt.currentRequest = null;
        }
      };

      if (idempotencyKey === undefined) return (await execute()).response;
      const response = await this.idempotency.run(idempotencyKey, req.method, req.path, form, execute);
      return { ...response, headers: { ...response.headers, "Idempotency-Key": idempotencyKey } };
    } catch (err) {
      if (err instanceof StripeApiError) return fail(err);
      return crashed(err);
    }
  }

  private requestLogUrl(reqId: string): string {
    return `${this.rt.context.config.publicUrl}/?request=${reqId}`;
  }

  /** Bearer auth, or basic auth with the key as user name (both accepted by Stripe). */
  private authenticate(req: SandboxRequest): void {
    const authorization = header(req, "authorization") ?? "";
    let key: string | undefined;
    if (/^bearer /i.test(authorization)) key = authorization.slice(7).trim();
    else if (/^basic /i.test(authorization)) key = Buffer.from(authorization.slice(6), "base64").toString("utf8").split(":")[0];
    if (!key) {
      throw new StripeApiError(401, {
        type: "authentication_error",
        message:
          "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
      });
    }
    if (key !== this.rt.context.config.stripeSecretKey) {
      throw new StripeApiError(401, {
        type: "authentication_error",
        code: "api_key_invalid",
        message: `Invalid API Key provided: ${redact(key)}`,
      });
    }
  }

  private decode(req: SandboxRequest): FormObject {
    if (req.method !== "POST") return decodeForm(req.query);
    const contentType = header(req, "content-type") ?? "";
    const body = req.rawBody.toString("utf8");
    if (body.length > 0 && !contentType.startsWith("application/x-www-form-urlencoded")) {
      throw invalidRequest("Invalid request: the body must be application/x-www-form-urlencoded.");
    }
    // Stripe also reads query parameters on POST; the body wins.
    return { ...decodeForm(req.query), ...decodeForm(new URLSearchParams(body)) };
  }

  private match(method: string, path: string): { route: Route; path: Record<string, string> } | undefined {
    const segments = path.split("/");
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const pattern = route.pattern.split("/");
      if (pattern.length !== segments.length) continue;
      const values: Record<string, string> = {};
      const ok = pattern.every((p, i) => {
        const segment = segments[i]!;
        if (p.startsWith(":")) {
          values[p.slice(1)] = safeDecode(segment);
          return segment.length > 0;
        }
        return p === segment;
      });
      if (ok) return { route, path: values };
    }
    return undefined;
  }
}

/**
 * Stripe's version names: a release date, and since 2024 the release's name
 * (`2026-10-28.endive`, `2026-08-26.preview`). A real calendar date no later
 * than the pinned version's; anything else (a typo, a future date, a beta
 * flag such as `;link_beta=v1`) is refused as Stripe refuses it.
 */
export function isValidApiVersion(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:\.[a-z]+)?$/.exec(value);
  if (!match) return false;
  const [, y, m, d] = match;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  const isCalendarDate = date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d);
  return isCalendarDate && value.slice(0, 10) <= API_VERSION.slice(0, 10);
}

/** Stripe shows the key as `sk_test_****abcd`. */
function redact(key: string): string {
  const prefix = key.match(/^[a-z]+_(test|live)_/)?.[0] ?? "";
  return `${prefix}****${key.slice(-4)}`;
}

/** Path segments are ids; a malformed escape is kept as typed (and then matches no object). */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
