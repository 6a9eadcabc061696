/**
 * Fixed security headers on every response (docs/hardening.md). The
 * Content-Security-Policy depends on the server's mode (local sandbox or
 * real Plaid), which is known only at run time: proxy.ts adds it
 * (lib/http/security-headers.ts).
 */
export function securityHeaders(env = process.env) {
  const production = env.NODE_ENV === "production";
  return [
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
    { key: "X-Frame-Options", value: "DENY" },
    { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
    // Plaid Link opens OAuth banks in a pop-up it talks to.
    { key: "Cross-Origin-Opener-Policy", value: "same-origin-allow-popups" },
    // Browsers ignore HSTS over plain http, so it is harmless on a local production run.
    ...(production ? [{ key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" }] : []),
  ];
}

/**
 * The Content-Security-Policy of API responses: JSON loads nothing, runs
 * nothing and is framed by no one. Fixed, so it is sent from here and
 * proxy.ts (the per-request page policy, lib/http/security-headers.ts) stays
 * off the API's hot path.
 */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Browser-test builds go to their own folder (e2e/support/server.ts) so they
  // never overwrite the dev server's .next or each other's.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  reactStrictMode: true,
  poweredByHeader: false,
  // Browser-test builds skip Next's own type check: `npm test` runs `tsc` over
  // the whole project just before (a second check cost ~20 s of CPU per run).
  typescript: { ignoreBuildErrors: process.env.NEXT_SKIP_TYPECHECK === "1" },
  // forbidden() + app/forbidden.tsx give non-admins a real 403 page.
  experimental: { authInterrupts: true },
  // Native or WASM packages loaded from node_modules at run time, not bundled.
  serverExternalPackages: ["@node-rs/argon2", "pg", "@prisma/adapter-pg", "@electric-sql/pglite"],
  async headers() {
    return [
      {
        source: "/:path*",
        headers: securityHeaders(),
      },
      // A reset link's token is in this page's URL: no Referer leaves it (the page's meta says so too).
      {
        source: "/reset-password",
        headers: [{ key: "Referrer-Policy", value: "no-referrer" }],
      },
      // The same for a verification link's token.
      {
        source: "/verify-email",
        headers: [{ key: "Referrer-Policy", value: "no-referrer" }],
      },
      {
        source: "/api/:path*",
        headers: [{ key: "Content-Security-Policy", value: API_CONTENT_SECURITY_POLICY }],
      },
    ];
  },
};

export default nextConfig;
