/**
 * How money and bank accounts read, the same on the server and in the
 * browser. Imports nothing, so client components can use it without pulling
 * server code into their bundle.
 */

const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });

/** Whole cents as US dollars: 123456 → "$1,234.56". */
export function formatUsd(cents: number): string {
  return usd.format(cents / 100);
}

/**
 * A bank account as people see it: "First Platypus Bank ····0000". Where a
 * person picks between their own accounts, pass the account's name too
 * ("First Platypus Bank Plaid Checking ····0000"): one bank often holds
 * several. No institution reads "Bank"; no mask shows no dots at all.
 */
export function bankLabel(account: { institutionName: string | null; mask: string | null }, name?: string): string {
  return `${account.institutionName ?? "Bank"}${name ? ` ${name}` : ""}${account.mask ? ` ····${account.mask}` : ""}`;
}
