/** The launcher's and older probes' health check: the same answer as readiness (app/api/health/ready). */
export { GET } from "./ready/route";
