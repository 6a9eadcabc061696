/**
 * Isomorphic: the fund form shows this text in the browser. Everything else
 * about authorizations (acceptance, revocation) is in lib/funding/mandates.ts.
 *
 * The ACH debit authorization shown before the first debit from a bank
 * account. Bump the version whenever the text changes: acceptances record the
 * version the person saw.
 */
export const MANDATE_TEXT_VERSION = "2026-11-v1";

export function mandateText(input: { institutionName: string | null; mask: string | null }): string {
  const account = `${input.institutionName ?? "your bank"} account ending in ${input.mask ?? "····"}`;
  return (
    `By selecting "I authorize", you authorize Fundwell to debit your ${account} by ACH for the amounts you request ` +
    "to fund your Fundwell balance, now and each time you fund it later, without asking again. You can revoke this " +
    "authorization at any time by removing the bank account or contacting support; revocation does not affect debits " +
    "already started. If a debit is returned, we may debit the account again for the same amount."
  );
}
