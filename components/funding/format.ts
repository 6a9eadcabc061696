const dateTime = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short" });

export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

/**
 * Dollars as typed ("25", "25.5", "$1,000.00") to whole cents, without
 * floating-point rounding; null when it is not an amount.
 */
export function dollarsToCents(input: string): number | null {
  const cleaned = input.trim().replace(/^\$\s*/, "").replace(/,/g, "");
  const match = /^(\d{1,9})(?:\.(\d{0,2}))?$/.exec(cleaned) ?? /^()\.(\d{1,2})$/.exec(cleaned);
  if (!match) return null;
  const whole = Number(match[1] || "0");
  const fraction = Number((match[2] ?? "").padEnd(2, "0") || "0");
  return whole * 100 + fraction;
}
