import type { User } from "@/lib/db";
import { getCurrentUser } from "@/lib/auth";
import { BankingError } from "@/lib/banking/errors";
import { clientIp } from "./client-ip";
import { getConfig } from "@/lib/config";
import { jsonError, rejectCrossSite } from "./api";

export interface RouteContext<P> {
  user: User;
  params: P;
  ip: string | null;
  userAgent: string | null;
}

/**
 * Wraps a route handler for signed-in users: 401 without a session,
 * cross-site protection on state-changing methods, domain errors turned into
 * their status and message, and anything unexpected into a plain 500 (logged
 * by name only: SDK errors can carry request details such as tokens).
 */
export function userRoute<P = Record<string, never>>(
  handler: (req: Request, ctx: RouteContext<P>) => Promise<Response>,
  options: { adminOnly?: boolean } = {},
): (req: Request, context: { params: Promise<P> }) => Promise<Response> {
  return async (req, context) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      const crossSite = rejectCrossSite(req);
      if (crossSite) return crossSite;
    }
    const user = await getCurrentUser();
    if (!user) return jsonError(401, "Please sign in.");
    if (options.adminOnly && user.role !== "ADMIN") return jsonError(403, "This area is for administrators.");
    try {
      return await handler(req, {
        user,
        params: await context.params,
        ip: clientIp(req.headers, getConfig().trustProxy),
        userAgent: req.headers.get("user-agent"),
      });
    } catch (err) {
      if (err instanceof BankingError) return jsonError(err.status, err.message, undefined, err.code);
      console.error(`[api] ${req.method} ${new URL(req.url).pathname} failed: ${err instanceof Error ? err.name : "error"}`);
      return jsonError(500, "Something went wrong on our side. Please try again.");
    }
  };
}
