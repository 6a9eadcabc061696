import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import GoogleProvider from "next-auth/providers/google";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { clientIp } from "@/lib/client-ip";
import { recordAudit } from "@/lib/audit";
import { authenticateWithPassword, signInSchema } from "./credentials";
import { AuthError, INVALID_CREDENTIALS } from "./errors";
import { signInWithOAuth } from "./oauth";

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
    role?: "USER" | "ADMIN";
  }
}

let options: NextAuthOptions | undefined;

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
          const parsed = signInSchema.safeParse(credentials ?? {});
          if (!parsed.success) throw new Error(INVALID_CREDENTIALS);
          try {
            const user = await authenticateWithPassword(parsed.data, {
              db: getDb(),
              ip: clientIp(req.headers ?? {}, config),
              adminEmails: config.adminEmails,
            });
            return { id: user.id, email: user.email, name: user.name };
          } catch (err) {
            // next-auth passes the message to the sign-in form as-is.
            if (err instanceof AuthError) throw new Error(err.message, { cause: err });
            throw err;
          }
        },
      }),
      ...(config.oauth.github
        ? [GitHubProvider({ clientId: config.oauth.github.clientId, clientSecret: config.oauth.github.clientSecret })]
        : []),
      ...(config.oauth.google
        ? [GoogleProvider({ clientId: config.oauth.google.clientId, clientSecret: config.oauth.google.clientSecret })]
        : []),
    ],
    callbacks: {
      async signIn({ user, account }) {
        if (!account || account.provider === "credentials") return true;
        const result = await signInWithOAuth(getDb(), {
          provider: account.provider,
          providerAccountId: account.providerAccountId,
          type: account.type,
          email: user.email ?? null,
          name: user.name ?? null,
          adminEmails: config.adminEmails,
        });
        if (!result.ok) return `/signin?error=${encodeURIComponent(result.error)}`;
        user.id = result.userId; // read by the jwt callback below
        return true;
      },
      async jwt({ token, user }) {
        if (user) {
          const dbUser = await getDb().user.findUniqueOrThrow({ where: { id: user.id } });
          token.uid = dbUser.id;
          token.sv = dbUser.sessionVersion;
          token.role = dbUser.role;
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
        if (token?.uid) await recordAudit(getDb(), { actorId: token.uid, action: "auth.sign_out" });
      },
    },
  };
  return options;
}
