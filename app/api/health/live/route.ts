/** Liveness: the process answers. No database call, so a database outage never gets the process restarted. */
export function GET(): Response {
  return Response.json({ ok: true });
}
