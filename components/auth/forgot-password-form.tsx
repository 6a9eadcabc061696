"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Alert } from "@/components/ui/alert";
import { api } from "@/components/funding/api";
import { useApiForm } from "./use-api-form";

/** An email address in, the same answer out whether it has an account or not. */
export function ForgotPasswordForm() {
  const [answer, setAnswer] = useState<string>();
  const { fields, error, pending, onSubmit } = useApiForm({
    send: (form) => api<{ message: string }>("POST", "/api/password/forgot", { email: String(form.get("email") ?? "") }),
    onSuccess: (data) => setAnswer(data.message),
  });

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
