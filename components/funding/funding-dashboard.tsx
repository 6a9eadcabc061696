"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { useRouter } from "next/navigation";
import type { DashboardData } from "@/lib/funding/views";
import { formatUsd } from "@/lib/format";
import { Card } from "@/components/ui/card";
import { ToastProvider, useToast } from "@/components/ui/toast";
import { api } from "./api";
import { Balances } from "./balances";
import { BankSection } from "./bank-section";
import { FundForm } from "./fund-form";
import { PaymentHistory } from "./payment-history";
import { accountState, isInFlight } from "./status";

const POLL_MS = 3_000;
const POLL_MAX_MS = 30_000;

export function FundingDashboard({ initialData }: { initialData: DashboardData }) {
  return (
    <ToastProvider>
      <DashboardBody initialData={initialData} />
    </ToastProvider>
  );
}

function DashboardBody({ initialData }: { initialData: DashboardData }) {
  const router = useRouter();
  const toast = useToast();
  const [data, setData] = useState(initialData);
  // A server re-render (router.refresh) brings new props: they win.
  const [seenInitial, setSeenInitial] = useState(initialData);
  if (seenInitial !== initialData) {
    setSeenInitial(initialData);
    setData(initialData);
  }

  const sequence = useRef(0);
  const refresh = useCallback(async () => {
    const mine = ++sequence.current;
    const res = await api<DashboardData>("GET", "/api/dashboard");
    if (mine !== sequence.current) return; // a newer refresh was started
    if (res.ok) setData(res.data);
    else if (res.status === 401) router.refresh();
  }, [router]);

  // Tell the person when a transfer they are watching settles or fails.
  const previous = useRef(new Map(data.payments.map((p) => [p.id, p.status])));
  useEffect(() => {
    for (const p of data.payments) {
      const before = previous.current.get(p.id);
      if (before && isInFlight(before) && !isInFlight(p.status)) {
        if (p.status === "SUCCEEDED") toast("success", `Your ${formatUsd(p.amountCents)} transfer settled and is now available.`);
        else if (p.status === "FAILED")
          toast("error", `Your ${formatUsd(p.amountCents)} transfer failed${p.failureReason ? `: ${p.failureReason}` : "."}`);
      }
    }
    previous.current = new Map(data.payments.map((p) => [p.id, p.status]));
  }, [data.payments, toast]);

  // While a debit is on its way, poll so settlement shows up without a reload: every
  // few seconds at first, backing off to POLL_MAX_MS (ACH can take days); any change restarts.
  const watching = data.payments.some((p) => isInFlight(p.status));
  const watchKey = data.payments.map((p) => `${p.id}:${p.status}`).join(",");
  useEffect(() => {
    if (!watching) return;
    let delay = POLL_MS;
    let timer: ReturnType<typeof setTimeout>;
    const schedule = () => {
      timer = setTimeout(() => {
        if (document.visibilityState === "visible") void refresh();
        delay = Math.min(Math.round(delay * 1.5), POLL_MAX_MS);
        schedule();
      }, delay);
    };
    schedule();
    const onVisible = () => {
      if (document.visibilityState === "visible") void refresh();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [watching, watchKey, refresh]);

  const fundable = data.bankAccounts.filter((a) => accountState(a).canFund);
  const refreshNow = () => void refresh();

  return (
    <div className="space-y-6">
      <Balances balances={data.balances} />
      <div className="grid gap-6 md:grid-cols-2 md:items-start">
        <Card title="Your bank">
          <BankSection accounts={data.bankAccounts} canLink={data.emailVerified} onChanged={refreshNow} />
        </Card>
        <Card title="Add funds">
          {!data.emailVerified ? (
            <p className="text-sm text-slate-600">Verify your email address to add funds.</p>
          ) : fundable.length > 0 ? (
            <FundForm
              // A new set of accounts (linked, replaced, removed) starts a fresh form.
              key={fundable.map((a) => a.id).join(",")}
              accounts={fundable}
              limits={data.limits}
              onFunded={refreshNow}
              onAccountChanged={refreshNow}
            />
          ) : (
            <p className="text-sm text-slate-600">
              {data.bankAccounts.length === 0
                ? "Link a bank to add funds to your balance."
                : data.bankAccounts.some((a) => a.awaitingReview)
                  ? "Your bank is awaiting review. You'll be able to add funds once it's approved."
                  : "Your bank needs attention before you can add funds. See \u201cYour bank\u201d for what to do."}
            </p>
          )}
        </Card>
      </div>
      <Card title="Transfer history">
        <PaymentHistory payments={data.payments} />
      </Card>
    </div>
  );
}
