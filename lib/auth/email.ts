/** Emails are compared and stored lower-cased and trimmed, so "Ann@X.com" and "ann@x.com" are one account. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
