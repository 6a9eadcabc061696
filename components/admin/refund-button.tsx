"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { sendAdminChange } from "./step-up";

/** Refunding a succeeded payment in full, with the reason the audit log keeps (step-up through sendAdminChange). */
export function RefundButton({ paymentId, amountLabel }: { paymentId: string; amountLabel: string }) {
  const router = useRouter();
  const reasonId = useId();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [, startTransition] = useTransition();

  async function refund() {
    if (!reason.trim()) {
      setError("Say why the payment is refunded.");
      return;
    }
    setPending(true);
    setError(null);
    const failed = await sendAdminChange(`/api/admin/payments/${paymentId}/refund`, "POST", { reason: reason.trim() });
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
      <Button type="button" variant="danger" onClick={() => setOpen(true)}>
        Refund
      </Button>
      <ConfirmDialog
        open={open}
        title={`Refund ${amountLabel}?`}
        confirmLabel="Refund"
        pending={pending}
        onConfirm={() => void refund()}
        onCancel={() => setOpen(false)}
      >
        <p>
          Stripe sends the whole amount back to the bank account; ACH refunds take a few business days. The amount leaves the user&apos;s
          balance now and for good once the refund succeeds.
        </p>
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
