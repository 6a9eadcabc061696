import { describe, expect, it } from "vitest";
import { auditFilterSchema, encodeCursor, paymentFilterSchema, reviewQuerySchema, userQuerySchema } from "@/lib/admin/schemas";

/** The fields a filter names as wrong, or null when it is accepted. */
function refused(schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[] }[] } } }, raw: unknown) {
  const parsed = schema.safeParse(raw);
  return parsed.success ? null : [...new Set(parsed.error!.issues.map((i) => i.path.map(String).join(".")))];
}

const CURSOR = encodeCursor({ createdAt: new Date("2026-03-04T05:06:07.089Z"), id: "cm0abc" });

describe("admin filters: dates are calendar dates, ranges run forwards", () => {
  describe.each([
    ["audit", auditFilterSchema],
    ["payments", paymentFilterSchema],
  ] as const)("%s", (_name, schema) => {
    it.each([
      "2026-02-30",
      "2026-99-99",
      "2026-13-01",
      "2026-00-10",
      "2026-04-31",
      "2025-02-29",
      "2026-1-01",
      "26-01-01",
      "2026-01-01T00:00",
      "0000-01-01",
      "tomorrow",
      "2026-01-01 ",
    ])("from %j is refused", (from) => {
      expect(refused(schema, { from })).toEqual(["from"]);
      expect(refused(schema, { to: from })).toEqual(["to"]);
    });

    it.each(["2024-02-29", "2026-12-31", "2026-01-01"])("%j is a date", (day) => {
      expect(refused(schema, { from: day, to: day })).toBeNull();
    });

    it("from after to is refused (on `to`); blanks are ignored", () => {
      expect(refused(schema, { from: "2026-05-02", to: "2026-05-01" })).toEqual(["to"]);
      expect(refused(schema, { from: "", to: " " })).toBeNull();
    });

    it("a cursor must be one this app wrote", () => {
      expect(schema.parse({ cursor: CURSOR }).cursor).toEqual({ createdAt: new Date("2026-03-04T05:06:07.089Z"), id: "cm0abc" });
      for (const cursor of [
        "c",
        "not a cursor!",
        Buffer.from("2026-03-04T05:06:07.089Z").toString("base64url"),
        Buffer.from("yesterday|cm0abc").toString("base64url"),
        Buffer.from("2026-03-04T05:06:07.089Z|a\u0000b").toString("base64url"),
        Buffer.from(`2026-03-04T05:06:07.089Z|${"x".repeat(101)}`).toString("base64url"),
        Buffer.from([0xff, 0xfe, 0x7c, 0x80]).toString("base64url"),
      ])
        expect(refused(schema, { cursor }), cursor).toEqual(["cursor"]);
    });
  });

  it("payments: known statuses only, amounts as dollars, min <= max", () => {
    expect(refused(paymentFilterSchema, { status: "BOGUS" })).toEqual(["status"]);
    expect(refused(paymentFilterSchema, { status: "processing" })).toEqual(["status"]);
    expect(refused(paymentFilterSchema, { minAmount: "ten" })).toEqual(["minAmount"]);
    expect(refused(paymentFilterSchema, { maxAmount: "-1" })).toEqual(["maxAmount"]);
    expect(refused(paymentFilterSchema, { minAmount: "20", maxAmount: "10" })).toEqual(["maxAmount"]);
    expect(paymentFilterSchema.parse({ minAmount: "10", maxAmount: "10.5" })).toMatchObject({ minAmount: 1_000, maxAmount: 1_050 });
    expect(refused(paymentFilterSchema, { email: "a".repeat(321) })).toEqual(["email"]);
  });

  it("audit: lengths are bounded", () => {
    expect(refused(auditFilterSchema, { actor: "a".repeat(321) })).toEqual(["actor"]);
    expect(refused(auditFilterSchema, { action: "a".repeat(101) })).toEqual(["action"]);
    expect(refused(auditFilterSchema, { targetType: "a".repeat(51) })).toEqual(["targetType"]);
    expect(refused(auditFilterSchema, { targetId: "a".repeat(101) })).toEqual(["targetId"]);
  });

  it.each(["0", "-1", "1.5", "abc", "1e3", "100001", "0x10", " 2"])("page %j is refused", (page) => {
    expect(refused(userQuerySchema, { page })).toEqual(["page"]);
    expect(refused(reviewQuerySchema, { page })).toEqual(["page"]);
  });

  it("users and reviews: bounded search text, known review statuses", () => {
    expect(userQuerySchema.parse({ page: "2", q: " x " })).toEqual({ page: 2, q: "x" });
    expect(refused(userQuerySchema, { q: "a".repeat(201) })).toEqual(["q"]);
    expect(refused(reviewQuerySchema, { status: "WHATEVER" })).toEqual(["status"]);
    expect(reviewQuerySchema.parse({ status: "BLOCKED" })).toEqual({ status: "BLOCKED" });
  });
});
