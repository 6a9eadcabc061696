/**
 * Issue 7.7 (config part): the Content-Security-Policy proxy.ts sends
 * (lib/http/security-headers.ts) for local and remote mode, development and
 * production, and the fixed headers of next.config.mjs. The e2e spec
 * e2e/security-hardening.spec.ts checks them on the running production
 * server, and the whole browser suite runs under the policy.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { NextConfig } from "next";
import { describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { contentSecurityPolicy } from "@/lib/http/security-headers";

type Header = { key: string; value: string };
// Loaded by URL: next.config.mjs is plain JavaScript without type declarations.
const configModule = (await import(pathToFileURL(path.resolve(import.meta.dirname, "../../next.config.mjs")).href)) as {
  default: NextConfig;
  securityHeaders(env: Record<string, string>): Header[];
  API_CONTENT_SECURITY_POLICY: string;
};

const NONCE = "bm9uY2Utb2YtdGhpcy1yZXF1ZXN0";

function csp(env: Record<string, string>, nonce = NONCE): Map<string, string> {
  return new Map(
    contentSecurityPolicy(env, nonce)
      .split(";")
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => [d.split(" ")[0]!, d.includes(" ") ? d.slice(d.indexOf(" ") + 1) : ""]),
  );
}

describe("security headers", () => {
  it("next.config.mjs sends the fixed headers on every path", async () => {
    const rules = await configModule.default.headers!();
    expect(rules.map((r) => r.source)).toEqual(["/:path*", "/reset-password", "/verify-email", "/api/:path*"]);
    // The reset and verification pages carry a token in their URL: they override the referrer policy so none leaves them (a later rule wins).
    for (const page of ["/reset-password", "/verify-email"])
      expect(rules.find((r) => r.source === page)!.headers, page).toEqual([{ key: "Referrer-Policy", value: "no-referrer" }]);
    const fixed = Object.fromEntries(configModule.securityHeaders({ NODE_ENV: "production" }).map((h) => [h.key, h.value]));
    expect(fixed).toMatchObject({
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "strict-origin-when-cross-origin",
      "X-Frame-Options": "DENY",
    });
    expect(fixed["Strict-Transport-Security"]).toMatch(/^max-age=\d{8,}; includeSubDomains$/);
    expect(configModule.securityHeaders({ NODE_ENV: "development" }).find((h) => h.key === "Strict-Transport-Security")).toBeUndefined();
  });

  it("API responses: a fixed policy that allows nothing to load, run or frame them; the proxy skips them", async () => {
    const rules = await configModule.default.headers!();
    expect(rules.find((r) => r.source === "/api/:path*")!.headers).toEqual([
      { key: "Content-Security-Policy", value: configModule.API_CONTENT_SECURITY_POLICY },
    ]);
    const policy = new Map(configModule.API_CONTENT_SECURITY_POLICY.split(";").map((d) => d.trim().split(" ") as [string, string]));
    expect(policy.get("default-src")).toBe("'none'");
    expect(policy.get("frame-ancestors")).toBe("'none'");
    const { config } = await import("../../proxy");
    const matcher = new RegExp(`^${config.matcher[0]!.replace("/(", "/(?:")}$`);
    for (const page of ["/", "/dashboard", "/admin/payments", "/signin"]) expect(matcher.test(page), page).toBe(true);
    for (const skipped of ["/api/payments", "/api/health", "/_next/static/chunks/a.js"]) expect(matcher.test(skipped), skipped).toBe(false);
  });

  it("local mode: the sandbox origin for Link's script and frame, nothing else foreign", () => {
    const d = csp({ NODE_ENV: "production", SANDBOX_URL: "http://127.0.0.1:4110" });
    // Scripts run only with this response's nonce, and what they load ('strict-dynamic': Next's chunks, Link's script).
    expect(d.get("script-src")).toBe(`'self' 'nonce-${NONCE}' 'strict-dynamic' http://127.0.0.1:4110`);
    expect(d.get("form-action")).toBe("'self'");
    expect(d.get("frame-src")).toBe("http://127.0.0.1:4110");
    expect(d.get("connect-src")).toBe("'self'");
    expect(d.get("frame-ancestors")).toBe("'none'");
    expect(d.get("object-src")).toBe("'none'");
    expect(d.get("base-uri")).toBe("'self'");
    expect(d.get("default-src")).toBe("'self'");
    expect([...d.values()].join(" ")).not.toMatch(/plaid\.com|\*|unsafe-eval/);
    expect(d.has("upgrade-insecure-requests")).toBe(false);
  });

  it("remote mode: cdn.plaid.com script + frame only, Plaid's API for its environment, never the sandbox", () => {
    const d = csp({
      NODE_ENV: "production",
      PLAID_CLIENT_ID: "x",
      PLAID_SECRET: "y",
      STRIPE_SECRET_KEY: "sk_test_x",
      PLAID_ENV: "production",
      APP_URL: "https://fundwell.example",
    });
    expect(d.get("script-src")).toBe(`'self' 'nonce-${NONCE}' 'strict-dynamic' https://cdn.plaid.com/link/v2/stable/link-initialize.js`);
    expect(d.get("form-action")).toBe("'self'");
    expect(d.get("frame-src")).toBe("https://cdn.plaid.com/");
    expect(d.get("connect-src")).toBe("'self' https://production.plaid.com/");
    expect(d.has("upgrade-insecure-requests")).toBe(true);
    expect([...d.values()].join(" ")).not.toMatch(/127\.0\.0\.1|localhost|unsafe-eval/);
    expect(
      csp({ NODE_ENV: "production", PLAID_CLIENT_ID: "x", PLAID_SECRET: "y", STRIPE_SECRET_KEY: "sk_test_x" }).get("connect-src"),
    ).toBe("'self' https://sandbox.plaid.com/");
  });

  it("no 'unsafe-inline' for scripts in any mode; styles keep it (React and Link set style attributes)", () => {
    for (const env of <Record<string, string>[]>[
      { NODE_ENV: "production" },
      { NODE_ENV: "development" },
      { NODE_ENV: "production", PLAID_CLIENT_ID: "x", PLAID_SECRET: "y", STRIPE_SECRET_KEY: "sk_test_x" },
    ]) {
      const d = csp(env);
      expect(d.get("script-src")).not.toContain("'unsafe-inline'");
      expect(d.get("script-src")).toContain(`'nonce-${NONCE}'`);
      expect(d.get("style-src")).toBe("'self' 'unsafe-inline'");
      expect(d.get("form-action")).toBe("'self'");
    }
  });

  it("proxy.ts: a fresh nonce per request, in the response's policy and in the request Next renders with", async () => {
    const { proxy } = await import("../../proxy");
    const seen = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const res = proxy(new NextRequest("http://localhost:3000/dashboard"));
      const policy = res.headers.get("content-security-policy")!;
      const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
      expect(nonce).toMatch(/^[A-Za-z0-9+/]{22,}={0,2}$/);
      expect(Buffer.from(nonce!, "base64").length).toBeGreaterThanOrEqual(16);
      seen.add(nonce!);
      // NextResponse.next({ request: { headers } }): Next renders the page with these request headers and reads the nonce from the CSP.
      expect(res.headers.get("x-middleware-request-content-security-policy")).toBe(policy);
      expect(res.headers.get("x-middleware-request-x-nonce")).toBe(nonce);
      expect(res.headers.get("x-middleware-override-headers")).toMatch(/content-security-policy/);
    }
    expect(seen.size).toBe(5);
  });

  it("eval and websockets only for next dev", () => {
    expect(csp({ NODE_ENV: "development" }).get("script-src")).toContain("'unsafe-eval'");
    expect(csp({ NODE_ENV: "development" }).get("connect-src")).toContain("ws:");
    expect(csp({ NODE_ENV: "production" }).get("connect-src")).not.toContain("ws:");
  });
});
