import type { ReactNode } from "react";
import { getCurrentUser } from "@/lib/auth";
import { AdminNav } from "@/components/admin/admin-nav";
import { StepUpDialog } from "@/components/admin/step-up";
import { SiteShell } from "@/components/layout/site-shell";

/** Admin section chrome. Access is checked by every page (requireAdmin) and API route (adminRoute), not here. */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const user = await getCurrentUser();
  return (
    <SiteShell user={user}>
      {user?.role === "ADMIN" ? (
        <>
          <AdminNav />
          <StepUpDialog />
        </>
      ) : null}
      {children}
    </SiteShell>
  );
}
