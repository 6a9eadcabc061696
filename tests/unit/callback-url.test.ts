import { describe, expect, it } from "vitest";
import { safeCallbackUrl } from "@/lib/auth/callback-url";

const ORIGIN = "http://localhost:3000";

/**
 * The post-sign-in destination (issue "Accounts people can trust"): parsed
 * as a URL against APP_URL; anything that is not this origin, or that a
 * browser could read as another host, falls back to the dashboard.
 */
describe("safeCallbackUrl", () => {
  it.each([
    // the red team's case: a tab after the first slash (browsers drop it: //evil.example)
    ["/\t/evil.example", "tab"],
    ["/%09/evil.example", "encoded tab"],
    ["/%2509/evil.example", "double-encoded tab"],
    ["//evil.example", "protocol-relative"],
    ["//evil.example/dashboard", "protocol-relative with path"],
    ["///evil.example", "three slashes"],
    ["/\\evil.example", "slash backslash"],
    ["\\\\evil.example", "two backslashes"],
    ["/%5Cevil.example", "encoded backslash"],
    ["/%2F/evil.example", "encoded second slash"],
    ["%2F%2Fevil.example", "encoded protocol-relative"],
    ["/\r\n/evil.example", "CR/LF"],
    ["/%0d%0a/evil.example", "encoded CR/LF"],
    ["/dashboard\r\nSet-Cookie: x=1", "header injection"],
    ["/\n/evil.example", "LF"],
    ["/\u0000/evil.example", "NUL"],
    ["/\u007f/evil.example", "DEL"],
    [" /\t/evil.example", "leading space"],
    ["https://evil.example/", "absolute foreign"],
    ["http://evil.example", "absolute foreign without path"],
    ["https://localhost:3000/dashboard", "same host, other scheme"],
    ["http://localhost:3001/dashboard", "same host, other port"],
    ["http://localhost:3000@evil.example/", "userinfo trick"],
    ["http:evil.example", "scheme without slashes"],
    ["http:/evil.example", "scheme with one slash"],
    ["javascript:alert(1)", "javascript:"],
    ["JavaScript:alert(document.cookie)", "javascript: in mixed case"],
    ["java\tscript:alert(1)", "javascript: with a tab"],
    ["data:text/html,<script>alert(1)</script>", "data:"],
    ["evil.example", "no leading slash"],
    ["", "empty"],
  ])("refuses %j (%s)", (value) => {
    expect(safeCallbackUrl(value, ORIGIN)).toBe("/dashboard");
  });

  it.each([
    ["/dashboard", "/dashboard"],
    ["/admin/users?q=a%40b.test&page=2", "/admin/users?q=a%40b.test&page=2"],
    ["/dashboard#transfers", "/dashboard#transfers"],
    ["http://localhost:3000/admin", "/admin"],
    ["http://localhost:3000", "/"],
    ["/", "/"],
  ])("keeps the same-origin destination %j", (value, expected) => {
    expect(safeCallbackUrl(value, ORIGIN)).toBe(expected);
  });

  it("falls back for a missing value", () => {
    expect(safeCallbackUrl(undefined, ORIGIN)).toBe("/dashboard");
    expect(safeCallbackUrl(null, ORIGIN)).toBe("/dashboard");
  });
});
