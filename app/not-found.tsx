import { SiteShell } from "@/components/layout/site-shell";
import { NotFoundMessage } from "@/components/layout/status-messages";

/** Unmatched URLs. Minimal header: Next renders this fallback with every page (SiteShell). */
export default function NotFound() {
  return (
    <SiteShell minimal>
      <NotFoundMessage />
    </SiteShell>
  );
}
