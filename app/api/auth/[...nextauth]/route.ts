import NextAuth from "next-auth";
import { getAuthOptions } from "@/lib/auth";
import { rejectMalformedJsonBody } from "@/lib/http/api";

async function handler(req: Request, ctx: { params: Promise<{ nextauth: string[] }> }) {
  // next-auth answers a body it cannot parse with a 500 (fuzzing, e2e/security-hardening.spec.ts).
  const malformed = await rejectMalformedJsonBody(req);
  if (malformed) return malformed;
  return NextAuth(req as never, ctx as never, getAuthOptions());
}

export { handler as GET, handler as POST };
