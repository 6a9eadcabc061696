"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { api } from "@/components/funding/api";

/**
 * On the dashboard while the user's address is not verified: why linking
 * and funding are not offered, and "Resend the link" (POST
 * /api/email/verification, rate-limited: its 429 message is shown as is).
 */
export function VerifyEmailNotice({ email }: { email: string }) {
  const [pending, setPending] = useState(false);
  const [answer, setAnswer] = useState<{ tone: "info" | "error"; message: string }>();

  async function resend() {
    setPending(true);
    const res = await api<{ message: string }>("POST", "/api/email/verification");
    setAnswer(res.ok ? { tone: "info", message: res.data.message } : { tone: "error", message: res.error.message });
    setPending(false);
  }

  return (
    <section aria-labelledby="verify-email-heading" className="space-y-3 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm">
      <h2 id="verify-email-heading" className="font-semibold text-amber-900">
        Verify your email address
      </h2>
      <p className="text-amber-900">
        Verify your email to link a bank and add funds. We sent a link to <span className="font-medium break-all">{email}</span>.
      </p>
      <div className="flex flex-wrap items-center gap-3">
        <Button type="button" variant="secondary" disabled={pending} onClick={() => void resend()}>
          {pending ? "Sending…" : "Resend the link"}
        </Button>
        {answer ? (
          <p role={answer.tone === "error" ? "alert" : "status"} className={answer.tone === "error" ? "text-red-800" : "text-slate-700"}>
            {answer.message}
          </p>
        ) : null}
      </div>
    </section>
  );
}
