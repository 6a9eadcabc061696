/**
 * What the admin API and pages accept, from JSON bodies and query strings.
 * Every filter is checked whole before any query runs: a date that is not on
 * the calendar, a range that runs backwards, an unknown status, an overlong
 * text, a page that is not a positive whole number or a cursor this app did
 * not write is a 400 naming the field (the pages show the same message),
 * never a query that fails in the database. Blank fields are ignored.
 */
import { z } from "zod";
import { isStorableText, safeText } from "@/lib/safe-text";
import { PaymentStatus, ReviewStatus } from "@/lib/generated/prisma/enums";

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());

const pageNumber = optional(
  z
    .string()
    .regex(/^[1-9]\d{0,5}$/, "Use a page number from 1")
    .transform(Number)
    .refine((n) => n <= 100_000, "Use a page number from 1 to 100000"),
);

/** YYYY-MM-DD naming a real day (2026-02-30 and 2026-99-99 do not), as the UTC midnight it starts. */
const calendarDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date like 2026-01-31")
  .refine((s) => {
    const [y, m, d] = s.split("-").map(Number) as [number, number, number];
    const at = new Date(Date.UTC(y, m - 1, d));
    return y >= 1970 && at.getUTCFullYear() === y && at.getUTCMonth() === m - 1 && at.getUTCDate() === d;
  }, "Not a date on the calendar");

/** The first instant of a day and the first instant after it (filters are whole UTC days). */
export function dayStart(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}
export function dayEnd(day: string): Date {
  return new Date(dayStart(day).getTime() + 86_400_000);
}

/** Keyset position (created_at, id) of the last row shown, as an opaque query-string value. */
export interface PageCursor {
  createdAt: Date;
  id: string;
}
export function encodeCursor(row: PageCursor): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString("base64url");
}
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const pageCursor = z
  .string()
  .max(200, "Not a valid page cursor")
  .transform((value, ctx): PageCursor => {
    const text = /^[A-Za-z0-9_-]*$/.test(value) ? Buffer.from(value, "base64url").toString("utf8") : "";
    const bar = text.indexOf("|");
    const iso = text.slice(0, bar);
    const id = text.slice(bar + 1);
    const createdAt = new Date(iso);
    if (bar < 0 || !ISO_INSTANT.test(iso) || Number.isNaN(createdAt.getTime()) || !/^[\w-]{1,100}$/.test(id) || !isStorableText(id)) {
      ctx.addIssue({ code: "custom", message: "Not a valid page cursor" });
      return z.NEVER;
    }
    return { createdAt, id };
  });

/** A from/to pair must run forwards (the same day twice is that day). */
function rangeForwards<T extends { from?: string; to?: string }>(value: T, ctx: z.RefinementCtx) {
  if (value.from && value.to && value.from > value.to) ctx.addIssue({ code: "custom", path: ["to"], message: "Must not be before From" });
}

/** Audit log filter (query string): actor (email or user id), action (prefix), target (type and/or id), date range, page cursor. */
export const auditFilterSchema = z
  .object({
    actor: optional(safeText().trim().max(320)),
    action: optional(safeText().trim().max(100)),
    targetType: optional(safeText().trim().max(50)),
    targetId: optional(safeText().trim().max(100)),
    from: optional(calendarDay),
    to: optional(calendarDay),
    cursor: optional(pageCursor),
  })
  .superRefine(rangeForwards);
export type AuditFilter = z.infer<typeof auditFilterSchema>;

const dollars = z
  .string()
  .trim()
  .regex(/^\d{1,9}(\.\d{1,2})?$/, "Enter an amount like 25 or 25.50")
  .transform((s) => Math.round(Number(s) * 100));

/** The payments filter (list and CSV export), as it arrives in a query string. */
export const paymentFilterSchema = z
  .object({
    status: optional(z.enum(PaymentStatus, "Choose a payment status")),
    from: optional(calendarDay),
    to: optional(calendarDay),
    email: optional(safeText().trim().toLowerCase().max(320)),
    minAmount: optional(dollars),
    maxAmount: optional(dollars),
    cursor: optional(pageCursor),
  })
  .superRefine((value, ctx) => {
    rangeForwards(value, ctx);
    if (value.minAmount !== undefined && value.maxAmount !== undefined && value.minAmount > value.maxAmount)
      ctx.addIssue({ code: "custom", path: ["maxAmount"], message: "Must not be below the minimum" });
  });
export type PaymentFilter = z.infer<typeof paymentFilterSchema>;

/** The filter fields a form sends (what the pages keep in their links), without the page cursor. */
export const AUDIT_FILTER_FIELDS = ["actor", "action", "targetType", "targetId", "from", "to"] as const;
export const PAYMENT_FILTER_FIELDS = ["status", "from", "to", "email", "minAmount", "maxAmount"] as const;

export const reviewQuerySchema = z.object({ page: pageNumber, status: optional(z.enum(ReviewStatus, "Choose a review status")) });
export const userQuerySchema = z.object({ q: optional(safeText().trim().max(200)), page: pageNumber });
export const reviewDecisionSchema = z.object({
  decision: z.enum(["approve", "block"], "Choose approve or block"),
  /** Why a block is lifted (approving a blocked account needs it). */
  reason: safeText().trim().min(1, "Say why").max(500, "Keep the reason under 500 characters").optional(),
});
/** Refunding a payment: why (kept in the audit log). */
export const refundSchema = z.object({
  reason: safeText("Say why the payment is refunded")
    .trim()
    .min(1, "Say why the payment is refunded")
    .max(500, "Keep the reason under 500 characters"),
});
export const userStatusSchema = z.object({ disabled: z.boolean("disabled must be true or false") });
export const settingsSchema = z.object({ allowFundingBeforeReview: z.boolean("allowFundingBeforeReview must be true or false") });

/** Query-string values (URLSearchParams or Next's searchParams) to a plain object for the schemas: the first of repeated keys. */
export function searchParamsObject(params: URLSearchParams | Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  if (params instanceof URLSearchParams) {
    for (const [k, v] of params) out[k] ??= v;
  } else {
    for (const [k, v] of Object.entries(params)) if (v !== undefined) out[k] = Array.isArray(v) ? (v[0] ?? "") : v;
  }
  return out;
}

/** Field → first message, for a 400 body or a page's form. */
export function issueFields(error: { issues: { path: PropertyKey[]; message: string }[] }): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) fields[issue.path.map(String).join(".") || "query"] ??= issue.message;
  return fields;
}
