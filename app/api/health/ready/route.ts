import { getDb } from "@/lib/db";
import { isDraining } from "@/lib/shutdown";

/** Readiness: send traffic here. 503 while the database does not respond or the process is shutting down (lib/shutdown.ts). */
export async function GET(): Promise<Response> {
  if (isDraining()) return Response.json({ ok: false, error: "shutting down" }, { status: 503 });
  try {
    await getDb().$queryRaw`SELECT 1`;
    return Response.json({ ok: true });
  } catch {
    return Response.json({ ok: false, error: "database unavailable" }, { status: 503 });
  }
}
