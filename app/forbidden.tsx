import { SiteShell } from "@/components/layout/site-shell";
import { ForbiddenMessage } from "@/components/layout/status-messages";

/** forbidden() outside the admin area (none today). Minimal header: Next renders this fallback with every page (SiteShell). */
export default function Forbidden() {
  return (
    <SiteShell minimal>
      <ForbiddenMessage />
    </SiteShell>
  );
}
