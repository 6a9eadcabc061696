import Link from "next/link";
import { getCurrentUser } from "@/lib/auth";
import { buttonClass } from "@/components/ui/button";
import { SiteShell } from "@/components/layout/site-shell";

export default async function HomePage() {
  const user = await getCurrentUser();
  return (
    <SiteShell user={user}>
      <div className="grid gap-10 md:grid-cols-2 md:items-center">
        <div className="space-y-6">
          <h1 className="text-4xl font-bold tracking-tight text-slate-900">Fund your balance straight from your bank.</h1>
          <p className="text-lg text-slate-600">
            Link your bank once with Plaid, then move money into your Fundwell balance by ACH debit whenever you like. Every transfer is
            tracked from pending to settled.
          </p>
          <div className="flex gap-3">
            {user ? (
              <Link href="/dashboard" className={buttonClass()}>
                Go to your dashboard
              </Link>
            ) : (
              <>
                <Link href="/signup" className={buttonClass()}>
                  Create an account
                </Link>
                <Link href="/signin" className={buttonClass("secondary")}>
                  Sign in
                </Link>
              </>
            )}
          </div>
        </div>
        <ol className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
          {[
            ["Link your bank", "Choose one checking or savings account in Plaid Link. We never see your bank password."],
            ["Authorize debits", "Accept the ACH authorization once; later transfers reuse it."],
            ["Fund any time", "Each transfer shows as pending, then lands in your available balance when it settles."],
          ].map(([title, text], i) => (
            <li key={title} className="flex gap-4">
              <span
                aria-hidden
                className="flex h-8 w-8 shrink-0 items-center justify-center rounded-full bg-brand-50 font-semibold text-brand-700"
              >
                {i + 1}
              </span>
              <div>
                <p className="font-medium text-slate-900">{title}</p>
                <p className="text-sm text-slate-600">{text}</p>
              </div>
            </li>
          ))}
        </ol>
      </div>
    </SiteShell>
  );
}
