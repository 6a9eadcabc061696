import { GET as readiness } from "./ready/route";

/** The launcher's and older probes' health check: the same answer as readiness (app/api/health/ready). */
export function GET(): Promise<Response> {
  return readiness();
}
