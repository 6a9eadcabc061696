/**
 * Where a person goes after signing in (the `callbackUrl` query parameter,
 * next-auth's redirect callback, the sign-in form). Isomorphic: the sign-in
 * page and next-auth use it with APP_URL, the form in the browser with its
 * own origin.
 *
 * Only a destination on `origin` is kept, and only as a path (never an
 * absolute URL). Refused, falling back to the dashboard:
 * - anything that parses to another origin or scheme (`https://evil.example`,
 *   `javascript:…`, `http://app@evil.example`);
 * - control characters (browsers drop tabs and newlines: `/\t/evil.example`
 *   is `//evil.example`), backslashes (read as slashes: `/\evil.example`) and
 *   protocol-relative forms (`//evil.example`), also when percent-encoded
 *   (`/%09/`, `/%5C`, `%2F%2F`), at any depth of encoding;
 * - anything that does not start with `/` or `origin`'s scheme.
 */
export const DEFAULT_CALLBACK = "/dashboard";

const MAX_LENGTH = 2048;

export function safeCallbackUrl(value: string | null | undefined, origin: string, fallback = DEFAULT_CALLBACK): string {
  if (!value || value.length > MAX_LENGTH) return fallback;
  let base: URL;
  try {
    base = new URL(origin);
  } catch {
    return fallback;
  }
  if (!value.startsWith("/") && !value.toLowerCase().startsWith(`${base.protocol}//`)) return fallback;
  for (const form of decodings(value)) {
    if (form === null || hasControlOrBackslash(form) || form.startsWith("//")) return fallback;
  }
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base.origin || url.username || url.password) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // The path a browser would follow must itself be a plain same-site path.
  return path.startsWith("/") && !path.startsWith("//") ? path : fallback;
}

/** C0 and C1 control characters, DEL, and backslashes (which URL parsers read as slashes). */
function hasControlOrBackslash(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f) || c === 0x5c) return true;
  }
  return false;
}

/** The value and each percent-decoding of it, until it stops changing; null where decoding fails (malformed escapes). */
function decodings(value: string): (string | null)[] {
  const forms: (string | null)[] = [value];
  let current = value;
  for (let i = 0; i < 5 && current.includes("%"); i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      forms.push(null);
      return forms;
    }
    if (next === current) break;
    forms.push(next);
    current = next;
  }
  // Still encoded after five rounds: not a destination we would have produced.
  if (current.includes("%") && forms.length > 5) forms.push(null);
  return forms;
}
