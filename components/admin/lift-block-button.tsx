"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { sendAdminChange } from "./step-up";

/** Lifting a block: approving a blocked account, with the reason the audit log keeps. */
export function LiftBlockButton({ bankAccountId, label }: { bankAccountId: string; label: string }) {
  const router = useRouter();
  const reasonId = useId();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [, startTransition] = useTransition();

  async function lift() {
    if (!reason.trim()) {
      setError("Say why the block is lifted.");
      return;
    }
    setPending(true);
    setError(null);
    const failed = await sendAdminChange(`/api/admin/bank-accounts/${bankAccountId}/review`, "POST", {
      decision: "approve",
      reason: reason.trim(),
    });
    setPending(false);
    if (failed) {
      setError(failed);
      return;
    }
    setOpen(false);
    startTransition(() => router.refresh());
  }

  return (
    <span className="inline-flex flex-col gap-1">
      <Button type="button" variant="primary" onClick={() => setOpen(true)}>
        Lift block
      </Button>
      <ConfirmDialog
        open={open}
        title={`Lift the block on ${label}?`}
        confirmLabel="Lift block"
        tone="primary"
        pending={pending}
        onConfirm={() => void lift()}
        onCancel={() => setOpen(false)}
      >
        <p>The account is approved and can fund again. Blocks on the same bank account (same numbers) are lifted too.</p>
        <label htmlFor={reasonId} className="mt-3 block text-sm font-medium text-slate-700">
          Reason (kept in the audit log)
        </label>
        <textarea
          id={reasonId}
          value={reason}
          maxLength={500}
          rows={3}
          onChange={(e) => setReason(e.target.value)}
          className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm text-slate-900"
        />
        {error ? (
          <span role="alert" className="mt-1 block text-sm text-red-700">
            {error}
          </span>
        ) : null}
      </ConfirmDialog>
    </span>
  );
}
