import Link from "next/link";
import { getCurrentUser } from "@/lib/auth";
import { SignOutButton } from "@/components/auth/sign-out-button";

export async function SiteHeader() {
  const user = await getCurrentUser();
  return (
    <header className="border-b border-slate-200 bg-white">
      <nav aria-label="Main" className="mx-auto flex max-w-5xl items-center justify-between px-4 py-3">
        <Link href="/" className="text-lg font-semibold text-brand-700">
          Fundwell
        </Link>
        <div className="flex items-center gap-5 text-sm">
          {user ? (
            <>
              <Link href="/dashboard" className="font-medium text-slate-700 hover:text-slate-900">
                Dashboard
              </Link>
              {user.role === "ADMIN" ? (
                <Link href="/admin" className="font-medium text-slate-700 hover:text-slate-900">
                  Admin
                </Link>
              ) : null}
              <span className="hidden text-slate-500 sm:inline" data-testid="signed-in-as">
                {user.email}
              </span>
              <SignOutButton />
            </>
          ) : (
            <>
              <Link href="/signin" className="font-medium text-slate-700 hover:text-slate-900">
                Sign in
              </Link>
              <Link href="/signup" className="rounded-md bg-brand-600 px-3 py-1.5 font-medium text-white hover:bg-brand-700">
                Create account
              </Link>
            </>
          )}
        </div>
      </nav>
    </header>
  );
}
