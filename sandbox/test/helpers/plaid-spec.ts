/**
 * Validates Plaid emulator responses against the official OpenAPI spec
 * (sandbox/spec/plaid-openapi-2020-09-14.yml) with ajv, and starts a sandbox
 * with an official `plaid` SDK client whose every response is checked:
 * 200 bodies against the endpoint's 200 response schema, errors against
 * PlaidError (plus a 15-char request_id).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { parse } from "yaml";
import { Configuration, PlaidApi } from "plaid";
import { startSandbox, type RunningSandbox } from "../../src/server.js";
import type { SandboxConfig } from "../../src/core/context.js";
import { useStarted } from "./use-started.js";

export const SPEC_PATH = path.resolve(import.meta.dirname, "../../spec/plaid-openapi-2020-09-14.yml");

type Json = Record<string, unknown>;

interface SpecDoc {
  paths: Record<string, { post?: { responses?: Record<string, { content?: Record<string, { schema?: Json }> }> } }>;
  components: { schemas: Record<string, Json> };
}

const DROPPED_KEYWORDS = new Set(["nullable", "example", "examples", "discriminator", "externalDocs", "deprecated", "xml"]);

/** OpenAPI 3.0 schema → JSON Schema: `nullable: true` becomes a null alternative; OpenAPI-only keywords go. */
export function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== "object" || node === null) return node;
  const src = node as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(src)) {
    if (DROPPED_KEYWORDS.has(key) || key.startsWith("x-")) continue;
    if (key === "properties" || key === "patternProperties") {
      out[key] = Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, toJsonSchema(v)]));
    } else {
      out[key] = toJsonSchema(value);
    }
  }
  if (src.nullable === true) {
    if (typeof out.type === "string" && out.$ref === undefined) {
      out.type = [out.type, "null"];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
      return out;
    }
    return { anyOf: [out, { type: "null" }] };
  }
  return out;
}

let cached: { spec: SpecDoc; ajv: Ajv; validators: Map<string, ValidateFunction> } | null = null;

function load() {
  if (cached) return cached;
  const spec = parse(readFileSync(SPEC_PATH, "utf8")) as SpecDoc;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
  addFormats(ajv);
  // Formats OpenAPI uses that JSON Schema has no validator for.
  for (const format of [
    "double",
    "float",
    "int32",
    "int64",
    "url",
    "ipv4",
    "ipv6",
    "binary",
    "byte",
    "uuid",
    "date",
    "date-time",
    "email",
    "uri",
    "password",
  ]) {
    if (!ajv.formats[format]) ajv.addFormat(format, true);
  }
  ajv.addSchema({ $id: "plaid", components: { schemas: toJsonSchema(spec.components.schemas) } });
  cached = { spec, ajv, validators: new Map() };
  return cached;
}

function validator(ref: string): ValidateFunction {
  const { ajv, validators } = load();
  let fn = validators.get(ref);
  if (!fn) {
    fn = ajv.compile({ $ref: `plaid${ref}` });
    validators.set(ref, fn);
  }
  return fn;
}

/** Whether the spec defines POST `endpointPath` (a Plaid API endpoint). */
export function specHasEndpoint(endpointPath: string): boolean {
  return load().spec.paths[endpointPath]?.post !== undefined;
}

/** The `#/components/schemas/...` reference of an endpoint's 200 response. */
export function responseSchemaRef(endpointPath: string): string {
  const { spec } = load();
  const schema = spec.paths[endpointPath]?.post?.responses?.["200"]?.content?.["application/json"]?.schema;
  const ref = schema?.$ref;
  if (typeof ref !== "string") throw new Error(`spec: no 200 JSON response schema for POST ${endpointPath}`);
  return ref;
}

