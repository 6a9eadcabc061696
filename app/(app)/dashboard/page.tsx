import type { Metadata } from "next";
import { getSessionActor, redirectToSignIn } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { loadDashboard } from "@/lib/funding/dashboard";
import { FundingDashboard } from "@/components/funding/funding-dashboard";
import { SiteShell } from "@/components/layout/site-shell";
import { VerifyEmailNotice } from "@/components/auth/verify-email-notice";

export const metadata: Metadata = { title: "Dashboard" };

/**
 * The most visited page, in one SQL statement: loadDashboard confirms the
 * session's user (as requireUser would) and reads everything shown, the
 * header's user included (SiteShell).
 */
export default async function DashboardPage() {
  const actor = await getSessionActor();
  const dashboard = actor ? await loadDashboard(getDb(), actor) : null;
  if (!dashboard) return redirectToSignIn("/dashboard");
  const { viewer, data } = dashboard;
  return (
    <SiteShell user={viewer}>
      <div className="space-y-6">
        <h1 className="text-2xl font-semibold">Welcome, {viewer.name ?? viewer.email}</h1>
        {data.emailVerified ? null : <VerifyEmailNotice email={viewer.email} />}
        <FundingDashboard initialData={data} />
      </div>
    </SiteShell>
  );
}
