/** Sign-in/sign-up failures with the exact text a person sees. Never says whether an email exists. */
export class AuthError extends Error {
  constructor(
    readonly code: "invalid" | "throttled" | "disabled",
    message: string,
  ) {
    super(message);
    this.name = "AuthError";
  }
}

export const INVALID_CREDENTIALS = "Invalid email or password.";

export function throttledMessage(until: Date, now = new Date()): string {
  const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
  return `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}
