import type { Role } from "@/lib/generated/prisma/enums";
import { SignOutButton } from "@/components/auth/sign-out-button";

/** What the header shows of the signed-in user. */
export interface HeaderUser {
  email: string;
  role: Role;
}

/**
 * The site's navigation. `user` is the signed-in user, already confirmed
 * against the database (SiteShell), or "hidden" for the brand link alone.
 * Plain links (full page loads between sections): next/link would add ~4 KB
 * of gzipped JS to every page that shows the header (docs/benchmarks.md).
 */
export function SiteHeader({ user }: { user: HeaderUser | null | "hidden" }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <nav aria-label="Main" className="mx-auto flex max-w-5xl items-center justify-between px-4 py-3">
        <a href="/" className="text-lg font-semibold text-brand-700">
          Fundwell
        </a>
        {user === "hidden" ? null : (
          <div className="flex items-center gap-5 text-sm">
            {user ? (
              <>
                <a href="/dashboard" className="font-medium text-slate-700 hover:text-slate-900">
                  Dashboard
                </a>
                {user.role === "ADMIN" ? (
                  <a href="/admin" className="font-medium text-slate-700 hover:text-slate-900">
                    Admin
                  </a>
                ) : null}
                <a href="/account" className="font-medium text-slate-700 hover:text-slate-900">
                  Account
                </a>
                <span className="hidden text-slate-500 sm:inline" data-testid="signed-in-as">
                  {user.email}
                </span>
                <SignOutButton />
              </>
            ) : (
              <>
                <a href="/signin" className="font-medium text-slate-700 hover:text-slate-900">
                  Sign in
                </a>
                <a href="/signup" className="rounded-md bg-brand-600 px-3 py-1.5 font-medium text-white hover:bg-brand-700">
                  Create account
                </a>
              </>
            )}
          </div>
        )}
      </nav>
    </header>
  );
}
