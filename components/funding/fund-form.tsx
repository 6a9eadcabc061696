"use client";

import { useId, useRef, useState, type FormEvent } from "react";
import type { BankAccountView, DashboardData, PaymentView } from "@/lib/funding/views";
import { MANDATE_TEXT_VERSION, mandateText } from "@/lib/funding/mandate-text";
import { bankLabel, formatUsd } from "@/lib/format";
import { Button } from "@/components/ui/button";
import { CurrencyField } from "@/components/ui/currency-field";
import { Spinner } from "@/components/ui/spinner";
import { useToast } from "@/components/ui/toast";
import { errorIs } from "./api";
import { validateFundForm } from "./fund-validation";
import { outcomeUnknown, useFundRequest, type FundBody } from "./use-fund-request";

/**
 * Funds the balance by ACH debit. The checks are in fund-validation.ts; the
 * request id that makes a re-send safe (one debit per transfer) and the
 * in-flight guard are in use-fund-request.ts.
 */
export function FundForm({
  accounts,
  limits,
  onFunded,
  onAccountChanged,
}: {
  /** Accounts that can be debited now (at least one). */
  accounts: BankAccountView[];
  limits: DashboardData["limits"];
  onFunded: (payment: PaymentView) => void;
  onAccountChanged: () => void;
}) {
  const toast = useToast();
  const ids = { amount: useId(), account: useId(), mandate: useId(), mandateText: useId(), error: useId() };
  const [accountId, setAccountId] = useState(accounts[0]?.id ?? "");
  const [amount, setAmount] = useState("");
  const [amountError, setAmountError] = useState<string>();
  const [formError, setFormError] = useState<{ message: string; retryable: boolean }>();
  const [accepted, setAccepted] = useState(false);
  const [mandateError, setMandateError] = useState<string>();
  const [mandateAsked, setMandateAsked] = useState<string | null>(null);
  const { pending, send } = useFundRequest();
  const mandateBox = useRef<HTMLInputElement>(null);
  const amountInput = useRef<HTMLInputElement>(null);

  const account = accounts.find((a) => a.id === accountId) ?? accounts[0];
  if (!account) return null;
  const showMandate = account.needsMandate || mandateAsked === account.id;
  const hint = `From ${formatUsd(limits.minCents)} to ${formatUsd(limits.maxCents)} per transfer; up to ${formatUsd(limits.dailyMaxCents)} a day.`;

  /** Shows what is wrong (focusing the first field to fix); the request body when all is well. */
  function validBody(): FundBody | null {
    if (!account) return null;
    const check = validateFundForm({ amount, mandateShown: showMandate, mandateAccepted: accepted }, limits);
    setAmountError(check.amountError);
    setMandateError(check.mandateError);
    if (check.cents === null) {
      (check.amountError ? amountInput : mandateBox).current?.focus();
      return null;
    }
    setFormError(undefined);
    return {
      bankAccountId: account.id,
      amountCents: check.cents,
      ...(showMandate && accepted ? { mandate: { accepted: true, textVersion: MANDATE_TEXT_VERSION } } : {}),
    };
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    // Nothing is sent (and nothing checked) while this transfer is on its way: a double click is one debit.
    const res = await send(validBody);
    if (!res || !account) return;

    if (res.ok) {
      setAmount("");
      setAccepted(false);
      setMandateAsked(null);
      const { payment } = res.data;
      toast(
        payment.status === "FAILED" ? "error" : "success",
        payment.status === "FAILED"
          ? `The ${formatUsd(payment.amountCents)} transfer failed${payment.failureReason ? `: ${payment.failureReason}` : "."}`
          : `Transfer of ${formatUsd(payment.amountCents)} started. It will be available once your bank settles it.`,
      );
      onFunded(payment);
      return;
    }

    // The outcome is unknown: the hook kept the request id, so a retry cannot debit twice.
    if (outcomeUnknown(res.status)) {
      setFormError({ message: res.error.message, retryable: true });
      return;
    }
    if (errorIs(res.error, "MANDATE_REQUIRED")) {
      setMandateAsked(account.id);
      setAccepted(false);
      setMandateError(res.error.message);
      requestAnimationFrame(() => mandateBox.current?.focus());
      return;
    }
    if (errorIs(res.error, "AMOUNT_TOO_SMALL", "AMOUNT_TOO_LARGE") || res.error.fields?.amountCents) {
      setAmountError(res.error.message);
      amountInput.current?.focus();
      return;
    }
    setFormError({ message: res.error.message, retryable: false });
    if (errorIs(res.error, "ACCOUNT_NOT_ACTIVE", "ACCOUNT_BLOCKED", "NOT_FOUND")) onAccountChanged();
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Add funds" aria-describedby={formError ? ids.error : undefined} className="space-y-3">
      {accounts.length > 1 ? (
        <div className="space-y-1">
          <label htmlFor={ids.account} className="block text-sm font-medium text-slate-700">
            From
          </label>
          <select
            id={ids.account}
            value={account.id}
            onChange={(e) => {
              setAccountId(e.target.value);
              setMandateError(undefined);
            }}
            disabled={pending}
            className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-brand-600"
          >
            {accounts.map((a) => (
              <option key={a.id} value={a.id}>
                {bankLabel(a, a.name)}
              </option>
            ))}
          </select>
        </div>
      ) : (
        <p className="text-sm text-slate-600">
          From <span className="font-medium text-slate-900">{bankLabel(account, account.name)}</span>
        </p>
      )}

      <CurrencyField
        ref={amountInput}
        id={ids.amount}
        name="amount"
        label="Amount"
        placeholder="0.00"
        hint={hint}
        error={amountError}
        value={amount}
        onChange={(e) => setAmount(e.target.value)}
        readOnly={pending}
      />

      {showMandate ? (
        <fieldset className="space-y-3 rounded-md border border-slate-200 bg-slate-50 p-4">
          <legend className="px-1 text-sm font-semibold text-slate-900">ACH debit authorization</legend>
          <p id={ids.mandateText} className="text-sm leading-relaxed text-slate-700">
            {mandateText({ institutionName: account.institutionName, mask: account.mask })}
          </p>
          <div className="flex items-start gap-2">
            <input
              ref={mandateBox}
              id={ids.mandate}
              type="checkbox"
              checked={accepted}
              onChange={(e) => {
                setAccepted(e.target.checked);
                if (e.target.checked) setMandateError(undefined);
              }}
              disabled={pending}
              aria-describedby={`${ids.mandateText}${mandateError ? ` ${ids.mandate}-error` : ""}`}
              aria-invalid={mandateError ? true : undefined}
              className="mt-0.5 size-4 rounded border-slate-400 accent-brand-600"
            />
            <label htmlFor={ids.mandate} className="text-sm font-medium text-slate-900">
              I authorize this debit and future debits as described above
            </label>
          </div>
          <p id={`${ids.mandate}-error`} className="min-h-5 text-sm text-red-700">
            {mandateError ?? ""}
          </p>
        </fieldset>
      ) : null}

      {/* Reserved line: an error appearing does not push the button down. */}
      <div className="min-h-5">
        {formError ? (
          <p id={ids.error} role="alert" className="text-sm text-red-700">
            {formError.message}
            {formError.retryable ? " Trying again is safe: it will not start a second debit." : ""}
          </p>
        ) : null}
      </div>

      <Button type="submit" className="w-full sm:w-auto sm:min-w-44" disabled={pending} aria-busy={pending || undefined}>
        {pending ? <Spinner /> : null}
        {pending ? "Starting transfer…" : formError?.retryable ? "Try again" : "Add funds"}
      </Button>
    </form>
  );
}
