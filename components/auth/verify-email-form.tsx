"use client";

import { useEffect, useState } from "react";
import Link from "next/link";
import { Button, buttonClass } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { api } from "@/components/funding/api";

/**
 * "Verify my email" for a verification link's token, then the way on:
 * to the dashboard when this browser is signed in, to sign-in otherwise.
 * The token stays in this component's state only: it leaves the address
 * bar at once, and the page sends no Referer anyway.
 */
export function VerifyEmailForm({ token, signedIn }: { token: string; signedIn: boolean }) {
  const [state, setState] = useState<{ phase: "ready" | "sending" | "verified" } | { phase: "failed"; message: string }>({
    phase: "ready",
  });
  useEffect(() => {
    window.history.replaceState(null, "", "/verify-email");
  }, []);

  async function verify() {
    setState({ phase: "sending" });
    const res = await api<{ message: string }>("POST", "/api/email/verify", { token });
    setState(res.ok ? { phase: "verified" } : { phase: "failed", message: res.error.message });
  }

  if (state.phase === "verified") {
    return (
      <div className="space-y-4">
        <Alert tone="info">Your email address is verified. You can now link a bank and add funds.</Alert>
        {signedIn ? (
          <Link href="/dashboard" className={`${buttonClass()} w-full`}>
            Continue to your dashboard
          </Link>
        ) : (
          <Link href="/signin?callbackUrl=%2Fdashboard" className={`${buttonClass()} w-full`}>
            Sign in
          </Link>
        )}
      </div>
    );
  }
  return (
    <div className="space-y-4">
      {state.phase === "failed" ? <Alert>{state.message}</Alert> : null}
      <p className="text-sm text-slate-600">Confirm that this email address is yours, so you can link a bank and add funds.</p>
      <Button type="button" className="w-full" disabled={state.phase === "sending"} onClick={() => void verify()}>
        {state.phase === "sending" ? "Verifying…" : "Verify my email"}
      </Button>
    </div>
  );
}
