import type { Metadata } from "next";
import { requireAdmin } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { getSettings } from "@/lib/settings";
import { Card } from "@/components/ui/card";
import { ActionButton } from "@/components/admin/action-button";

export const metadata: Metadata = { title: "Settings · Admin" };

export default async function AdminSettingsPage() {
  await requireAdmin("/admin/settings");
  const settings = await getSettings(getDb());
  const on = settings.allowFundingBeforeReview;
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Settings</h1>
      <Card title="Funding before review">
        <p className="text-sm text-slate-700" id="fund-before-review-state">
          {on
            ? "On: newly linked bank accounts can fund right away, while they wait for review."
            : "Off: newly linked bank accounts cannot fund until an admin approves them."}
        </p>
        <div className="mt-4">
          <ActionButton
            url="/api/admin/settings"
            method="PUT"
            body={{ allowFundingBeforeReview: !on }}
            label={on ? "Require review before funding" : "Allow funding before review"}
            variant={on ? "danger" : "primary"}
          />
        </div>
      </Card>
    </div>
  );
}
