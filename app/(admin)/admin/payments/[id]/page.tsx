import type { Metadata } from "next";
import type { ReactNode } from "react";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireAdmin } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { isStorableText } from "@/lib/safe-text";
import { getAdminPaymentDetail } from "@/lib/admin/payments";
import { Card } from "@/components/ui/card";
import { DataTable, td } from "@/components/admin/table";
import { StatusBadge } from "@/components/admin/status-badge";
import { formatWhen } from "@/components/admin/format";
import { formatUsd } from "@/lib/format";
import { RefundButton } from "@/components/admin/refund-button";

const cents = (value: number | null) => (value === null ? "—" : formatUsd(value));

export const metadata: Metadata = { title: "Payment · Admin" };

export default async function AdminPaymentPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requireAdmin(`/admin/payments/${id}`);
  // An id PostgreSQL text cannot hold names nothing: 404 before any query (lib/safe-text.ts).
  if (!isStorableText(id)) notFound();
  const detail = await getAdminPaymentDetail(getDb(), id).catch((err: unknown) => {
    if (err instanceof AppError && err.status === 404) notFound();
    throw err;
  });
  const p = detail.payment;
  const rows: [string, ReactNode][] = [
    ["Amount", formatUsd(p.amountCents)],
    ["Status", <StatusBadge key="s" status={p.status} />],
    [
      "User",
      <Link key="u" href={`/admin/users/${p.userId}`} className="underline">
        {p.userEmail}
      </Link>,
    ],
    [
      "Bank",
      <Link key="b" href={`/admin/bank-accounts/${p.bankAccountId}`} className="underline">
        {p.bankLabel}
      </Link>,
    ],
    ["Created", formatWhen(p.createdAt)],
    ["Settled", formatWhen(p.settledAt)],
    ["Credited to balance", p.credited ? "yes" : "no"],
    ["Stripe fee", cents(p.feeCents)],
    ["Net", cents(p.netCents)],
    [
      "Disputed",
      p.disputedAt
        ? `${formatWhen(p.disputedAt)}: ${p.reversed ? "taken back from the balance" : "not credited, nothing to take back"}`
        : "—",
    ],
    ...(p.dispute
      ? ([
          ["Dispute reason", p.dispute.reason ?? "—"],
          ["Dispute fee withdrawn", cents(p.dispute.feeCents)],
          ["Stripe dispute", p.dispute.id ?? "—"],
        ] satisfies [string, ReactNode][])
      : []),
    [
      "Refunded",
      p.refundReversed
        ? p.refundRestored
          ? "refund failed after it succeeded: amount given back"
          : "yes: taken back from the balance"
        : "—",
    ],
    ["Stripe PaymentIntent", p.stripePaymentIntentId ?? "—"],
    ["Stripe charge", p.stripeChargeId ?? "—"],
    ["Stripe mandate", p.stripeMandateId ?? "—"],
    ["Request id", p.requestId],
    ["Failure", p.failureCode ? `${p.failureCode}${p.failureMessage ? `: ${p.failureMessage}` : ""}` : "—"],
    ["ACH return code", p.returnCode ? `${p.returnCode}${p.returnMeaning ? `: ${p.returnMeaning}` : ""}` : "—"],
  ];
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">
        Payment {formatUsd(p.amountCents)} <span className="text-base font-normal text-slate-500">{p.id}</span>
      </h1>
      {p.refundable ? <RefundButton paymentId={p.id} amountLabel={formatUsd(p.amountCents)} /> : null}
      <Card title="Details">
        <dl className="grid grid-cols-[12rem_1fr] gap-y-1 text-sm">
          {rows.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="text-slate-500">{k}</dt>
              <dd className="break-all">{v}</dd>
            </div>
          ))}
        </dl>
      </Card>
      {detail.refunds.length > 0 ? (
        <Card title="Refunds">
          <DataTable
            caption="Refunds of this payment, oldest first"
            captionHidden
            columns={["Requested", "Amount", "Status", "By", "Reason", "Stripe"]}
          >
            {detail.refunds.map((r) => (
              <tr key={r.id} data-refund-status={r.status}>
                <td className={`${td} whitespace-nowrap`}>{formatWhen(r.createdAt)}</td>
                <td className={td}>{formatUsd(r.amountCents)}</td>
                <td className={td}>
                  <StatusBadge status={r.status} />
                  {r.failureReason ? <span className="block text-xs text-red-700">{r.failureReason}</span> : null}
                </td>
                <td className={td}>{r.createdByEmail ?? "made at Stripe"}</td>
                <td className={td}>{r.reason ?? ""}</td>
                <td className={td}>
                  <code className="text-xs">{r.stripeRefundId ?? "—"}</code>
                </td>
              </tr>
            ))}
          </DataTable>
        </Card>
      ) : null}
      <Card title="Timeline">
        <DataTable
          caption="Webhook events and audit entries, oldest first"
          captionHidden
          columns={["When", "Source", "Event", "Detail"]}
          empty={detail.timeline.length === 0 ? "Nothing yet." : null}
        >
          {detail.timeline.map((t, i) => (
            <tr key={`${t.at}-${i}`}>
              <td className={`${td} whitespace-nowrap`}>{formatWhen(t.at)}</td>
              <td className={td}>{t.source === "stripe" ? "Stripe webhook" : "Fundwell"}</td>
              <td className={td}>
                <code className="text-xs">{t.label}</code>
              </td>
              <td className={td}>{t.detail ?? ""}</td>
            </tr>
          ))}
        </DataTable>
      </Card>
    </div>
  );
}
