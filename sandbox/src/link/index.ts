/**
 * Plaid Link stand-in (see README.md): the script the app loads instead of
 * Plaid's CDN one, the Link iframe UI, and the JSON endpoints that UI calls.
 *
 *   GET  /link/v2/stable/link-initialize.js   window.Plaid.create(...)
 *   GET  /link/ui?token=…&origin=…&channel=…  the iframe document
 *   GET  /link/ui.js, /link/ui.css             its script and styles
 *   POST /link/api/<session|institutions|credentials|mfa|complete|oauth>
 *   GET|POST /link/oauth/authorize?state=…     an OAuth bank's login page (see oauth-page.ts)
 */
import type { SandboxContext, SandboxModule } from "../core/context.js";
import { header, type SandboxRequest, type SandboxResponse } from "../core/http.js";
import { LinkApi } from "./api.js";
import { clientCss, clientScript } from "./assets.js";
import { oauthPage } from "./oauth-page.js";

export const LINK_SCRIPT_PATH = "/link/v2/stable/link-initialize.js";
const OAUTH_PAGE_PATH = "/link/oauth/authorize";

function script(body: string): SandboxResponse {
  return {
    status: 200,
    headers: {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "no-cache",
      // The app's page loads it cross-origin; a crossorigin attribute must not break it.
      "access-control-allow-origin": "*",
    },
    body,
  };
}

/** The sandbox origin as the browser reached it (fallback when document.currentScript is unavailable). */
function requestOrigin(req: SandboxRequest, publicUrl: string): string {
  const host = header(req, "host");
  if (host && /^[A-Za-z0-9.\-[\]:]+$/.test(host)) return `http://${host}`;
  return new URL(publicUrl).origin;
}

const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

export const UI_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Plaid Link (local sandbox)</title>
<link rel="stylesheet" href="/link/ui.css">
</head>
<body>
<div class="backdrop" aria-hidden="true"></div>
<div id="dialog" class="dialog" role="dialog" aria-modal="true" aria-labelledby="view-heading" hidden>
  <div class="bar">
    <span class="brand">Plaid Link <span class="badge">local sandbox</span></span>
    <button type="button" id="close" class="close" aria-label="Close"><span aria-hidden="true">&times;</span></button>
  </div>
  <div id="view" class="view"></div>
  <div id="announcer" class="visually-hidden" role="status" aria-live="polite"></div>
</div>
<script src="/link/ui.js"></script>
</body>
</html>
`;

export function createLinkModule(context: SandboxContext): SandboxModule {
  const api = new LinkApi(context);
  return {
    name: "link",
    route(method, path) {
      if (path.startsWith("/link/api/")) {
        const name = path.slice("/link/api/".length);
        return (req) => api.handle(name, req);
      }
      if (path === OAUTH_PAGE_PATH && (method === "GET" || method === "POST")) return (req) => oauthPage(api, req);
      if (method !== "GET" && method !== "HEAD") return undefined;
      switch (path) {
        case LINK_SCRIPT_PATH:
          return async (req) =>
            script(
              `(function (__SANDBOX_ORIGIN__) {\n${await clientScript("initialize")}})(${JSON.stringify(requestOrigin(req, context.config.publicUrl))});\n`,
            );
        case "/link/ui":
          return () => ({
            status: 200,
            headers: {
              "content-type": "text/html; charset=utf-8",
              "cache-control": "no-store",
              "content-security-policy": UI_CSP,
              "referrer-policy": "no-referrer",
            },
            body: UI_HTML,
          });
        case "/link/ui.js":
          return async () => script(await clientScript("ui"));
        case "/link/ui.css":
          return () => ({
            status: 200,
            headers: { "content-type": "text/css; charset=utf-8", "cache-control": "no-cache" },
            body: clientCss(),
          });
        default:
          return undefined;
      }
    },
    inspect() {
      return { script: `${context.config.publicUrl}${LINK_SCRIPT_PATH}`, open_sessions: api.size };
    },
  };
}
