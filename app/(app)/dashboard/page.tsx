import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { requireUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { getDashboardData } from "@/lib/funding/dashboard";
import { FundingDashboard } from "@/components/funding/funding-dashboard";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  // The header reads the user anyway (getCurrentUser, cached per request), so the page does too.
  const user = await requireUser("/dashboard");
  const data = await getDashboardData(getDb(), user);
  if (!data) redirect("/signin?callbackUrl=%2Fdashboard"); // signed out in between
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Welcome, {user.name ?? user.email}</h1>
      <FundingDashboard initialData={data} />
    </div>
  );
}
