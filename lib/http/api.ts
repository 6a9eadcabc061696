import type { z } from "zod";
import { isStorableText } from "@/lib/safe-text";
import { BODY_LIMITS, readBody } from "./body";

/** JSON error response with a message a person can read; never a stack trace. */
export function jsonError(status: number, message: string, fields?: Record<string, string>, code?: string): Response {
  return Response.json({ error: { message, ...(code ? { code } : {}), ...(fields ? { fields } : {}) } }, { status });
}

/**
 * Cross-site request protection for state-changing routes: the browser's
 * Origin (or Sec-Fetch-Site) must say the request comes from this site.
 */
export function rejectCrossSite(req: Request): Response | null {
  const site = req.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return jsonError(403, "Cross-site requests are not allowed.");
  const origin = req.headers.get("origin");
  if (!origin) return site ? null : jsonError(403, "Missing Origin header.");
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  try {
    if (new URL(origin).host !== host) return jsonError(403, "Cross-site requests are not allowed.");
  } catch {
    return jsonError(403, "Malformed Origin header.");
  }
  return null;
}

/**
 * Parses a JSON body against a zod schema, or answers 400 naming the bad
 * fields. The body is read through readBody (lib/http/body.ts): 413 past
 * BODY_LIMITS.json, without reading further.
 */
export async function parseJsonBody<S extends z.ZodType>(req: Request, schema: S): Promise<{ data: z.infer<S> } | { response: Response }> {
  const read = await readBody(req, BODY_LIMITS.json);
  if ("response" in read) return read;
  let body: unknown;
  try {
    body = JSON.parse(read.text);
  } catch {
    return { response: jsonError(400, "The request body must be JSON.") };
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    // A path names keys from the body: one that is not storable text is not echoed back.
    for (const issue of parsed.error.issues)
      fields[issue.path.map((key) => (typeof key === "string" && !isStorableText(key) ? "(key)" : String(key))).join(".") || "body"] ??=
        issue.message;
    return { response: jsonError(400, "Please check the highlighted fields.", fields) };
  }
  return { data: parsed.data };
}

/**
 * For handlers we do not own that read a JSON body with `req.json()` and
 * fail with a 500 on anything else (next-auth): a body sent as JSON must be
 * a JSON object, or the request is answered 400 here. `text` is the body,
 * already read (capped) by the caller, who hands the handler a copy.
 */
export function rejectMalformedJsonBody(req: Request, text: string): Response | null {
  if (req.method !== "POST" || !req.headers.get("content-type")?.includes("application/json")) return null;
  try {
    const body: unknown = JSON.parse(text);
    if (body !== null && typeof body === "object" && !Array.isArray(body)) return null;
  } catch {
    // fall through
  }
  return jsonError(400, "The request body must be a JSON object.");
}
