/**
 * Where a spreadsheet may start reading a cell: the start of the field, and
 * the start of every segment after a separator it may split on when it
 * imports the file (`,` `;` tab, a line break; which one depends on the
 * locale and the import dialog), spaces skipped.
 */
const FORMULA_AT_SEGMENT_START = /(?<=^|[;,\t\r\n])( *)([=+\-@\t\r])/g;

/**
 * CSV cells per RFC 4180, safe to open in a spreadsheet: a formula
 * character (= + - @, or a tab / carriage return, which some spreadsheets
 * strip before evaluating) where a cell may start is prefixed with ' (as
 * OWASP advises) so it is never run as a formula, and the text stays
 * readable; cells with a comma, quote or line break are quoted, quotes
 * doubled. Only text is neutralised: numbers, booleans and dates are ours.
 */
export function csvCell(value: string | number | boolean | null | undefined | Date): string {
  if (value === null || value === undefined) return "";
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (typeof value === "string") text = text.replace(FORMULA_AT_SEGMENT_START, "$1'$2");
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: Parameters<typeof csvCell>[0][]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}
