"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { api } from "@/components/funding/api";

/** Ends every session of the account, this one included, then goes to sign-in. */
export function SignOutEverywhere() {
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function confirm() {
    setPending(true);
    setError(null);
    const res = await api("DELETE", "/api/account/sessions");
    if (res.ok) {
      window.location.assign("/signin");
      return;
    }
    setPending(false);
    setOpen(false);
    setError(res.error.message);
  }

  return (
    <>
      <Button type="button" variant="secondary" onClick={() => setOpen(true)}>
        Sign out everywhere
      </Button>
      {error ? (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {error}
        </p>
      ) : null}
      <ConfirmDialog
        open={open}
        title="Sign out everywhere?"
        confirmLabel="Sign out everywhere"
        pendingLabel="Signing out…"
        pending={pending}
        onConfirm={() => void confirm()}
        onCancel={() => setOpen(false)}
      >
        <p>Every browser and device signed in to your account, this one included, will need to sign in again.</p>
      </ConfirmDialog>
    </>
  );
}
