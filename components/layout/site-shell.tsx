import type { ReactNode } from "react";
import { getCurrentUser } from "@/lib/auth";
import { SiteHeader, type HeaderUser } from "./site-header";

/**
 * The header and the main landmark around a page. Rendered by the group
 * layouts and by the pages outside them rather than by the root layout, so
 * that a page which reads the signed-in user together with its own data in
 * one statement (the dashboard) can hand that user to the header instead of
 * the header reading it again: one SQL round trip fewer per dashboard render
 * (docs/benchmarks.md). Without `user`, the header reads it (getCurrentUser,
 * cached per request).
 *
 * `minimal`: the brand link alone, no user. For the root not-found and
 * forbidden pages: Next renders those with every page (they are the
 * boundaries' fallbacks), so reading the user there would cost every page
 * the round trip this shell exists to save.
 */
export async function SiteShell({ user, minimal = false, children }: { user?: HeaderUser | null; minimal?: boolean; children: ReactNode }) {
  const viewer = minimal ? "hidden" : user === undefined ? await getCurrentUser() : user;
  return (
    <>
      <SiteHeader user={viewer} />
      <main id="main" className="mx-auto max-w-5xl px-4 py-10">
        {children}
      </main>
    </>
  );
}
