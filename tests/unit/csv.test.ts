import { describe, expect, it } from "vitest";
import { csvCell, csvRow } from "@/lib/admin/csv";

/** What a spreadsheet sees in one cell: the RFC 4180 field read back. */
function unquote(cell: string): string {
  return cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell;
}

const FORMULA_START = /^ *[=+\-@\t\r]/;

describe("CSV cells: formula characters are neutralised wherever a spreadsheet could start a cell", () => {
  it.each<[string, string | number | boolean | null | undefined | Date, string]>([
    ["a formula", "=1+1", "'=1+1"],
    ["plus", "+1", "'+1"],
    ["minus", "-1", "'-1"],
    ["at", "@SUM(A1:A9)", "'@SUM(A1:A9)"],
    ["a leading tab", "\t=1", "'\t'=1"],
    ["a leading carriage return", "\r=1", "\"'\r'=1\""],
    ["spaces before the formula", "  =1", "  '=1"],
    [
      "after a semicolon (locales that split on ;)",
      'Bank;=HYPERLINK("http://evil.example")',
      `"Bank;'=HYPERLINK(""http://evil.example"")"`,
    ],
    ["after a semicolon and a space", "Bank; =X", "Bank; '=X"],
    ["after a comma", "Bank,=1+1", '"Bank,\'=1+1"'],
    ["after a tab", "Bank\t@x", "Bank\t'@x"],
    ["after a line break", "Bank\n-2+3", '"Bank\n\'-2+3"'],
    ["after CR LF", "Bank\r\n+2", '"Bank\r\n\'+2"'],
    ["every segment", "=a;=b,=c", "\"'=a;'=b,'=c\""],
    ["a quoted formula", '=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ["a hyphen inside a word", "Smith-Jones", "Smith-Jones"],
    ["an equals sign inside", "a=b", "a=b"],
    ["an email address", "pay.er@example.test", "pay.er@example.test"],
    ["a date", "2026-01-02", "2026-01-02"],
    ["a sentence with a dash", "Insufficient funds - try again", "Insufficient funds - try again"],
    ["commas and quotes", 'a "quoted", text', '"a ""quoted"", text"'],
    ["a negative number (not text)", -5, "-5"],
    ["a boolean", true, "true"],
    ["null", null, ""],
    ["undefined", undefined, ""],
    ["a Date", new Date("2026-01-02T03:04:05.000Z"), "2026-01-02T03:04:05.000Z"],
  ])("%s", (_label, value, expected) => {
    const cell = csvCell(value);
    expect(cell).toBe(expected);
    if (typeof value === "string")
      for (const segment of unquote(cell).split(/[;,\t\r\n]/)) expect(segment, JSON.stringify(segment)).not.toMatch(FORMULA_START);
  });

  it("a row joins cells with commas and ends with CRLF", () => {
    expect(csvRow(["a", 1, null, "=x"])).toBe("a,1,,'=x\r\n");
  });
});
