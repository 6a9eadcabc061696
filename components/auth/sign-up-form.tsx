"use client";

import { useState, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Alert } from "@/components/ui/alert";

interface ApiError {
  error?: { message?: string; fields?: Record<string, string> };
}

export function SignUpForm() {
  const router = useRouter();
  const [error, setError] = useState<string>();
  const [fields, setFields] = useState<Record<string, string>>({});
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = {
      name: String(form.get("name") ?? ""),
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
    };
    setPending(true);
    setError(undefined);
    setFields({});
    const res = await fetch("/api/signup", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    if (!res.ok) {
      const payload = (await res.json().catch(() => ({}))) as ApiError;
      setFields(payload.error?.fields ?? {});
      setError(payload.error?.message ?? "Something went wrong. Please try again.");
      setPending(false);
      return;
    }
    const result = await signIn("credentials", { email: body.email, password: body.password, redirect: false });
    if (!result || result.error) {
      setError("Your account was created, but signing in failed. Please sign in.");
      setPending(false);
      return;
    }
    router.replace("/dashboard");
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
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
