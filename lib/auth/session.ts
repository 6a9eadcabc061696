import { cache } from "react";
import { cookies } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { getDb, type User } from "@/lib/db";
import { getAuthOptions } from "./options";
import { readSessionClaims } from "./session-token";

/**
 * The signed-in user, re-read from the database on every request so that a
 * disabled user or a bumped session version takes effect at once. Cached per
 * request (React cache), so a page and its components share one query.
 *
 * Reads next-auth's session cookie directly (lib/auth/session-token.ts)
 * rather than through getServerSession, which would also re-encrypt a
 * refreshed cookie that a server component or route cannot send anyway.
 */
export const getCurrentUser = cache(async (): Promise<User | null> => {
  const claims = await readSessionClaims(await cookies(), getAuthOptions().secret!);
  if (!claims) return null;
  const user = await getDb().user.findUnique({ where: { id: claims.userId } });
  if (!user || user.disabled || user.sessionVersion !== claims.sessionVersion) return null;
  return user;
});

/** Page guard: sends anonymous visitors to sign-in and back here afterwards. */
export async function requireUser(returnTo: string): Promise<User> {
  const user = await getCurrentUser();
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(returnTo)}`);
  return user;
}

/** Page guard for /admin: anonymous → sign-in, signed-in non-admin → 403 page. */
export async function requireAdmin(returnTo: string): Promise<User> {
  const user = await requireUser(returnTo);
  if (user.role !== "ADMIN") forbidden();
  return user;
}
