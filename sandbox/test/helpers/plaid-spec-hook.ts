/**
 * Setup file of the vitest project `sandbox`: every Plaid response a test
 * receives is validated against the vendored OpenAPI spec, whoever made the
 * request: the official `plaid` SDK (its axios instance, through an
 * interceptor) or a raw `fetch` to a path the spec defines. 200 bodies must
 * match the endpoint's response schema, anything else must be a PlaidError
 * with a request_id. A violation fails the call that received it and, in
 * case the test swallows that error, the test itself (afterEach).
 *
 * A test that injects a deliberately non-Plaid body (fault injection with a
 * custom `body`) calls `allowPlaidSpecViolations()` first.
 */
import { createRequire } from "node:module";
import { afterEach, beforeEach } from "vitest";
import { assertValidError, assertValidResponse, specHasEndpoint } from "./plaid-spec.js";

/** The little of axios (plaid's HTTP client, not a dependency of ours) that is used here. */
interface AxiosResponse {
  status: number;
  data: unknown;
  config: { method?: string; url?: string; baseURL?: string };
}
interface AxiosError {
  response?: AxiosResponse;
}
interface AxiosStatic {
  interceptors: { response: { use(onOk: (r: AxiosResponse) => AxiosResponse, onError: (e: AxiosError) => never): number } };
}

// plaid's CommonJS build requires axios; the same require (from the same node_modules) gets the same instance.
const axios = createRequire(import.meta.url)("axios") as AxiosStatic;

/**
 * One state and one set of hooks per process: a worker may run several test
 * files, each evaluating this file again, while axios (required) and the
 * global fetch are shared.
 */
interface HookState {
  violations: string[];
  allowed: boolean;
  installed: boolean;
}
const KEY = Symbol.for("fundwell.sandbox.plaid-spec-hook");
const hookState: HookState = ((globalThis as Record<symbol, unknown>)[KEY] as HookState | undefined) ?? {
  violations: [],
  allowed: false,
  installed: false,
};
(globalThis as Record<symbol, unknown>)[KEY] = hookState;

/** Lets the current test receive Plaid responses that break the spec (custom fault bodies). */
export function allowPlaidSpecViolations(): void {
  hookState.allowed = true;
}

/** The violations seen so far in this test, which then no longer fail it (tests of this check itself). */
export function takePlaidSpecViolations(): string[] {
  const found = hookState.violations;
  hookState.violations = [];
  return found;
}

function check(method: string, url: string, status: number, body: unknown): string | null {
  if (hookState.allowed || method.toUpperCase() !== "POST") return null;
  const path = new URL(url, "http://sandbox.invalid").pathname;
  if (!specHasEndpoint(path)) return null;
  try {
    if (status === 200) assertValidResponse(path, body);
    else assertValidError(body);
    return null;
  } catch (err) {
    const message = `POST ${path} (${status}): ${(err as Error).message}`;
    hookState.violations.push(message);
    return message;
  }
}

/** The request's full URL (axios keeps baseURL and url apart). */
function fullUrl(config: { baseURL?: string; url?: string }): string {
  return new URL(config.url ?? "/", config.baseURL ?? "http://sandbox.invalid").toString();
}

if (!hookState.installed) {
  hookState.installed = true;
  axios.interceptors.response.use(
    (response: AxiosResponse) => {
      const problem = check(response.config.method ?? "post", fullUrl(response.config), response.status, response.data);
      if (problem) throw new Error(`Plaid spec violation: ${problem}`);
      return response;
    },
    (error: AxiosError) => {
      const res = error.response;
      if (res) {
        const problem = check(res.config.method ?? "post", fullUrl(res.config), res.status, res.data);
        if (problem) throw new Error(`Plaid spec violation: ${problem}`, { cause: error });
      }
      throw error;
    },
  );

  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const response = await realFetch(input, init);
    const method = init?.method ?? (input instanceof Request ? input.method : "GET");
    const url = input instanceof Request ? input.url : input.toString();
    const path = new URL(url).pathname;
    if (method.toUpperCase() !== "POST" || !specHasEndpoint(path)) return response;
    const type = response.headers.get("content-type") ?? "";
    let body: unknown = null;
    if (type.includes("json")) body = await response.clone().json();
    const problem = check(method, url, response.status, body);
    if (problem) throw new Error(`Plaid spec violation: ${problem}`);
    return response;
  };
}

beforeEach(() => {
  hookState.violations = [];
  hookState.allowed = false;
});

afterEach(() => {
  const found = hookState.violations;
  hookState.violations = [];
  if (found.length > 0) throw new Error(`Plaid responses that break the spec:\n${found.join("\n")}`);
});
