import "server-only";

/**
 * User text in a LIKE pattern. Prisma's `contains`, `startsWith` and
 * `endsWith` build `LIKE '%' || $1 || '%'` on PostgreSQL without escaping
 * the value, so a `%` or `_` someone types would match anything (a search
 * for "%" returning every user). These filters escape `\`, `%` and `_`
 * (backslash is PostgreSQL's default LIKE escape), so the text is matched
 * literally. Every LIKE-style filter on text from outside goes through here.
 */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, "\\$&");
}

/** `{ contains }` matching `text` literally; spread it to add `mode: "insensitive"`. */
export function containsText(text: string): { contains: string } {
  return { contains: escapeLike(text) };
}

/** `{ startsWith }` matching `text` literally. */
export function startsWithText(text: string): { startsWith: string } {
  return { startsWith: escapeLike(text) };
}
