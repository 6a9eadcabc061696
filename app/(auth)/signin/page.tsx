import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getSessionState } from "@/lib/auth";
import { getConfig } from "@/lib/config";
import { safeCallbackUrl } from "@/lib/auth/callback-url";
import { signInErrorMessage } from "@/lib/auth/sign-in-errors";
import { Card } from "@/components/ui/card";
import { Alert } from "@/components/ui/alert";
import { SignInForm } from "@/components/auth/sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string | string[]; error?: string | string[]; reset?: string | string[] }>;
}) {
  const { callbackUrl, error, reset } = await searchParams;
  // Only a path on APP_URL, and only a fixed message: nothing else from the URL reaches the response.
  const destination = safeCallbackUrl(typeof callbackUrl === "string" ? callbackUrl : undefined, getConfig().appUrl);
  const session = await getSessionState();
  if (session.kind === "signed-in") redirect(destination);
  if (session.kind === "second-factor") redirect(`/two-factor?callbackUrl=${encodeURIComponent(destination)}`);
  return (
    <div className="mx-auto max-w-md space-y-6">
      <h1 className="text-2xl font-semibold">Sign in</h1>
      {reset === "done" ? (
        <Alert tone="info">
          Your password was changed and every browser signed in to your account was signed out. Sign in with your new password.
        </Alert>
      ) : null}
      <Card>
        <SignInForm callbackUrl={destination} initialError={signInErrorMessage(error)} />
      </Card>
      <p className="text-center text-sm text-slate-600">
        <Link href="/forgot-password" className="font-medium text-brand-700 underline">
          Forgot your password?
        </Link>
      </p>
      <p className="text-center text-sm text-slate-600">
        New here?{" "}
        <Link href="/signup" className="font-medium text-brand-700 underline">
          Create an account
        </Link>
      </p>
    </div>
  );
}
