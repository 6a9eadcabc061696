import type { Metadata } from "next";
import { requireUser } from "@/lib/auth";
import { Card } from "@/components/ui/card";
import { OAuthResume } from "@/components/plaid/oauth-resume";
import { SiteShell } from "@/components/layout/site-shell";

export const metadata: Metadata = { title: "Connecting your bank" };

/** PLAID_REDIRECT_URI: where an OAuth bank sends the person back to finish Link. */
export default async function OAuthReturnPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(await searchParams)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) params.append(key, v);
  }
  const query = params.toString();
  const user = await requireUser(`/oauth-return${query ? `?${query}` : ""}`);
  return (
    <SiteShell user={user}>
      <div className="mx-auto max-w-md space-y-6">
        <h1 className="text-2xl font-semibold">Connecting your bank</h1>
        <Card>
          <OAuthResume />
        </Card>
      </div>
    </SiteShell>
  );
}
