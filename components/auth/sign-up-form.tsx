"use client";

import { useState } from "react";
import Link from "next/link";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Alert } from "@/components/ui/alert";
import { api } from "@/components/funding/api";
import { useApiForm } from "./use-api-form";

/**
 * A password sign-up. The answer is the same whether or not the address
 * already has an account, so the form does not sign in: it says to check
 * the inbox (a verification link for a new account; for a registered
 * address, a note to its owner), and the link leads on to sign-in.
 */
export function SignUpForm() {
  const [sentTo, setSentTo] = useState<string>();
  const { fields, error, pending, onSubmit } = useApiForm({
    send: (form) =>
      api<{ message: string }>("POST", "/api/signup", {
        name: String(form.get("name") ?? ""),
        email: String(form.get("email") ?? ""),
        password: String(form.get("password") ?? ""),
      }),
    onSuccess: (_data, form) => setSentTo(String(new FormData(form).get("email") ?? "").trim()),
  });

  if (sentTo) return <CheckYourInbox email={sentTo} />;
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate aria-label="Create your account">
      {error ? <Alert>{error}</Alert> : null}
      <Field id="name" name="name" label="Full name" autoComplete="name" required error={fields.name} />
      <Field id="email" name="email" type="email" label="Email" autoComplete="email" required error={fields.email} />
      <Field
        id="password"
        name="password"
        type="password"
        label="Password (at least 10 characters)"
        autoComplete="new-password"
        required
        error={fields.password}
      />
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Creating account…" : "Create account"}
      </Button>
    </form>
  );
}

function CheckYourInbox({ email }: { email: string }) {
  return (
    <div role="status" className="space-y-3 text-sm text-slate-700">
      <h2 className="text-lg font-semibold text-slate-900">Check your inbox</h2>
      <p>
        We sent an email to <span className="font-medium break-all text-slate-900">{email}</span>. Open the link in it to confirm your
        address, then sign in. The link works for 24 hours.
      </p>
      <p className="text-slate-600">
        No email after a few minutes? Check your spam folder, or sign in and ask for a new link from your dashboard.
      </p>
      <p>
        <Link href="/signin?callbackUrl=%2Fdashboard" className="font-medium text-brand-700 underline">
          Sign in
        </Link>
      </p>
    </div>
  );
}
