/**
 * The Content-Security-Policy of pages (docs/hardening.md), built per
 * request by proxy.ts from the server's environment at run time (the same
 * rule as lib/config: Plaid/Stripe keys set = remote mode), so one
 * production build serves both a local-mode and a remote-mode server.
 *
 * Scripts run only with this response's nonce: Next puts it on its own
 * bootstrap, chunk and flight scripts (it reads it from the request's CSP
 * header, which proxy.ts sets), app/layout.tsx on the Link stand-in's tag.
 * 'strict-dynamic' lets those scripts load others (Next's chunks,
 * react-plaid-link's Plaid script); a script in injected markup has no
 * nonce and does not run, inline or not. 'self' and Link's origin stay for
 * browsers without 'strict-dynamic' (which then ignore them). Styles keep
 * 'unsafe-inline': React and Link set style attributes, and a style cannot
 * run code. Forms post only to this site; no eval in production, no
 * plugins, no foreign frames but Link's, no <base> rewrite, no framing.
 */
import "server-only";
export function contentSecurityPolicy(env: Record<string, string | undefined>, nonce: string): string {
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
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic' ${linkScript}${production ? "" : " 'unsafe-eval'"}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${plaidApi ? ` ${plaidApi}` : ""}${production ? "" : " ws: wss:"}`,
    `frame-src ${linkFrame}`,
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "manifest-src 'self'",
    "worker-src 'self' blob:",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}
