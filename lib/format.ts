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
