/**
 * The login page of an OAuth bank (Platypus OAuth Bank, `ins_127287`): where
 * Link sends the app's window when the link token has a `redirect_uri`. A
 * plain server-rendered form, no script: on good credentials it redirects
 * (303) to `redirect_uri?oauth_state_id=…`, where the app re-opens Link with
 * `receivedRedirectUri` and Link continues at account selection.
 */
import { header, type SandboxRequest, type SandboxResponse } from "../core/http.js";
import type { LinkApi } from "./api.js";

const CSP = ["default-src 'none'", "style-src 'self'", "base-uri 'none'"].join("; ");

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(status: number, title: string, body: string): SandboxResponse {
  return {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": CSP,
      "referrer-policy": "no-referrer",
    },
    body: `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title>
<link rel="stylesheet" href="/link/ui.css"></head>
<body class="oauth-bank"><main class="dialog oauth-page">${body}</main></body>
</html>
`,
  };
}

function form(bank: string, state: string, error: string | null): string {
  return `<h1 id="view-heading">Log in to ${escape(bank)}</h1>
<p>Plaid's local sandbox stands in for the bank's own website here. Use the sandbox credentials (user_good / pass_good).</p>
${error ? `<p class="field-error" role="alert">${escape(error)}</p>` : ""}
<form method="post" action="/link/oauth/authorize">
<input type="hidden" name="state" value="${escape(state)}">
<label for="username">Username</label><input id="username" name="username" type="text" autocomplete="off" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="off" required>
<div class="actions"><button type="submit" class="primary">Authorize</button></div>
</form>`;
}

export function oauthPage(api: LinkApi, req: SandboxRequest): SandboxResponse {
  if (req.method === "GET") {
    const state = req.query.get("state") ?? "";
    const bank = api.oauthInstitution(state);
    if (!bank) return page(404, "Link expired", "<h1>This login request has expired</h1><p>Go back to the app and try again.</p>");
    return page(200, `Log in to ${bank}`, form(bank, state, null));
  }
  const type = header(req, "content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded")) return page(415, "Unsupported", "<h1>Send the form</h1>");
  const fields = new URLSearchParams(req.rawBody.toString("utf8"));
  const state = fields.get("state") ?? "";
  const bank = api.oauthInstitution(state);
  const result = api.oauthAuthorize(state, fields.get("username") ?? "", fields.get("password") ?? "");
  if ("redirect" in result) return { status: 303, headers: { location: result.redirect, "cache-control": "no-store" }, body: "" };
  if (!bank) return page(404, "Link expired", `<h1>This login request has expired</h1><p>${escape(result.error)}</p>`);
  return page(200, `Log in to ${bank}`, form(bank, state, result.error));
}
