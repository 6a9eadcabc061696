import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getSessionState } from "@/lib/auth";
import { getConfig } from "@/lib/config";
import { safeCallbackUrl } from "@/lib/auth/callback-url";
import { demoTotpSecret } from "@/lib/auth/demo-accounts";
import { totpCode } from "@/lib/auth/totp";
import { Card } from "@/components/ui/card";
import { Alert } from "@/components/ui/alert";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { TwoFactorStep } from "@/components/auth/two-factor-step";

export const metadata: Metadata = { title: "Two-factor authentication" };

/** The second step of signing in, for accounts with two-factor on. */
export default async function TwoFactorPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string | string[] }> }) {
  const { callbackUrl } = await searchParams;
  const config = getConfig();
  const destination = safeCallbackUrl(typeof callbackUrl === "string" ? callbackUrl : undefined, config.appUrl);
  const state = await getSessionState();
  if (state.kind === "none") redirect(`/signin?callbackUrl=${encodeURIComponent(destination)}`);
  if (state.kind === "signed-in") redirect(destination);
  // Where demo accounts are on (lib/config): the demo admin's secret is published (README), so its current code is no secret either.
  const demoSecret = config.demoAccounts ? demoTotpSecret(state.user.email) : null;
  return (
    <div className="mx-auto max-w-md space-y-6">
      <h1 className="text-2xl font-semibold">Two-factor authentication</h1>
      <p className="text-sm text-slate-600">
        Signed in as {state.user.email}. Enter the 6-digit code your authenticator app shows for Fundwell, or one of your recovery codes.
      </p>
      {demoSecret ? (
        <Alert tone="info">
          Local demo: the demo admin&apos;s current code is <strong data-testid="demo-code">{totpCode(demoSecret)}</strong> (it changes
          every 30 seconds; reload for a new one).
        </Alert>
      ) : null}
      <Card>
        <TwoFactorStep callbackUrl={destination} />
      </Card>
      <p className="text-center">
        <SignOutButton />
      </p>
    </div>
  );
}
