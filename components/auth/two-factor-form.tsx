"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { api, errorIs } from "@/components/funding/api";
import { CodeField } from "./code-field";
import { useApiForm } from "./use-api-form";

/**
 * Asks for the second factor (POST /api/two-factor/verify): after the
 * password at sign-in, and for an admin's step-up. `onVerified` runs once the
 * code was accepted.
 */
export function TwoFactorForm({ onVerified, submitLabel = "Continue" }: { onVerified: () => "leaving" | void; submitLabel?: string }) {
  const [recovery, setRecovery] = useState(false);
  const { fields, error, pending, onSubmit } = useApiForm({
    send: (form) => api("POST", "/api/two-factor/verify", { code: String(form.get("code") ?? "") }),
    onSuccess: () => onVerified(),
    fieldFor: (e) => (errorIs(e, "INVALID_CODE") || e.fields?.code ? "code" : undefined),
  });
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate aria-label="Two-factor code">
      {error ? <Alert>{error}</Alert> : null}
      <CodeField key={recovery ? "recovery" : "totp"} id="two-factor-code" recovery={recovery} error={fields.code} />
      <div className="flex flex-wrap items-center gap-4">
        <Button type="submit" disabled={pending}>
          {pending ? "Checking…" : submitLabel}
        </Button>
        <button type="button" className="text-sm font-medium text-brand-700 underline" onClick={() => setRecovery(!recovery)}>
          {recovery ? "Use a code from the app instead" : "Use a recovery code instead"}
        </button>
      </div>
    </form>
  );
}
