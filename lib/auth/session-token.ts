import "server-only";
import { decode } from "next-auth/jwt";

/** What a request's session cookie proves: who signed in, and at which session version. */
export interface SessionClaims {
  userId: string;
  sessionVersion: number;
  /** The user_sessions row of this sign-in (lib/auth/sessions.ts). */
  sessionId: string;
}

interface CookieReader {
  get(name: string): { value: string } | undefined;
  getAll(): { name: string; value: string }[];
}

/** next-auth's cookie name: `__Secure-` prefixed when the app is served over https (as next-auth decides it). */
export const sessionCookieName = (appUrl = process.env.NEXTAUTH_URL): string =>
  appUrl?.startsWith("https://") ? "__Secure-next-auth.session-token" : "next-auth.session-token";

/** The token, whole or from next-auth's chunks (`name.0`, `name.1`, … when it exceeds a cookie's 4 KB). */
export function sessionTokenOf(jar: CookieReader, name = sessionCookieName()): string | null {
  const whole = jar.get(name)?.value;
  if (whole) return whole;
  const chunks = jar
    .getAll()
    .filter((c) => c.name.startsWith(`${name}.`) && /^\d+$/.test(c.name.slice(name.length + 1)))
    .sort((a, b) => Number(a.name.slice(name.length + 1)) - Number(b.name.slice(name.length + 1)));
  return chunks.length ? chunks.map((c) => c.value).join("") : null;
}

// Decrypting a session token (key derivation + AES-GCM) on every request is
// measurable under load; tokens are immutable, so each is decoded once and
// remembered until it expires. Bounded: the oldest entries go first.
const MAX_CACHED = 5_000;
const decoded = new Map<string, { claims: SessionClaims; expiresAt: number }>();

/**
 * The claims of the request's next-auth session cookie, or null when there
 * is none, it does not decrypt with our secret, or it has expired. Whether
 * the user may still act (disabled, session version bumped) is for the
 * caller to check against the database.
 */
export async function readSessionClaims(jar: CookieReader, secret: string): Promise<SessionClaims | null> {
  const token = sessionTokenOf(jar);
  if (!token) return null;
  const hit = decoded.get(token);
  if (hit && hit.expiresAt > Date.now()) return hit.claims;
  if (hit) decoded.delete(token);

  let jwt;
  try {
    jwt = await decode({ token, secret });
  } catch {
    return null; // not ours, tampered with, or expired
  }
  if (!jwt?.uid || typeof jwt.sv !== "number" || typeof jwt.sid !== "string" || typeof jwt.exp !== "number") return null;
  const claims = { userId: jwt.uid, sessionVersion: jwt.sv, sessionId: jwt.sid };
  if (decoded.size >= MAX_CACHED) decoded.delete(decoded.keys().next().value!);
  decoded.set(token, { claims, expiresAt: jwt.exp * 1000 });
  return claims;
}
