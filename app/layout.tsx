import type { Metadata } from "next";
import type { ReactNode } from "react";
import { headers } from "next/headers";
import { getConfig } from "@/lib/config";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Fundwell", template: "%s · Fundwell" },
  description: "Fund your balance from your bank account, as often as you like.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The page CSP's nonce for this request (proxy.ts). Reading it renders every page per request, as nonces need:
  // a page prerendered at build time would carry no nonce, and the CSP would block all its scripts.
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  // Local mode: the sandbox's Plaid Link stand-in (sandbox/src/link/README.md). Production: nothing, react-plaid-link loads Plaid's script.
  const config = getConfig();
  const plaidLinkStandInUrl = config.mode === "local" ? `${config.sandboxUrl}/link/v2/stable/link-initialize.js` : null;
  return (
    <html lang="en">
      <head>
        {/* eslint-disable-next-line @next/next/no-sync-scripts -- must run before hydration */}
        {plaidLinkStandInUrl ? <script src={plaidLinkStandInUrl} nonce={nonce} /> : null}
      </head>
      <body className="min-h-screen">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2"
        >
          Skip to content
        </a>
        {/* Header and <main id="main">: SiteShell, rendered by each group layout or page (components/layout/site-shell.tsx). */}
        {children}
      </body>
    </html>
  );
}
