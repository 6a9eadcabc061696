"use client";

import { useState } from "react";
import type { BankAccountView } from "@/lib/funding/views";
import { bankLabel } from "@/lib/format";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useToast } from "@/components/ui/toast";
import { LinkButton, useLinkLauncher } from "@/components/plaid/link-button";
import { api } from "./api";
import { accountState } from "./status";

/**
 * The linked bank (one at a time): status, Reconnect, Replace, Remove; or
 * "Link a bank" (once the email address is verified). Replace removes the current bank, then opens Link for the
 * new one (linking first is not possible when both share account numbers,
 * as every Plaid Sandbox account does).
 */
export function BankSection({
  accounts,
  canLink,
  onChanged,
}: {
  accounts: BankAccountView[];
  /** False while the user's email address is not verified: linking is refused until it is. */
  canLink: boolean;
  onChanged: () => void;
}) {
  const toast = useToast();
  // Lives here, not in the removed account's row, so Link stays open while the list changes.
  const replacement = useLinkLauncher({ onFinished: onChanged });

  async function removeAccount(account: BankAccountView, then: "done" | "link-new"): Promise<boolean> {
    const res = await api<{ ok: true }>("DELETE", `/api/bank-accounts/${encodeURIComponent(account.id)}`);
    if (!res.ok && res.status !== 404) {
      toast("error", res.error.message);
      return false;
    }
    toast(
      "success",
      then === "link-new"
        ? `Removed ${bankLabel(account, account.name)}. Now choose your new bank.`
        : `Removed ${bankLabel(account, account.name)}.`,
    );
    onChanged();
    if (then === "link-new") void replacement.start();
    return true;
  }

  return (
    <>
      {replacement.session}
      {accounts.length === 0 ? (
        <div className="space-y-4">
          <p className="text-sm text-slate-600">
            Link the checking or savings account you want to fund from. Plaid connects it securely; we never see your bank login.
          </p>
          {!canLink ? (
            <p className="text-sm text-slate-600">Verify your email address to link a bank.</p>
          ) : replacement.pending ? (
            <p className="text-sm text-slate-600" role="status">
              {replacement.saving ? "Saving your new bank…" : "Opening Plaid…"}
            </p>
          ) : (
            <LinkButton onFinished={onChanged}>Link a bank</LinkButton>
          )}
        </div>
      ) : (
        <ul className="space-y-4">
          {accounts.map((account) => (
            <li key={account.id}>
              <BankAccountItem account={account} onChanged={onChanged} onRemove={removeAccount} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function BankAccountItem({
  account,
  onChanged,
  onRemove,
}: {
  account: BankAccountView;
  onChanged: () => void;
  onRemove: (account: BankAccountView, then: "done" | "link-new") => Promise<boolean>;
}) {
  const [confirming, setConfirming] = useState<null | "remove" | "replace">(null);
  const [working, setWorking] = useState(false);
  const state = accountState(account);
  const label = bankLabel(account, account.name);

  async function confirm() {
    if (!confirming) return;
    setWorking(true);
    const ok = await onRemove(account, confirming === "replace" ? "link-new" : "done");
    setWorking(false);
    if (ok) setConfirming(null);
  }

  return (
    <div className="space-y-3" data-testid="bank-account">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="font-semibold text-slate-900">{account.institutionName ?? "Your bank"}</p>
          <p className="text-sm text-slate-600">
            {account.name}
            {account.mask ? ` ····${account.mask}` : ""}
            {account.subtype ? <span className="sr-only"> ({account.subtype})</span> : null}
          </p>
        </div>
        <Badge tone={state.tone}>{state.label}</Badge>
      </div>
      {state.detail ? <p className={`text-sm ${state.tone === "danger" ? "text-red-700" : "text-amber-800"}`}>{state.detail}</p> : null}
      <div className="flex flex-wrap gap-2">
        {state.canReconnect ? (
          <LinkButton itemId={account.itemId} onFinished={onChanged}>
            Reconnect
          </LinkButton>
        ) : null}
        <Button type="button" variant="secondary" onClick={() => setConfirming("replace")}>
          Replace bank
        </Button>
        <Button type="button" variant="secondary" onClick={() => setConfirming("remove")} className="text-red-700">
          Remove
        </Button>
      </div>
      <ConfirmDialog
        open={confirming !== null}
        title={confirming === "replace" ? "Replace this bank?" : "Remove this bank?"}
        confirmLabel={confirming === "replace" ? "Remove and link a new bank" : "Remove bank"}
        pendingLabel="Removing…"
        tone={confirming === "replace" ? "primary" : "danger"}
        pending={working}
        onConfirm={() => void confirm()}
        onCancel={() => setConfirming(null)}
      >
        {confirming === "replace" ? (
          <>
            <p>
              You can fund from one bank at a time. We&apos;ll remove <span className="font-medium text-slate-900">{label}</span>, then open
              Plaid so you can link the new one.
            </p>
            <p>If you close Plaid before finishing, you can link a bank later from this page. Transfers already started still complete.</p>
          </>
        ) : (
          <>
            <p>
              <span className="font-medium text-slate-900">{label}</span> will no longer fund your balance, and your ACH authorization for
              it ends.
            </p>
            <p>Transfers already started still complete. You can link a bank again at any time.</p>
          </>
        )}
      </ConfirmDialog>
    </div>
  );
}
