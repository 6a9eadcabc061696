import type { Metadata } from "next";
import { requireUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { getDashboardData } from "@/lib/funding/dashboard";
import { FundingDashboard } from "@/components/funding/funding-dashboard";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const user = await requireUser("/dashboard");
  const data = await getDashboardData(getDb(), user.id);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Welcome, {user.name ?? user.email}</h1>
      <FundingDashboard initialData={data} />
    </div>
  );
}
