"use client";

import { useEffect, useState } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { buttonClass } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
import { ToastProvider } from "@/components/ui/toast";
import { LinkSession } from "./link-button";
import { loadLinkSession, type StoredLinkSession } from "./link-storage";
import { useLinkHandlers } from "./use-link-handlers";

type State =
  | { kind: "loading" }
  | { kind: "missing" }
  | { kind: "resuming"; session: StoredLinkSession; redirectUri: string }
  | { kind: "done"; message: string };

/**
 * Back from an OAuth bank: re-open Link with the token saved before it was
 * opened and `receivedRedirectUri` (this page's full URL), as Plaid requires.
 */
export function OAuthResume() {
  return (
    <ToastProvider>
      <Resume />
    </ToastProvider>
  );
}

function Resume() {
  const router = useRouter();
  const [state, setState] = useState<State>({ kind: "loading" });

  useEffect(() => {
    const session = loadLinkSession();
    // Reading sessionStorage and the URL can only happen in the browser, after hydration.
    // eslint-disable-next-line react-hooks/set-state-in-effect -- one update after hydration, not a cascade
    setState(session ? { kind: "resuming", session, redirectUri: window.location.href } : { kind: "missing" });
  }, []);

  const itemId = state.kind === "resuming" ? state.session.itemId : undefined;
  const { handlers, saving } = useLinkHandlers({
    target: itemId ? { itemId } : {},
    onFinished: (outcome) => {
      if (outcome === "linked" || outcome === "reconnected") {
        router.replace("/dashboard");
        router.refresh();
        return;
      }
      setState({ kind: "done", message: outcome === "failed" ? "Your bank could not be linked." : "Linking was not finished." });
    },
  });

  if (state.kind === "missing" || state.kind === "done") {
    return (
      <div className="space-y-4" role="status">
        <p className="text-sm text-slate-700">
          {state.kind === "missing" ? "This bank connection session has ended or was started in another browser tab." : state.message} You
          can start again from your dashboard.
        </p>
        <Link href="/dashboard" className={buttonClass()}>
          Back to dashboard
        </Link>
      </div>
    );
  }

  return (
    <div className="flex items-center gap-3 text-sm text-slate-700" role="status">
      <Spinner className="text-brand-600" />
      {saving ? "Saving your bank account…" : "Finishing your bank connection…"}
      {state.kind === "resuming" ? (
        <LinkSession
          key={state.session.token}
          token={state.session.token}
          receivedRedirectUri={state.redirectUri}
          handlers={handlers}
          onLoadError={() => setState({ kind: "done", message: "We couldn't load Plaid." })}
        />
      ) : null}
    </div>
  );
}
