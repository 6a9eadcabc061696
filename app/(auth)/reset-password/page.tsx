import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/lib/db";
import { INVALID_RESET_LINK, resetLinkIsUsable } from "@/lib/auth/password-reset";
import { Card } from "@/components/ui/card";
import { Alert } from "@/components/ui/alert";
import { ResetPasswordForm } from "@/components/auth/reset-password-form";

// The token is in this page's URL: never send it on as a Referer (next.config.mjs sets the header too).
export const metadata: Metadata = { title: "Choose a new password", referrer: "no-referrer" };

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams;
  const usable = typeof token === "string" && (await resetLinkIsUsable(getDb(), token));
  return (
    <div className="mx-auto max-w-md space-y-6">
      <h1 className="text-2xl font-semibold">Choose a new password</h1>
      <Card>
        {usable ? (
          <ResetPasswordForm token={token} />
        ) : (
          <Alert>
            {typeof token === "string" ? INVALID_RESET_LINK : "Open this page with the link from your email, or ask for a new one."}
          </Alert>
        )}
      </Card>
      <p className="text-center text-sm text-slate-600">
        <Link href="/forgot-password" className="font-medium text-brand-700 underline">
          Ask for a new link
        </Link>
      </p>
    </div>
  );
}
