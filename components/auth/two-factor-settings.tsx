"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { Enrolment, TwoFactorStatus } from "@/lib/auth/two-factor";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { api } from "@/components/funding/api";
import { CodeField } from "./code-field";
import { useApiForm } from "./use-api-form";

type Step = { kind: "status" } | { kind: "scan"; enrolment: Enrolment } | { kind: "codes"; recoveryCodes: string[] };

/**
 * Two-factor on the account page: off → "Turn on" → scan the QR code (or
 * type the secret) and enter the first code → the recovery codes, shown
 * once → on. On → "Turn off" with a current code.
 */
export function TwoFactorSettings({ initialStatus, isAdmin }: { initialStatus: TwoFactorStatus; isAdmin: boolean }) {
  const router = useRouter();
  const [step, setStep] = useState<Step>({ kind: "status" });
  const [startError, setStartError] = useState<string>();
  const [starting, setStarting] = useState(false);

  async function start() {
    setStarting(true);
    setStartError(undefined);
    const res = await api<Enrolment>("POST", "/api/account/two-factor");
    setStarting(false);
    if (res.ok) setStep({ kind: "scan", enrolment: res.data });
    else setStartError(res.error.message);
  }

  if (step.kind === "scan")
    return <ScanStep enrolment={step.enrolment} onEnabled={(recoveryCodes) => setStep({ kind: "codes", recoveryCodes })} />;
  if (step.kind === "codes")
    return (
      <RecoveryCodes
        codes={step.recoveryCodes}
        onDone={() => {
          setStep({ kind: "status" });
          router.refresh();
        }}
      />
    );
  if (initialStatus.enabled) return <EnabledStatus status={initialStatus} isAdmin={isAdmin} onDisabled={() => router.refresh()} />;
  return (
    <div className="space-y-4">
      <p className="text-sm text-slate-700">
        Two-factor authentication is <strong>off</strong>. With it on, signing in also asks for a 6-digit code from an authenticator app on
        your phone (Google Authenticator, 1Password, Authy, …), so a stolen password alone does not open your account.
      </p>
      {startError ? <Alert>{startError}</Alert> : null}
      <Button type="button" onClick={() => void start()} disabled={starting}>
        {starting ? "Preparing…" : "Turn on two-factor authentication"}
      </Button>
    </div>
  );
}

function ScanStep({ enrolment, onEnabled }: { enrolment: Enrolment; onEnabled: (recoveryCodes: string[]) => void }) {
  const { fields, error, pending, onSubmit } = useApiForm({
    send: (form) => api<{ recoveryCodes: string[] }>("POST", "/api/account/two-factor/enable", { code: String(form.get("code") ?? "") }),
    onSuccess: (data) => onEnabled(data.recoveryCodes),
    fieldFor: (e) => (e.code === "INVALID_CODE" ? "code" : undefined),
  });
  return (
    <div className="space-y-4">
      <ol className="list-decimal space-y-2 pl-5 text-sm text-slate-700">
        <li>Open your authenticator app and add an account by scanning this QR code.</li>
        <li>Enter the 6-digit code the app then shows for Fundwell.</li>
      </ol>
      <div
        role="img"
        aria-label="QR code for your authenticator app"
        className="h-48 w-48 rounded-md border border-slate-200 bg-white p-2"
        // Rendered on our server by the qrcode library from the otpauth URI: no user-supplied markup.
        dangerouslySetInnerHTML={{ __html: enrolment.qrSvg }}
      />
      <p className="text-sm text-slate-700">
        Can&apos;t scan it? Enter this key in the app instead:{" "}
        <code data-testid="totp-secret" className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-sm break-all">
          {enrolment.secret}
        </code>
      </p>
      <form onSubmit={onSubmit} className="max-w-sm space-y-4" noValidate aria-label="Confirm two-factor">
        {error ? <Alert>{error}</Alert> : null}
        <CodeField id="enrol-code" error={fields.code} />
        <Button type="submit" disabled={pending}>
          {pending ? "Checking…" : "Turn on"}
        </Button>
      </form>
    </div>
  );
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  return (
    <div className="space-y-4">
      <p role="status" className="rounded-md bg-brand-50 px-3 py-2 text-sm text-brand-700">
        Two-factor authentication is on.
      </p>
      <p className="text-sm text-slate-700">
        Save these recovery codes somewhere safe (a password manager, or printed). Each one signs you in once if you lose your phone. They
        are shown only now.
      </p>
      <ul aria-label="Recovery codes" className="grid max-w-sm grid-cols-2 gap-2 font-mono text-sm">
        {codes.map((code) => (
          <li key={code} className="rounded bg-slate-100 px-2 py-1">
            {code}
          </li>
        ))}
      </ul>
      <Button type="button" onClick={onDone}>
        I&apos;ve saved them
      </Button>
    </div>
  );
}

function EnabledStatus({ status, isAdmin, onDisabled }: { status: TwoFactorStatus; isAdmin: boolean; onDisabled: () => void }) {
  const [turningOff, setTurningOff] = useState(false);
  const { fields, error, pending, onSubmit } = useApiForm({
    send: (form) => api("POST", "/api/account/two-factor/disable", { code: String(form.get("code") ?? "") }),
    onSuccess: () => onDisabled(),
    fieldFor: (e) => (e.code === "INVALID_CODE" ? "code" : undefined),
  });
  return (
    <div className="space-y-4">
      <p className="text-sm text-slate-700">
        Two-factor authentication is <strong>on</strong>
        {status.enabledAt ? ` since ${new Date(status.enabledAt).toLocaleDateString("en-US", { dateStyle: "medium" })}` : ""}.{" "}
        {status.recoveryCodesLeft} recovery code{status.recoveryCodesLeft === 1 ? "" : "s"} left.
      </p>
      {turningOff ? (
        <form onSubmit={onSubmit} className="max-w-sm space-y-4" noValidate aria-label="Turn off two-factor">
          {isAdmin ? <Alert tone="info">Without two-factor you cannot use the admin console.</Alert> : null}
          {error ? <Alert>{error}</Alert> : null}
          <CodeField id="disable-code" error={fields.code} />
          <Button type="submit" variant="danger" disabled={pending}>
            {pending ? "Turning off…" : "Turn off two-factor"}
          </Button>
        </form>
      ) : (
        <Button type="button" variant="secondary" onClick={() => setTurningOff(true)}>
          Turn off…
        </Button>
      )}
    </div>
  );
}
