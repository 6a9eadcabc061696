"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { sendAdminChange } from "./step-up";

/**
 * One admin action: sends JSON to an admin API route, then refreshes the
 * server-rendered page. Destructive actions ask for confirmation first.
 */
export function ActionButton({
  url,
  method = "POST",
  body,
  label,
  variant = "secondary",
  confirm,
  redirectTo,
}: {
  url: string;
  method?: "POST" | "PUT" | "PATCH" | "DELETE";
  body?: unknown;
  label: string;
  variant?: "primary" | "secondary" | "danger";
  confirm?: { title: string; text: string };
  redirectTo?: string;
}) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [asking, setAsking] = useState(false);
  const [pending, setPending] = useState(false);
  const [, startTransition] = useTransition();

  async function run() {
    setPending(true);
    setError(null);
    const failed = await sendAdminChange(url, method, body);
    setPending(false);
    if (failed) {
      setError(failed);
      return;
    }
    setAsking(false);
    startTransition(() => (redirectTo ? router.push(redirectTo) : router.refresh()));
  }

  return (
    <span className="inline-flex flex-col gap-1">
      <Button type="button" variant={variant} disabled={pending} onClick={() => (confirm ? setAsking(true) : void run())}>
        {pending ? `${label}…` : label}
      </Button>
      {error ? (
        <span role="alert" className="text-sm text-red-700">
          {error}
        </span>
      ) : null}
      {confirm ? (
        <ConfirmDialog
          open={asking}
          title={confirm.title}
          confirmLabel={label}
          pending={pending}
          onConfirm={() => void run()}
          onCancel={() => setAsking(false)}
        >
          {confirm.text}
        </ConfirmDialog>
      ) : null}
    </span>
  );
}
