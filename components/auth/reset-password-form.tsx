"use client";

import { useEffect } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Alert } from "@/components/ui/alert";
import { api } from "@/components/funding/api";
import { useApiForm } from "./use-api-form";

/**
 * A new password for the account of a reset link. The token stays in this
 * form's state only: it is taken out of the address bar at once (history,
 * screenshots, a shared screen), and the page sends no Referer anyway.
 */
export function ResetPasswordForm({ token }: { token: string }) {
  const router = useRouter();
  useEffect(() => {
    window.history.replaceState(null, "", "/reset-password");
  }, []);

  const { fields, error, pending, onSubmit } = useApiForm({
    send: (form) => api("POST", "/api/password/reset", { token, password: String(form.get("password") ?? "") }),
    onSuccess: () => {
      router.replace("/signin?reset=done");
      return "leaving";
    },
    // Only the password is the person's to fix; anything about the link is the form's alert.
    fieldFor: (e) => (e.fields?.password ? "password" : undefined),
  });

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate aria-label="Choose a new password">
      {error ? <Alert>{error}</Alert> : null}
      <Field
        id="password"
        name="password"
        type="password"
        label="New password (at least 10 characters)"
        autoComplete="new-password"
        required
        error={fields.password}
      />
      <p className="text-sm text-slate-600">Every browser signed in to your account will be signed out.</p>
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Saving…" : "Set new password"}
      </Button>
    </form>
  );
}
