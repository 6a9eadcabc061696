import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { AuthError } from "@/lib/auth";
import { registerWithPassword, signUpSchema } from "@/lib/auth/credentials";
import { clientIp } from "@/lib/client-ip";
import { jsonError, parseJsonBody, rejectCrossSite } from "@/lib/http/api";
import { logger } from "@/lib/log";

export async function POST(req: Request): Promise<Response> {
  const crossSite = rejectCrossSite(req);
  if (crossSite) return crossSite;
  const parsed = await parseJsonBody(req, signUpSchema);
  if ("response" in parsed) return parsed.response;
  const config = getConfig();
  try {
    const user = await registerWithPassword(parsed.data, {
      db: getDb(),
      ip: clientIp(req.headers, config),
      adminEmails: config.adminEmails,
      signUpsPerIp: config.signUpsPerIp,
    });
    return Response.json({ id: user.id }, { status: 201 });
  } catch (err) {
    if (err instanceof AuthError) return jsonError(err.code === "throttled" ? 429 : 400, err.message);
    // Never the database's text in the response; logged by name only (a driver's message can quote the input).
    logger.error({ path: "/api/signup", error: err instanceof Error ? err.name : "error" }, "sign-up failed");
    return jsonError(500, "Something went wrong on our side. Please try again.");
  }
}
