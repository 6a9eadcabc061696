import { NextResponse } from "next/server";
import { contentSecurityPolicy } from "@/lib/http/security-headers";

/**
 * Adds the Content-Security-Policy to every page, computed from this
 * server's environment (lib/http/security-headers.ts). API responses get a
 * fixed, stricter policy from next.config.mjs, as do the other security
 * headers (nosniff, referrer policy, HSTS, …): the proxy runs on pages only.
 */
export function proxy(): NextResponse {
  const response = NextResponse.next();
  response.headers.set("Content-Security-Policy", contentSecurityPolicy());
  return response;
}

export const config = {
  // Static build assets carry no document; API routes have their own policy (next.config.mjs).
  matcher: ["/((?!api/|_next/static|_next/image|favicon.ico).*)"],
};
