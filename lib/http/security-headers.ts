/**
 * The Content-Security-Policy (docs/hardening.md), built per request by
 * proxy.ts from the server's environment at run time (the same rule as
 * lib/config: Plaid/Stripe keys set = remote mode), so one production build
 * serves both a local-mode and a remote-mode server correctly.
 *
 * It allows only what the app and Plaid Link need: in remote mode Plaid's
 * script and iframe from cdn.plaid.com (and Plaid's API for its
 * environment, as Plaid documents), in local mode the sandbox's Link
 * stand-in (SANDBOX_URL). Next's App Router inlines its bootstrap and flight
 * scripts, so script-src carries 'unsafe-inline': nonces would need every
 * page rendered dynamically (a nonce per response), and the statically
 * prerendered pages (/, /signin, /signup) would lose their scripts. The rest
 * (no eval in production, no plugins, no foreign scripts or frames, no
 * <base> rewrite, no framing by anyone) holds either way.
 */
import "server-only";
export function contentSecurityPolicy(env: Record<string, string | undefined> = process.env): string {
  const production = env.NODE_ENV === "production";
  const remote = Boolean(env.PLAID_CLIENT_ID || env.PLAID_SECRET || env.STRIPE_SECRET_KEY);
  let linkScript: string;
  let linkFrame: string;
  let plaidApi: string | null = null;
  if (remote) {
    linkScript = "https://cdn.plaid.com/link/v2/stable/link-initialize.js";
    linkFrame = "https://cdn.plaid.com/";
    plaidApi = env.PLAID_ENV === "production" ? "https://production.plaid.com/" : "https://sandbox.plaid.com/";
  } else {
    let sandbox = "http://127.0.0.1:4010";
    try {
      sandbox = new URL(env.SANDBOX_URL || sandbox).origin;
    } catch {
      // lib/config refuses a malformed SANDBOX_URL at startup; keep the default here.
    }
    linkScript = sandbox;
    linkFrame = sandbox;
  }
  const https = (env.APP_URL ?? "").startsWith("https://");
  return [
    "default-src 'self'",
    // 'unsafe-eval' only for next dev (React Refresh); never in a production build.
    `script-src 'self' 'unsafe-inline' ${linkScript}${production ? "" : " 'unsafe-eval'"}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${plaidApi ? ` ${plaidApi}` : ""}${production ? "" : " ws: wss:"}`,
    `frame-src ${linkFrame}`,
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'self'",
    "manifest-src 'self'",
    "worker-src 'self' blob:",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}
