import "server-only";
import type { User } from "@/lib/db";
import { getSessionActor, getSessionState, type Actor } from "@/lib/auth";
import { checkAdminSecondFactor, checkStepUp } from "@/lib/auth/two-factor";
import { AppError } from "@/lib/errors";
import { clientIp } from "@/lib/client-ip";
import { getConfig } from "@/lib/config";
import { z } from "zod";
import { jsonError, rejectCrossSite } from "./api";
import { logger } from "@/lib/log";
import { safeText } from "@/lib/safe-text";

interface RequestInfo<P> {
  params: P;
  ip: string | null;
  userAgent: string | null;
}

export interface RouteContext<P> extends RequestInfo<P> {
  user: User;
}

export interface ActorRouteContext<P> extends RequestInfo<P> {
  /** From the session cookie, not yet confirmed against the database: the handler's first statement must (actorMayAct). */
  actor: Actor;
}

const SIGN_IN = "Please sign in.";

/** Path segments ([id], …) are strings from the request like any other: the same text rule as the bodies' schemas. */
const routeParamsSchema = z.record(z.string(), z.union([safeText(), z.array(safeText())]));

export interface UserRouteOptions {
  /**
   * Admins only (403 otherwise), with two-factor on (lib/auth/two-factor.ts).
   * Every admin change (any method but GET and HEAD) is a sensitive action:
   * the session must have entered a code in the last 10 minutes (step-up).
   */
  adminOnly?: boolean;
  /** Step-up for an admin read that is sensitive too (the CSV export). */
  stepUp?: boolean;
  /** Also for a session that still owes its second factor (the routes that take the code, sign-out). */
  beforeSecondFactor?: boolean;
}

/**
 * Wraps a route handler for signed-in users: 401 without a session (with
 * the code SECOND_FACTOR_REQUIRED when only the code is missing),
 * cross-site protection on state-changing methods, domain errors turned
 * into their status and message, and anything unexpected into a plain 500
 * (logged by name only: SDK errors can carry request details such as tokens).
 * Every response, errors included, is `Cache-Control: no-store` (privateResponses).
 */
export function userRoute<P = Record<string, never>>(
  handler: (req: Request, ctx: RouteContext<P>) => Promise<Response>,
  options: UserRouteOptions = {},
): (req: Request, context: { params: Promise<P> }) => Promise<Response> {
  return privateResponses(async (req, info) => {
    const session = await getSessionState();
    if (session.kind === "none") return jsonError(401, SIGN_IN);
    if (session.kind === "second-factor" && !options.beforeSecondFactor)
      return jsonError(401, "Enter the code from your authenticator app to finish signing in.", undefined, "SECOND_FACTOR_REQUIRED");
    const { user } = session;
    if (options.adminOnly) {
      if (user.role !== "ADMIN") return jsonError(403, "This area is for administrators.");
      checkAdminSecondFactor(user);
      if (options.stepUp || (req.method !== "GET" && req.method !== "HEAD"))
        checkStepUp(session.kind === "signed-in" ? session.secondFactorAt : null);
    }
    return handler(req, { ...info, user });
  });
}

/**
 * userRoute for the hottest paths (funding, dashboard polling): the user is
 * not read on its own; the handler's domain call confirms the actor in its
 * first statement (actorMayAct) and throws `signedOut()` (lib/errors.ts) when the user was
 * disabled or signed out everywhere. One SQL round trip fewer per request.
 */
export function actorRoute<P = Record<string, never>>(
  handler: (req: Request, ctx: ActorRouteContext<P>) => Promise<Response>,
): (req: Request, context: { params: Promise<P> }) => Promise<Response> {
  return privateResponses(async (req, info) => {
    const actor = await getSessionActor();
    if (!actor) return jsonError(401, SIGN_IN);
    return handler(req, { ...info, actor });
  });
}

/**
 * For public routes (no session needed): the same cross-site protection,
 * path checks and error handling as userRoute.
 */
export function publicRoute<P = Record<string, never>>(
  handler: (req: Request, ctx: RequestInfo<P>) => Promise<Response>,
): (req: Request, context: { params: Promise<P> }) => Promise<Response> {
  return guarded(handler);
}

/**
 * guarded, and every response it gives (the handler's, a 400/401/403 from
 * the checks, a 500) says `Cache-Control: no-store`: what a session may see
 * is never kept by a browser or a shared cache, nor served to the next
 * person on the same machine. The one place that decides it for every
 * userRoute, actorRoute and adminRoute; public routes keep their own.
 */
function privateResponses<P>(
  run: (req: Request, info: RequestInfo<P>) => Promise<Response>,
): (req: Request, context: { params: Promise<P> }) => Promise<Response> {
  const handler = guarded(run);
  return async (req, context) => withNoStore(await handler(req, context));
}

function withNoStore(response: Response): Response {
  try {
    response.headers.set("cache-control", "no-store");
    return response;
  } catch {
    // A response with immutable headers (Response.redirect, a fetched one): a copy can take it.
    const copy = new Response(response.body, response);
    copy.headers.set("cache-control", "no-store");
    return copy;
  }
}

function guarded<P>(
  run: (req: Request, info: RequestInfo<P>) => Promise<Response>,
): (req: Request, context: { params: Promise<P> }) => Promise<Response> {
  return async (req, context) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      const crossSite = rejectCrossSite(req);
      if (crossSite) return crossSite;
    }
    const params = await context.params;
    const checked = routeParamsSchema.safeParse(params ?? {});
    if (!checked.success) {
      const fields: Record<string, string> = {};
      for (const issue of checked.error.issues) fields[String(issue.path[0] ?? "path")] ??= issue.message;
      return jsonError(400, "Please check the highlighted fields.", fields);
    }
    try {
      return await run(req, {
        params,
        ip: clientIp(req.headers, getConfig()),
        userAgent: req.headers.get("user-agent"),
      });
    } catch (err) {
      if (err instanceof AppError) {
        const res = jsonError(err.status, err.message, undefined, err.code);
        if (err.retryAfterSeconds !== undefined) res.headers.set("Retry-After", String(err.retryAfterSeconds));
        return res;
      }
      logger.error(
        { method: req.method, path: new URL(req.url).pathname, error: err instanceof Error ? err.name : "error" },
        "api route failed",
      );
      return jsonError(500, "Something went wrong on our side. Please try again.");
    }
  };
}
