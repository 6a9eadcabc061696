import type { Metadata } from "next";
import { requireUser } from "@/lib/auth";
import { Card } from "@/components/ui/card";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const user = await requireUser("/dashboard");
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Welcome, {user.name ?? user.email}</h1>
      <Card title="Your bank">
        <p className="text-sm text-slate-600">Linking a bank and funding your balance arrive with the funding feature.</p>
      </Card>
    </div>
  );
}
