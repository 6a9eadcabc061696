/**
 * Arguments for `next start`, shared by the launcher (scripts/run.ts) and the
 * benchmark (bench/run.ts), so both serve the production build the same way.
 *
 * Idle connections are kept longer than the clients and proxies in front of
 * us keep them (load balancers commonly hold them 60 s): with Node's 5 s
 * default, a client that reuses a connection just as the server closes it
 * gets ECONNRESET, and a funding POST would have to be retried.
 */
export function nextStartArgs(port: number, hostname: string): string[] {
  return ["start", "--port", String(port), "--hostname", hostname, "--keepAliveTimeout", "65000"];
}
