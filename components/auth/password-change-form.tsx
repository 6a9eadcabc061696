"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Alert } from "@/components/ui/alert";
import { api, errorIs } from "@/components/funding/api";
import { useApiForm } from "./use-api-form";

/** Current password + a new one; on success the other sessions have ended and this one stays. */
export function PasswordChangeForm() {
  const [done, setDone] = useState(false);
  const { fields, error, pending, onSubmit } = useApiForm({
    send: (form) => {
      setDone(false);
      return api("POST", "/api/account/password", {
        currentPassword: String(form.get("currentPassword") ?? ""),
        newPassword: String(form.get("newPassword") ?? ""),
      });
    },
    onSuccess: (_data, form) => {
      form.reset();
      setDone(true);
    },
    fieldFor: (e) => (errorIs(e, "WRONG_PASSWORD") ? "currentPassword" : undefined),
  });

  return (
    <form onSubmit={onSubmit} className="max-w-sm space-y-4" noValidate aria-label="Change password">
      {error ? <Alert>{error}</Alert> : null}
      {done ? (
        <p role="status" className="rounded-md bg-brand-50 px-3 py-2 text-sm text-brand-700">
          Your password was changed. Every other browser signed in to your account was signed out.
        </p>
      ) : null}
      <Field
        id="currentPassword"
        name="currentPassword"
        type="password"
        label="Current password"
        autoComplete="current-password"
        required
        error={fields.currentPassword}
      />
      <Field
        id="newPassword"
        name="newPassword"
        type="password"
        label="New password (at least 10 characters)"
        autoComplete="new-password"
        required
        error={fields.newPassword}
      />
      <Button type="submit" disabled={pending}>
        {pending ? "Changing…" : "Change password"}
      </Button>
    </form>
  );
}
