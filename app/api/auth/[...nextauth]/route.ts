import NextAuth from "next-auth";
import { NextRequest } from "next/server";
import { getAuthOptions } from "@/lib/auth";
import { rejectMalformedJsonBody } from "@/lib/http/api";

type Context = { params: Promise<{ nextauth: string[] }> };

async function handler(req: Request, ctx: Context) {
  // next-auth answers a body it cannot parse with a 500 (fuzzing, e2e/security-hardening.spec.ts).
  const malformed = await rejectMalformedJsonBody(req);
  if (malformed) return malformed;
  return NextAuth(req as never, ctx as never, getAuthOptions());
}

/** HEAD answers what GET answers, without the body (next-auth itself refuses HEAD with 400). */
async function head(req: Request, ctx: Context) {
  const res = await handler(new NextRequest(req.url, { method: "GET", headers: req.headers }), ctx);
  return new Response(null, { status: res.status, headers: res.headers });
}

export { handler as GET, handler as POST, head as HEAD };
