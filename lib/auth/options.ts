import "server-only";
import type { NextAuthOptions, Profile } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider, { type GithubProfile } from "next-auth/providers/github";
import GoogleProvider from "next-auth/providers/google";
import { headers } from "next/headers";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { clientIp, type ProxyTrust } from "@/lib/client-ip";
import { recordAudit } from "@/lib/audit";
import { authenticateWithPassword, signInSchema } from "./credentials";
import { logger } from "@/lib/log";
import { AuthError } from "./errors";
import { githubVerifiedEmail, providerVerifiedEmail, signInWithOAuth } from "./oauth";
import { revokeSession, startSession } from "./sessions";
import { safeCallbackUrl } from "./callback-url";
import type { SignInErrorCode } from "./sign-in-errors";

declare module "next-auth" {
  interface Session {
    user: { id: string; email: string; name: string | null; role: "USER" | "ADMIN" };
    /** users.session_version when the session began (lib/auth/session.ts compares it). */
    sessionVersion: number;
  }
}
declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    /** users.session_version at sign-in: a bump signs the user out everywhere. */
    sv?: number;
    /** This sign-in's user_sessions row: revoked at sign-out (lib/auth/sessions.ts). */
    sid?: string;
    role?: "USER" | "ADMIN";
  }
}

let options: NextAuthOptions | undefined;

/** The signing-in client, from the request next-auth is handling (none outside a request, e.g. in tests). */
async function requestClient(trust: ProxyTrust): Promise<{ ip: string | null; userAgent: string | null }> {
  try {
    const h = await headers();
    return { ip: clientIp(h, trust), userAgent: h.get("user-agent") };
  } catch {
    return { ip: null, userAgent: null };
  }
}

/** next-auth settings; built on first use so config errors surface at start-up (instrumentation), not import. */
export function getAuthOptions(): NextAuthOptions {
  if (options) return options;
  const config = getConfig();
  process.env.NEXTAUTH_URL ??= config.appUrl;

  options = {
    secret: config.authSecret,
    // JWT sessions: required by next-auth for credentials sign-in. Revocation
    // works through users.session_version (checked on every request).
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    pages: { signIn: "/signin", error: "/signin" },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, req) {
          // next-auth puts what authorize throws into the sign-in URL (?error=): only a code
          // from lib/auth/sign-in-errors.ts, which the page shows as its fixed message.
          const parsed = signInSchema.safeParse(credentials ?? {});
          if (!parsed.success) throw signInError("CredentialsSignin");
          try {
            const user = await authenticateWithPassword(parsed.data, {
              db: getDb(),
              ip: clientIp(req.headers ?? {}, config),
              adminEmails: config.adminEmails,
            });
            return { id: user.id, email: user.email, name: user.name };
          } catch (err) {
            if (err instanceof AuthError) throw signInError(err.code);
            // Anything else (the database, a driver) never reaches the page: logged by name only (a
            // driver's message can quote the input), answered with the generic message.
            logger.error({ error: err instanceof Error ? err.name : "error" }, "credentials sign-in failed");
            throw signInError("CredentialsSignin");
          }
        },
      }),
      ...(config.oauth.github
        ? [
            GitHubProvider({
              clientId: config.oauth.github.clientId,
              clientSecret: config.oauth.github.clientSecret,
              // GitHub's profile does not say whether its email is verified: ask for the primary, verified one.
              userinfo: {
                url: "https://api.github.com/user",
                async request({ tokens }) {
                  const get = (path: string) =>
                    fetch(`https://api.github.com${path}`, {
                      headers: { Authorization: `Bearer ${tokens.access_token}`, "User-Agent": "fundwell" },
                    });
                  const profile = (await (await get("/user")).json()) as GithubProfile;
                  const email = githubVerifiedEmail(await (await get("/user/emails")).json());
                  // next-auth's own GitHub profile() maps the rest; it reads what this returns.
                  return { ...profile, email, email_verified: email !== null } as unknown as Profile;
                },
              },
            }),
          ]
        : []),
      ...(config.oauth.google
        ? [GoogleProvider({ clientId: config.oauth.google.clientId, clientSecret: config.oauth.google.clientSecret })]
        : []),
    ],
    callbacks: {
      // The same rule as the sign-in page: a path on APP_URL, or the dashboard.
      redirect({ url }) {
        return new URL(safeCallbackUrl(url, config.appUrl), config.appUrl).toString();
      },
      async signIn({ user, account, profile }) {
        if (!account || account.provider === "credentials") return true;
        const result = await signInWithOAuth(getDb(), {
          provider: account.provider,
          providerAccountId: account.providerAccountId,
          type: account.type,
          email: user.email ?? null,
          emailVerified: providerVerifiedEmail(profile),
          name: user.name ?? null,
          adminEmails: config.adminEmails,
        });
        if (!result.ok) return `/signin?error=${result.error}`;
        user.id = result.userId; // read by the jwt callback below
        return true;
      },
      async jwt({ token, user }) {
        if (user) {
          const db = getDb();
          const dbUser = await db.user.findUniqueOrThrow({ where: { id: user.id } });
          token.uid = dbUser.id;
          token.sv = dbUser.sessionVersion;
          token.role = dbUser.role;
          token.sid = await startSession(db, dbUser.id, await requestClient(config));
        }
        return token;
      },
      async session({ session, token }) {
        session.user = { id: token.uid ?? "", email: token.email ?? "", name: token.name ?? null, role: token.role ?? "USER" };
        session.sessionVersion = token.sv ?? -1;
        return session;
      },
    },
    events: {
      async signOut({ token }) {
        if (!token?.uid) return;
        if (token.sid) await revokeSession(getDb(), token.sid, token.uid);
        await recordAudit(getDb(), { actorId: token.uid, action: "auth.sign_out" });
      },
    },
  };
  return options;
}

function signInError(code: SignInErrorCode): Error {
  return new Error(code);
}

/** The URL code for an OAuth refusal (lib/auth/oauth.ts words it with the same fixed messages). */
