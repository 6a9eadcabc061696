"use client";

import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Alert } from "@/components/ui/alert";
import { api } from "@/components/funding/api";

/** An email address in, the same answer out whether it has an account or not. */
export function ForgotPasswordForm() {
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [answer, setAnswer] = useState<string>();
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(undefined);
    setFields({});
    const res = await api<{ message: string }>("POST", "/api/password/forgot", { email: String(form.get("email") ?? "") });
    setPending(false);
    if (res.ok) {
      setAnswer(res.data.message);
      return;
    }
    if (res.error.fields) setFields(res.error.fields);
    else setError(res.error.message);
  }

  if (answer) return <Alert tone="info">{answer}</Alert>;
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate aria-label="Reset your password">
      {error ? <Alert>{error}</Alert> : null}
      <p className="text-sm text-slate-600">
        Enter the email address of your account and we will send you a link to choose a new password.
      </p>
      <Field id="email" name="email" type="email" label="Email" autoComplete="email" required error={fields.email} />
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Sending…" : "Send reset link"}
      </Button>
    </form>
  );
}
