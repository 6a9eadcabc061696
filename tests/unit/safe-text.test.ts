import { describe, expect, it } from "vitest";
import { safeJson, safeText } from "@/lib/safe-text";
import { signInSchema, signUpSchema } from "@/lib/auth/credentials";

describe("safeText: what PostgreSQL text can store", () => {
  it.each(["a\u0000b", "\u0000", "lone \ud800 high", "lone \udc00 low", "end \ud83d"])("refuses %j", (value) => {
    expect(safeText().safeParse(value).success).toBe(false);
  });

  it.each(["plain", "", "emoji 🏦 (a surrogate pair)", "tab\tand newline\n", "ünïcödé"])("keeps %j", (value) => {
    expect(safeText().safeParse(value)).toEqual({ success: true, data: value });
  });

  it("chains like z.string()", () => {
    expect(safeText().trim().min(1).max(3).safeParse("  ab ")).toEqual({ success: true, data: "ab" });
    expect(safeText().trim().min(1).safeParse("   ").success).toBe(false);
  });

  it("safeJson checks strings at any depth, keys included", () => {
    expect(safeJson().safeParse({ a: [{ b: "ok" }], n: 1, z: null }).success).toBe(true);
    expect(safeJson().safeParse({ a: [{ b: "x\u0000" }] }).success).toBe(false);
    expect(safeJson().safeParse({ ["k\u0000"]: 1 }).success).toBe(false);
  });
});

describe("sign-in and sign-up schemas refuse NUL bytes in every field", () => {
  it.each([
    { email: "a\u0000@example.test", password: "p" },
    { email: "a@example.test", password: "p\u0000" },
  ])("sign-in %j", (input) => {
    expect(signInSchema.safeParse(input).success).toBe(false);
  });

  it.each([
    { name: "N\u0000", email: "a@example.test", password: "long enough password" },
    { name: "N", email: "a\u0000@example.test", password: "long enough password" },
    { name: "N", email: "a@example.test", password: "long enough\u0000password" },
  ])("sign-up %j", (input) => {
    expect(signUpSchema.safeParse(input).success).toBe(false);
  });

  it("keeps the sign-up messages people see", () => {
    const result = signUpSchema.safeParse({ name: "N", email: "not an email", password: "short" });
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((i) => i.message);
    expect(messages).toContain("Enter a valid email address");
    expect(messages).toContain("Use at least 10 characters");
  });
});
