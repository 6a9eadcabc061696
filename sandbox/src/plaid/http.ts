/**
 * Request handling shared by every Plaid endpoint: JSON body, credentials
 * (headers PLAID-CLIENT-ID / PLAID-SECRET or body client_id / secret), field
 * validation (missing, unknown, wrongly typed fields) and the PlaidError /
 * request_id envelope.
 */
import type { SandboxContext } from "../core/context.js";
import { header, json, type SandboxRequest, type SandboxResponse } from "../core/http.js";
import { plaidRequestId } from "../core/ids.js";
import { PlaidApiError, plaidError } from "./errors.js";
import type { PlaidService } from "./service.js";

export type FieldType = "string" | "boolean" | "number" | "integer" | "object" | "string[]" | "array" | "any";

export interface FieldSpec {
  type: FieldType;
  required?: boolean;
  /** Allowed values (for strings, or for each element of a string[]). */
  enum?: readonly string[];
}

export type Body = Record<string, unknown>;

export interface PlaidEndpoint {
  path: string;
  fields: Record<string, FieldSpec>;
  /** Returns the response body without request_id; throws PlaidApiError. */
  handle(input: { service: PlaidService; body: Body; context: SandboxContext }): object;
}

export function endpoint(path: string, fields: Record<string, FieldSpec>, handle: PlaidEndpoint["handle"]): PlaidEndpoint {
  return { path, fields, handle };
}

const req = (type: FieldType, extra: Omit<FieldSpec, "type"> = {}): FieldSpec => ({ type, required: true, ...extra });
const opt = (type: FieldType, extra: Omit<FieldSpec, "type"> = {}): FieldSpec => ({ type, ...extra });
export const field = { req, opt };

function typeOk(value: unknown, spec: FieldSpec): boolean {
  switch (spec.type) {
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "string[]":
      return Array.isArray(value) && value.every((v) => typeof v === "string");
    case "array":
      return Array.isArray(value);
    case "any":
      return true;
  }
}

const TYPE_NAMES: Record<FieldType, string> = {
  string: "a string",
  boolean: "a boolean",
  number: "a number",
  integer: "an integer",
  object: "an object",
  "string[]": "an array of strings",
  array: "an array",
  any: "a value",
};

/**
 * Validates `body` against the field specs; throws the PlaidError Plaid would
 * return. `prefix` names a nested object ("options.") in messages.
 */
export function validateFields(body: Body, fields: Record<string, FieldSpec>, prefix = ""): void {
  const unknown = Object.keys(body).filter((k) => !(k in fields) && (prefix !== "" || (k !== "client_id" && k !== "secret")));
  if (unknown.length > 0) {
    throw new PlaidApiError(
      "UNKNOWN_FIELDS",
      `the following fields are not recognized by this endpoint: ${unknown.map((k) => prefix + k).join(", ")}`,
    );
  }
  const missing = Object.entries(fields)
    .filter(([name, spec]) => spec.required && (body[name] === undefined || body[name] === null))
    .map(([name]) => prefix + name);
  if (missing.length > 0) {
    throw new PlaidApiError("MISSING_FIELDS", `the following required fields are missing: ${missing.join(", ")}`);
  }
  for (const [name, spec] of Object.entries(fields)) {
    const value = body[name];
    if (value === undefined || value === null) continue;
    if (!typeOk(value, spec)) throw new PlaidApiError("INVALID_FIELD", `${prefix}${name} must be ${TYPE_NAMES[spec.type]}`);
    if (spec.enum) {
      const values = Array.isArray(value) ? (value as string[]) : [value as string];
      const bad = values.filter((v) => !spec.enum!.includes(v));
      if (bad.length > 0) throw new PlaidApiError("INVALID_FIELD", `${prefix}${name} contains an unsupported value: ${bad.join(", ")}`);
    }
  }
}

/** Optional nested object `body[name]` (already checked to be an object), validated like a body. */
export function nested(body: Body, name: string, fields: Record<string, FieldSpec>): Body {
  const value = body[name];
  if (value === undefined || value === null) return {};
  validateFields(value as Body, fields, `${name}.`);
  return value as Body;
}

export function str(body: Body, name: string): string | undefined {
  const value = body[name];
  return typeof value === "string" ? value : undefined;
}

export function strings(body: Body, name: string): string[] | undefined {
  const value = body[name];
  return Array.isArray(value) ? (value as string[]) : undefined;
}

/** Checks a webhook URL field (format: url). */
export function urlField(value: string | undefined, name: string): string | null {
  if (value === undefined || value === "") return null;
  try {
    const url = new URL(value);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
    return value;
  } catch {
    throw new PlaidApiError("INVALID_FIELD", `${name} must be a valid URL`);
  }
}

function errorResponse(err: PlaidApiError, requestId: string): SandboxResponse {
  return json(err.httpStatus, { ...err.body, request_id: requestId });
}

/**
 * What Plaid answers for a path it has no endpoint for: a PlaidError
 * (INVALID_REQUEST / NOT_FOUND, HTTP 404) with a request_id.
 */
export function plaidNotFound(): SandboxResponse {
  return errorResponse(new PlaidApiError("NOT_FOUND"), plaidRequestId());
}

/** Runs one endpoint for a request and wraps the result (or error) the way Plaid does. */
export function runEndpoint(ep: PlaidEndpoint, service: PlaidService, request: SandboxRequest): SandboxResponse {
  const requestId = plaidRequestId();
  try {
    let body: Body = {};
    const text = request.rawBody.toString("utf8").trim();
    if (text !== "") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new PlaidApiError("INVALID_BODY", "body could not be parsed as JSON");
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new PlaidApiError("INVALID_BODY", "body must be a JSON object");
      }
      body = parsed as Body;
    }
    const clientId = typeof body.client_id === "string" ? body.client_id : header(request, "plaid-client-id");
    const secret = typeof body.secret === "string" ? body.secret : header(request, "plaid-secret");
    const missing = [clientId ? null : "client_id", secret ? null : "secret"].filter((f): f is string => f !== null);
    if (missing.length > 0) {
      throw new PlaidApiError("MISSING_FIELDS", `the following required fields are missing: ${missing.join(", ")}`);
    }
    const config = service.context.config;
    if (clientId !== config.plaidClientId || secret !== config.plaidSecret) throw new PlaidApiError("INVALID_API_KEYS");
    validateFields(body, ep.fields);
    service.sweep();
    const result = ep.handle({ service, body, context: service.context });
    return json(200, { ...result, request_id: requestId });
  } catch (err) {
    if (err instanceof PlaidApiError) return errorResponse(err, requestId);
    console.error("[sandbox] plaid handler crashed", err);
    return errorResponse(new PlaidApiError(plaidError("INTERNAL_SERVER_ERROR")), requestId);
  }
}
