"use client";

import { useEffect, useId, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { TwoFactorForm } from "@/components/auth/two-factor-form";

/**
 * Step-up for admin actions. Every admin change answers 403
 * STEP_UP_REQUIRED when this session has not entered a code in the last 10
 * minutes (lib/auth/two-factor.ts); `adminFetch` then asks for a code in a
 * dialog and sends the request once more. The dialog is mounted once, by the
 * admin layout (<StepUpDialog />).
 */
let askForCode: (() => Promise<boolean>) | null = null;

export async function adminFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const send = () => fetch(url, { credentials: "same-origin", ...init });
  const res = await send();
  if (res.status !== 403 || !askForCode) return res;
  const body = (await res
    .clone()
    .json()
    .catch(() => null)) as { error?: { code?: string } } | null;
  if (body?.error?.code !== "STEP_UP_REQUIRED") return res;
  // Cancelled: the caller shows the refusal's message.
  return (await askForCode()) ? send() : res;
}

/**
 * One admin change as JSON, through adminFetch (step-up included): null when
 * it worked, otherwise the message to show.
 */
export async function sendAdminChange(url: string, method: string, body?: unknown): Promise<string | null> {
  try {
    const res = await adminFetch(url, {
      method,
      headers: { "content-type": "application/json", accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.ok) return null;
    const payload = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    return payload?.error?.message ?? "That did not work. Please try again.";
  } catch {
    return "We couldn't reach Fundwell. Please try again.";
  }
}

export function StepUpDialog() {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [pending, setPending] = useState<((verified: boolean) => void) | null>(null);

  useEffect(() => {
    askForCode = () => new Promise<boolean>((resolve) => setPending(() => resolve));
    return () => {
      askForCode = null;
    };
  }, []);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (pending && !dialog.open) dialog.showModal();
    if (!pending && dialog.open) dialog.close();
  }, [pending]);

  const finish = (verified: boolean) => {
    pending?.(verified);
    setPending(null);
  };

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        finish(false);
      }}
      className="m-auto w-[calc(100%-2rem)] max-w-md rounded-lg border border-slate-200 bg-white p-6 text-slate-900 shadow-xl backdrop:bg-slate-900/40"
    >
      <h2 id={titleId} className="text-lg font-semibold">
        Confirm it&apos;s you
      </h2>
      <p className="mt-2 mb-4 text-sm text-slate-600">
        This action needs a fresh code from your authenticator app (asked at most every 10 minutes).
      </p>
      {pending ? (
        <TwoFactorForm
          submitLabel="Confirm"
          onVerified={() => {
            finish(true);
          }}
        />
      ) : null}
      <div className="mt-4 flex justify-end">
        <Button type="button" variant="secondary" onClick={() => finish(false)}>
          Cancel
        </Button>
      </div>
    </dialog>
  );
}

/** The CSV export behind step-up: fetched (so a code can be asked first), then saved as a download. */
export function ExportCsvButton({ href }: { href: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function download() {
    setBusy(true);
    setError(null);
    try {
      const res = await adminFetch(href, { headers: { accept: "text/csv" } });
      if (!res.ok) {
        const payload = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
        setError(payload?.error?.message ?? "The export did not work. Please try again.");
        return;
      }
      const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? "payments.csv";
      const url = URL.createObjectURL(await res.blob());
      const link = document.createElement("a");
      link.href = url;
      link.download = name;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch {
      setError("We couldn't reach Fundwell. Please try again.");
    } finally {
      setBusy(false);
    }
  }
  return (
    <span className="ml-auto inline-flex flex-col items-end gap-1">
      <button type="button" onClick={() => void download()} disabled={busy} className="text-sm font-medium text-brand-700 underline">
        {busy ? "Exporting…" : "Export CSV"}
      </button>
      {error ? (
        <span role="alert" className="text-sm text-red-700">
          {error}
        </span>
      ) : null}
    </span>
  );
}
