import type { Metadata } from "next";
import { getCurrentUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { INVALID_VERIFY_LINK, verificationLinkIsUsable } from "@/lib/auth/email-verification";
import { Card } from "@/components/ui/card";
import { Alert } from "@/components/ui/alert";
import { VerifyEmailForm } from "@/components/auth/verify-email-form";

// The token is in this page's URL: never send it on as a Referer (next.config.mjs sets the header too).
export const metadata: Metadata = { title: "Verify your email", referrer: "no-referrer" };

/**
 * The verification link's page. Opening it changes nothing (mail scanners
 * fetch links): the button does (POST /api/email/verify).
 */
export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams;
  const usable = typeof token === "string" && (await verificationLinkIsUsable(getDb(), token));
  const signedIn = (await getCurrentUser()) !== null;
  return (
    <div className="mx-auto max-w-md space-y-6">
      <h1 className="text-2xl font-semibold">Verify your email</h1>
      <Card>
        {usable ? (
          <VerifyEmailForm token={token} signedIn={signedIn} />
        ) : (
          <Alert>{typeof token === "string" ? INVALID_VERIFY_LINK : "Open this page with the link from your email."}</Alert>
        )}
      </Card>
    </div>
  );
}
