import { z } from "zod";

/**
 * Text PostgreSQL can store. A `text` (or `jsonb`) value cannot hold a NUL
 * byte, and a lone UTF-16 surrogate has no UTF-8 form (the driver would
 * store U+FFFD instead): such input is refused at the schema with 400,
 * instead of reaching the database and failing there (a 500 carrying the
 * ORM's error text). Every string a request carries (JSON body, query
 * string, path segment) is read through these. Isomorphic.
 */
export const UNSTORABLE_TEXT = "Contains characters that are not allowed";

// With the u flag, \p{Cs} matches only unpaired surrogates (a valid pair is one code point).
const LONE_SURROGATE = /\p{Cs}/u;

export function isStorableText(value: string): boolean {
  return !value.includes("\u0000") && !LONE_SURROGATE.test(value);
}

/** z.string() that refuses what PostgreSQL text cannot store; chain .trim(), .min(), .max() as usual. */
export function safeText(params?: Parameters<typeof z.string>[0]) {
  return z.string(params).refine(isStorableText, UNSTORABLE_TEXT);
}

/** Any JSON value whose strings (object keys included) are all storable: for free-form fields such as Link's metadata. */
export function safeJson() {
  return z.unknown().refine(isStorableJson, UNSTORABLE_TEXT);
}

function isStorableJson(value: unknown, depth = 0): boolean {
  if (depth > 32) return false;
  if (typeof value === "string") return isStorableText(value);
  if (Array.isArray(value)) return value.every((item) => isStorableJson(item, depth + 1));
  if (value !== null && typeof value === "object")
    return Object.entries(value).every(([key, item]) => isStorableText(key) && isStorableJson(item, depth + 1));
  return true;
}
