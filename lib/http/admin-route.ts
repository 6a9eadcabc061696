import "server-only";
import { issueFields } from "@/lib/admin/schemas";
import { jsonError } from "./api";
import { userRoute, type RouteContext } from "./route";

/**
 * Wraps an admin API handler: userRoute plus 403 JSON for signed-in
 * non-admins and for admins without two-factor. The role comes from the
 * database row on every request, so a demoted or disabled admin loses
 * access at once. Every change (a method other than GET) needs a code
 * entered by this session in the last 10 minutes (step-up,
 * lib/auth/two-factor.ts); `{ stepUp: true }` asks it of a sensitive read.
 */
export function adminRoute<P = Record<string, never>>(
  handler: (req: Request, ctx: RouteContext<P>) => Promise<Response>,
  options: { stepUp?: boolean } = {},
): (req: Request, context: { params: Promise<P> }) => Promise<Response> {
  return userRoute(handler, { adminOnly: true, stepUp: options.stepUp });
}

/** Parses the query string against a zod schema, or answers 400 naming the bad fields. */
export function parseQuery<T>(
  req: Request,
  schema: {
    safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
): { data: T } | { response: Response } {
  const params: Record<string, string> = {};
  for (const [k, v] of new URL(req.url).searchParams) params[k] ??= v;
  const parsed = schema.safeParse(params);
  if (parsed.success) return { data: parsed.data };
  return { response: jsonError(400, "Please check the highlighted fields.", issueFields(parsed.error)) };
}
