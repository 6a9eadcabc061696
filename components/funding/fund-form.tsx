"use client";

import { useId, useRef, useState, type FormEvent } from "react";
import type { BankAccountView, DashboardData, PaymentView } from "@/lib/funding/views";
import { MANDATE_TEXT_VERSION, mandateText } from "@/lib/funding/mandate";
import { Button } from "@/components/ui/button";
import { CurrencyField } from "@/components/ui/currency-field";
import { Spinner } from "@/components/ui/spinner";
import { useToast } from "@/components/ui/toast";
import { api, errorIs } from "./api";
import { bankLabel, formatUsd } from "@/lib/format";
import { dollarsToCents } from "./format";

/** A v4 UUID; crypto.randomUUID needs a secure context, so plain-http LAN testing falls back to getRandomValues. */
function newRequestId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Funds the balance by ACH debit. One submission = one `requestId`, created
 * when the person submits and reused for every re-send of the same transfer
 * (double click, Enter twice, retry after a 502 or a dropped connection)
 * until an answer settles it, so the server starts at most one debit.
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
  const [pending, setPending] = useState(false);
  const inFlight = useRef(false);
  const attempt = useRef<{ requestId: string; key: string } | null>(null);
  const mandateBox = useRef<HTMLInputElement>(null);
  const amountInput = useRef<HTMLInputElement>(null);

  const account = accounts.find((a) => a.id === accountId) ?? accounts[0];
  if (!account) return null;
  const showMandate = account.needsMandate || mandateAsked === account.id;
  const hint = `From ${formatUsd(limits.minCents)} to ${formatUsd(limits.maxCents)} per transfer; up to ${formatUsd(limits.dailyMaxCents)} a day.`;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    // Already sending this transfer: a second click must not become a second debit.
    if (inFlight.current || !account) return;
    const cents = dollarsToCents(amount);
    let invalid = false;
    if (cents === null || cents === 0) {
      setAmountError("Enter an amount in dollars, like 25 or 25.50.");
      invalid = true;
    } else if (cents < limits.minCents) {
      setAmountError(`The minimum is ${formatUsd(limits.minCents)}.`);
      invalid = true;
    } else if (cents > limits.maxCents) {
      setAmountError(`The maximum per transfer is ${formatUsd(limits.maxCents)}.`);
      invalid = true;
    } else {
      setAmountError(undefined);
    }
    if (showMandate && !accepted) {
      setMandateError('Check "I authorize" to allow this debit.');
      if (!invalid) mandateBox.current?.focus();
      invalid = true;
    } else {
      setMandateError(undefined);
    }
    if (invalid || cents === null) {
      if (cents === null || cents < limits.minCents || cents > limits.maxCents) amountInput.current?.focus();
      return;
    }

    // Same transfer as the unanswered attempt → same request id; anything else is a new transfer.
    const key = `${account.id}:${cents}`;
    if (!attempt.current || attempt.current.key !== key) attempt.current = { requestId: newRequestId(), key };
    const { requestId } = attempt.current;

    inFlight.current = true;
    setPending(true);
    setFormError(undefined);
    const res = await api<{ payment: PaymentView }>("POST", "/api/payments", {
      requestId,
      bankAccountId: account.id,
      amountCents: cents,
      ...(showMandate && accepted ? { mandate: { accepted: true, textVersion: MANDATE_TEXT_VERSION } } : {}),
    });
    inFlight.current = false;
    setPending(false);

    if (res.ok) {
      attempt.current = null;
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

    // No answer, or the bank/processor was unreachable: the outcome is unknown, so
    // keep the request id; sending it again is safe and cannot debit twice.
    if (res.status === 0 || res.status >= 500) {
      setFormError({ message: res.error.message, retryable: true });
      return;
    }
    attempt.current = null;
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
