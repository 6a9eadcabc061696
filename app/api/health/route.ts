import { getDb } from "@/lib/db";

/** Readiness: the app answers and its database responds. Used by the launcher and tests. */
export async function GET(): Promise<Response> {
  try {
    await getDb().$queryRaw`SELECT 1`;
    return Response.json({ ok: true });
  } catch {
    return Response.json({ ok: false, error: "database unavailable" }, { status: 503 });
  }
}
