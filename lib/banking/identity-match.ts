/**
 * Compares the user's name and email with the bank's account owners.
 * Pure: no I/O, so the verdict rules are easy to test and to read.
 */
export type IdentityVerdict = "MATCH" | "PARTIAL" | "NO_MATCH" | "UNAVAILABLE";

export interface IdentityComparison {
  verdict: IdentityVerdict;
  nameMatched: boolean;
  emailMatched: boolean;
}

const tokens = (name: string): string[] =>
  name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((t) => t.length > 1);

/**
 * MATCH: an owner's name holds the user's first and last names (email alone
 * is not enough: shared family inboxes are common). PARTIAL: the email
 * matches, or only the last name does. NO_MATCH otherwise. UNAVAILABLE when
 * the bank returned no owners.
 */
export function compareIdentity(
  user: { name: string | null; email: string },
  owners: { names: string[]; emails: string[] }[],
): IdentityComparison {
  if (owners.length === 0 || owners.every((o) => o.names.length === 0 && o.emails.length === 0)) {
    return { verdict: "UNAVAILABLE", nameMatched: false, emailMatched: false };
  }
  const email = user.email.trim().toLowerCase();
  const emailMatched = owners.some((o) => o.emails.some((e) => e.trim().toLowerCase() === email));
  const userTokens = tokens(user.name ?? "");
  const first = userTokens[0];
  const last = userTokens[userTokens.length - 1];
  let nameMatched = false;
  let lastNameMatched = false;
  if (first && last) {
    for (const ownerName of owners.flatMap((o) => o.names)) {
      const ownerTokens = new Set(tokens(ownerName));
      if (ownerTokens.has(first) && ownerTokens.has(last)) nameMatched = true;
      if (userTokens.length > 1 && ownerTokens.has(last)) lastNameMatched = true;
    }
  }
  const verdict: IdentityVerdict = nameMatched ? "MATCH" : emailMatched || lastNameMatched ? "PARTIAL" : "NO_MATCH";
  return { verdict, nameMatched, emailMatched };
}
