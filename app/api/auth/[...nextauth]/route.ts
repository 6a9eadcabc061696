import NextAuth from "next-auth";
import { NextRequest } from "next/server";
import { getAuthOptions } from "@/lib/auth";
import { rejectMalformedJsonBody } from "@/lib/http/api";
import { BODY_LIMITS, readBody } from "@/lib/http/body";

type Context = { params: Promise<{ nextauth: string[] }> };

/**
 * next-auth reads the body itself (`req.json()` or `req.text()`, whole): a
 * POST's body is read here first, capped like the JSON API's (413 beyond),
 * and next-auth gets a copy of the request carrying that text.
 */
async function handler(req: Request, ctx: Context) {
  let forwarded = req;
  if (req.method === "POST") {
    const read = await readBody(req, BODY_LIMITS.json);
    if ("response" in read) return read.response;
    // next-auth answers a body it cannot parse with a 500 (fuzzing, e2e/security-hardening.spec.ts).
    const malformed = rejectMalformedJsonBody(req, read.text);
    if (malformed) return malformed;
    forwarded = new NextRequest(req.url, { method: "POST", headers: req.headers, body: read.text });
  }
  return NextAuth(forwarded as never, ctx as never, getAuthOptions());
}

/** HEAD answers what GET answers, without the body (next-auth itself refuses HEAD with 400). */
async function head(req: Request, ctx: Context) {
  const res = await handler(new NextRequest(req.url, { method: "GET", headers: req.headers }), ctx);
  return new Response(null, { status: res.status, headers: res.headers });
}

export { handler as GET, handler as POST, head as HEAD };