function describe(fn: ValidateFunction): string {
  return (fn.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`).join("; ");
}

/** Errors (empty when valid) of `body` against a component schema, e.g. "PlaidError" or "ItemErrorWebhook". */
export function schemaErrors(schemaName: string, body: unknown): string[] {
  const fn = validator(`#/components/schemas/${schemaName}`);
  return fn(body) ? [] : [describe(fn)];
}

export function assertMatchesSchema(schemaName: string, body: unknown): void {
  const errors = schemaErrors(schemaName, body);
  if (errors.length > 0) throw new Error(`response does not match ${schemaName}: ${errors.join("; ")}\n${JSON.stringify(body, null, 2)}`);
}

/** Throws when `body` is not a valid 200 response of POST `endpointPath`. */
export function assertValidResponse(endpointPath: string, body: unknown): void {
  const ref = responseSchemaRef(endpointPath);
  const fn = validator(ref);
  if (!fn(body)) throw new Error(`POST ${endpointPath}: response does not match ${ref}: ${describe(fn)}\n${JSON.stringify(body, null, 2)}`);
  const requestId = (body as Json).request_id;
  if (typeof requestId !== "string" || requestId.length !== 15)
    throw new Error(`POST ${endpointPath}: request_id must have 15 characters, got ${String(requestId)}`);
}

/** Throws when `body` is not a PlaidError with a 15-char request_id. */
export function assertValidError(body: unknown): void {
  if (typeof body !== "object" || body === null) throw new Error(`error body is not an object: ${JSON.stringify(body)}`);
  assertMatchesSchema("PlaidError", body);
  const requestId = (body as Json).request_id;
  if (typeof requestId !== "string" || requestId.length !== 15)
    throw new Error(`error request_id must have 15 characters, got ${String(requestId)}`);
}

interface AxiosLikeError {
  response?: { status: number; data: unknown; config?: { url?: string } };
  config?: { url?: string };
}

/**
 * Wraps a PlaidApi so that every call's response is validated against the
 * spec. A success that does not match throws; an error response that is not
 * a valid PlaidError throws a descriptive Error instead of the SDK's.
 */
export function validatingClient(client: PlaidApi): PlaidApi {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function" || typeof prop !== "string" || prop === "constructor") return value;
      return async (...args: unknown[]) => {
        try {
          const response = await (value as (...a: unknown[]) => Promise<{ data: unknown; config: { url?: string } }>).apply(target, args);
          assertValidResponse(new URL(response.config.url ?? "/", "http://x").pathname, response.data);
          return response;
        } catch (err) {
          const e = err as AxiosLikeError;
          if (e.response) {
            try {
              assertValidError(e.response.data);
            } catch (specError) {
              throw new Error(`${e.config?.url ?? "?"}: ${(specError as Error).message}`, { cause: specError });
            }
          }
          throw err;
        }
      };
    },
  });
}

export interface PlaidTestSandbox {
  sandbox: RunningSandbox;
  /** Official SDK client with valid keys in headers; every response spec-validated. */
  plaid: PlaidApi;
  /** A client with other keys / headers (e.g. wrong secret). */
  client(headers: Record<string, string>): PlaidApi;
  /** POST /__sandbox/<action> (control API). */
  control<T = Json>(action: string, body?: Json): Promise<T>;
  close(): Promise<void>;
}

export async function startPlaidSandbox(config: Partial<SandboxConfig> = {}): Promise<PlaidTestSandbox> {
  const sandbox = await startSandbox({ dataDir: null, port: 0, config: { webhookRetryDelaysMs: [], ...config } });
  const client = (headers: Record<string, string>) =>
    validatingClient(
      new PlaidApi(new Configuration({ basePath: sandbox.url, baseOptions: { headers: { "Plaid-Version": "2020-09-14", ...headers } } })),
    );
  const plaid = client({ "PLAID-CLIENT-ID": sandbox.context.config.plaidClientId, "PLAID-SECRET": sandbox.context.config.plaidSecret });
  return {
    sandbox,
    plaid,
    client,
    async control<T>(action: string, body: Json = {}): Promise<T> {
      const res = await fetch(`${sandbox.url}/__sandbox/${action}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const data = (await res.json()) as T;
      if (!res.ok) throw new Error(`control ${action}: ${res.status} ${JSON.stringify(data)}`);
      return data;
    },
    close: () => sandbox.close(),
  };
}

/** One sandbox for the calling file or describe block (see useStarted). */
export function usePlaidSandbox(config: Partial<SandboxConfig> = {}): PlaidTestSandbox {
  return useStarted(() => startPlaidSandbox(config));
}

/** Awaits a Plaid SDK call expected to fail; returns HTTP status and the (spec-valid) PlaidError body. */
export async function plaidFailure(call: Promise<unknown>): Promise<{ status: number; error: Json }> {
  try {
    await call;
  } catch (err) {
    const e = err as AxiosLikeError;
    if (!e.response) throw err;
    return { status: e.response.status, error: e.response.data as Json };
  }
  throw new Error("expected the Plaid call to fail, it succeeded");
}
