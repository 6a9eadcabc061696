"use client";

import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Alert } from "@/components/ui/alert";
import { api, errorIs } from "@/components/funding/api";

/** Current password + a new one; on success the other sessions have ended and this one stays. */
export function PasswordChangeForm() {
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [done, setDone] = useState(false);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setPending(true);
    setError(undefined);
    setFields({});
    setDone(false);
    const res = await api("POST", "/api/account/password", {
      currentPassword: String(form.get("currentPassword") ?? ""),
      newPassword: String(form.get("newPassword") ?? ""),
    });
    setPending(false);
    if (res.ok) {
      formElement.reset();
      setDone(true);
      return;
    }
    if (errorIs(res.error, "WRONG_PASSWORD")) setFields({ currentPassword: res.error.message });
    else if (res.error.fields) setFields(res.error.fields);
    else setError(res.error.message);
  }

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
