import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth";
import { twoFactorStatus } from "@/lib/auth/two-factor";
import { getDb } from "@/lib/db";
import { SiteShell } from "@/components/layout/site-shell";
import { Card } from "@/components/ui/card";
import { Alert } from "@/components/ui/alert";
import { TwoFactorSettings } from "@/components/auth/two-factor-settings";

export const metadata: Metadata = { title: "Two-factor authentication" };

/** Turn two-factor on (QR code, first code, recovery codes) or off. Admins are sent here until it is on. */
export default async function TwoFactorSettingsPage({ searchParams }: { searchParams: Promise<{ required?: string | string[] }> }) {
  const user = await requireUser("/account/two-factor");
  const { required } = await searchParams;
  const status = await twoFactorStatus(getDb(), user.id);
  return (
    <SiteShell user={user}>
      <div className="space-y-6">
        <p className="text-sm">
          <Link href="/account" className="font-medium text-brand-700 underline">
            Your account
          </Link>
        </p>
        <h1 className="text-2xl font-semibold">Two-factor authentication</h1>
        {required === "admin" && user.role === "ADMIN" && !status.enabled ? (
          <Alert tone="info">The admin console needs two-factor authentication. Turn it on below, then open the console again.</Alert>
        ) : null}
        <Card>
          <TwoFactorSettings initialStatus={status} isAdmin={user.role === "ADMIN"} />
        </Card>
      </div>
    </SiteShell>
  );
}
