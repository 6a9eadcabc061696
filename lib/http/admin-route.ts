import { getCurrentUser } from "@/lib/auth";
import { BankingError } from "@/lib/banking/errors";
import { getConfig } from "@/lib/config";
import { clientIp } from "./client-ip";
import { jsonError, rejectCrossSite } from "./api";
import type { RouteContext } from "./route";

/**
 * Wraps an admin API handler: 401 without a session, 403 JSON for signed-in
 * non-admins (checked on the server for every request, from the database
 * row, so a demoted or disabled admin loses access at once), cross-site
 * protection on state-changing methods, domain errors turned into their
 * status, anything else into a plain 500.
 */
export function adminRoute<P = Record<string, never>>(
  handler: (req: Request, ctx: RouteContext<P>) => Promise<Response>,
): (req: Request, context: { params: Promise<P> }) => Promise<Response> {
  return async (req, context) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      const crossSite = rejectCrossSite(req);
      if (crossSite) return crossSite;
    }
    const user = await getCurrentUser();
    if (!user) return jsonError(401, "Please sign in.");
    if (user.role !== "ADMIN") return jsonError(403, "This area is for administrators.");
    try {
      return await handler(req, {
        user,
        params: await context.params,
        ip: clientIp(req.headers, getConfig().trustProxy),
        userAgent: req.headers.get("user-agent"),
      });
    } catch (err) {
      if (err instanceof BankingError) return jsonError(err.status, err.message, undefined, err.code);
      console.error(`[admin-api] ${req.method} ${new URL(req.url).pathname} failed: ${err instanceof Error ? err.name : "error"}`);
      return jsonError(500, "Something went wrong on our side. Please try again.");
    }
  };
}

/** Parses the query string against a zod schema, or answers 400 naming the bad fields. */
export function parseQuery<T>(req: Request, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }): { data: T } | { response: Response } {
  const params: Record<string, string> = {};
  for (const [k, v] of new URL(req.url).searchParams) params[k] ??= v;
  const parsed = schema.safeParse(params);
  if (parsed.success) return { data: parsed.data };
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) fields[issue.path.map(String).join(".") || "query"] ??= issue.message;
  return { response: jsonError(400, "Please check the highlighted fields.", fields) };
}
