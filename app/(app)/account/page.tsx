import type { Metadata } from "next";
import Link from "next/link";
import { getSessionActor, requireUser } from "@/lib/auth";
import { recentSignIns } from "@/lib/auth/sessions";
import { getDb } from "@/lib/db";
import { SiteShell } from "@/components/layout/site-shell";
import { Card } from "@/components/ui/card";
import { SignInList } from "@/components/auth/sign-in-list";
import { SignOutEverywhere } from "@/components/auth/sign-out-everywhere";
import { PasswordChangeForm } from "@/components/auth/password-change-form";

export const metadata: Metadata = { title: "Account" };

/** The signed-in person's account: recent sign-ins and "sign out everywhere". */
export default async function AccountPage() {
  const user = await requireUser("/account");
  const actor = (await getSessionActor())!; // requireUser confirmed it
  const signIns = await recentSignIns(getDb(), actor);
  return (
    <SiteShell user={user}>
      <div className="space-y-6">
        <h1 className="text-2xl font-semibold">Your account</h1>
        {user.passwordHash ? (
          <Card title="Password">
            <PasswordChangeForm />
          </Card>
        ) : null}
        <Card title="Two-factor authentication">
          <p className="text-sm text-slate-700">
            {user.totpEnabledAt
              ? "On: signing in asks for a code from your authenticator app."
              : "Off: signing in asks only for your password."}{" "}
            <Link href="/account/two-factor" className="font-medium text-brand-700 underline">
              {user.totpEnabledAt ? "Manage two-factor" : "Turn on two-factor"}
            </Link>
          </p>
        </Card>
        <Card title="Recent sign-ins">
          <p className="mb-4 text-sm text-slate-600">
            If you see a sign-in you don&apos;t recognise, sign out everywhere and choose a new password.
          </p>
          <SignInList signIns={signIns} />
          <div className="mt-6">
            <SignOutEverywhere />
          </div>
        </Card>
      </div>
    </SiteShell>
  );
}
