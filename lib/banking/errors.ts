/** A linking/funding failure with the HTTP status, a stable code and the message a person sees. */
export class BankingError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "BankingError";
  }
}

/** The actor a hot path confirmed in SQL (lib/auth/actor.ts) may no longer act: disabled, or signed out everywhere. */
export const signedOut = () => new BankingError(401, "SIGNED_OUT", "Please sign in.");
export const notFound = (what: string) => new BankingError(404, "NOT_FOUND", `${what} not found.`);
export const upstreamUnavailable = (who: "bank" | "payment processor") =>
  new BankingError(502, "UPSTREAM_UNAVAILABLE", `We couldn't reach your ${who} just now. Please try again in a moment.`);
