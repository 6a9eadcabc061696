import { NextResponse } from "next/server";
import { contentSecurityPolicy } from "@/lib/http/security-headers";

/**
 * Adds the Content-Security-Policy to every page and API response, computed
 * from this server's environment (lib/http/security-headers.ts). The fixed
 * security headers (nosniff, referrer policy, HSTS, …) are in next.config.mjs.
 */
export function proxy(): NextResponse {
  const response = NextResponse.next();
  response.headers.set("Content-Security-Policy", contentSecurityPolicy());
  return response;
}

export const config = {
  // Static build assets carry no document: no policy needed there.
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
