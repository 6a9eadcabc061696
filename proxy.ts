import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy } from "@/lib/http/security-headers";

/**
 * Adds the Content-Security-Policy to every page, with a fresh nonce per
 * request, computed from this server's environment
 * (lib/http/security-headers.ts). The policy also goes on the request Next
 * renders the page with: Next reads the nonce from it and puts it on its own
 * scripts, and app/layout.tsx reads it (`x-nonce`) for the Link stand-in's
 * tag. API responses get a fixed, stricter policy from next.config.mjs, as
 * do the other security headers (nosniff, referrer policy, HSTS, …): the
 * proxy runs on pages only.
 */
export function proxy(request: NextRequest): NextResponse {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64");
  const policy = contentSecurityPolicy(process.env, nonce);
  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set("Content-Security-Policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

export const config = {
  // Static build assets carry no document; API routes have their own policy (next.config.mjs).
  matcher: ["/((?!api/|_next/static|_next/image|favicon.ico).*)"],
};
