/**
 * CSV cells per RFC 4180, safe to open in a spreadsheet: a cell starting with
 * = + - @ (or a tab / carriage return, which some spreadsheets strip before
 * evaluating) is prefixed with ' so it is never run as a formula; cells with
 * a comma, quote or line break are quoted, quotes doubled.
 */
export function csvCell(value: string | number | boolean | null | undefined | Date): string {
  if (value === null || value === undefined) return "";
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: Parameters<typeof csvCell>[0][]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}
