import type { PaymentView } from "@/lib/funding/views";
import { Badge } from "@/components/ui/badge";
import { formatUsd } from "@/lib/format";
import { formatDateTime } from "./format";
import { paymentState, REFUND } from "./status";

/** Recent transfers, newest first. Narrow screens fold the bank under the date. */
export function PaymentHistory({ payments }: { payments: PaymentView[] }) {
  if (payments.length === 0) {
    return <p className="text-sm text-slate-600">No transfers yet. Your transfers and their status appear here.</p>;
  }
  return (
    <div role="region" aria-label="Transfer history">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Transfer history, newest first</caption>
        <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="py-2 pr-3 font-medium">
              Date
            </th>
            <th scope="col" className="hidden py-2 pr-3 font-medium sm:table-cell">
              From
            </th>
            <th scope="col" className="py-2 pr-3 text-right font-medium">
              Amount
            </th>
            <th scope="col" className="py-2 font-medium">
              Status
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {payments.map((p) => {
            const status = paymentState(p);
            return (
              <tr key={p.id} data-status={status.key} className="align-top">
                <td className="py-3 pr-3 text-slate-700">
                  <time dateTime={p.createdAt} suppressHydrationWarning>
                    {formatDateTime(p.createdAt)}
                  </time>
                  <span className="block text-xs text-slate-500 sm:hidden">{p.bankLabel}</span>
                </td>
                <td className="hidden py-3 pr-3 text-slate-700 sm:table-cell">{p.bankLabel}</td>
                <td className="py-3 pr-3 text-right font-medium whitespace-nowrap tabular-nums text-slate-900">
                  {formatUsd(p.amountCents)}
                </td>
                <td className="py-3">
                  <Badge tone={status.tone}>{status.label}</Badge>
                  {p.failureReason ? <span className="mt-1 block text-xs text-red-700">{p.failureReason}</span> : null}
                  {p.nextStep ? <span className="mt-1 block text-xs text-slate-700">{p.nextStep}</span> : null}
                  {p.disputed ? (
                    <span className="mt-1 block text-xs text-red-700">Disputed with your bank: taken back from your balance.</span>
                  ) : p.refund ? (
                    <span className="mt-1 block text-xs text-slate-600">{REFUND[p.refund].detail}</span>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
