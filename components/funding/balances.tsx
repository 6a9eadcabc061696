import type { BalanceView } from "@/lib/funding/views";
import { formatUsd } from "@/lib/format";

/** Available (settled) and pending (debits on their way) balances, kept apart. */
export function Balances({ balances }: { balances: BalanceView }) {
  return (
    <dl className="grid gap-4 sm:grid-cols-2">
      <div className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        <dt className="text-sm font-medium text-slate-600">Available balance</dt>
        <dd className="mt-1 text-3xl font-semibold tabular-nums text-slate-900" data-testid="available-balance">
          {formatUsd(balances.availableCents)}
        </dd>
        <dd className="mt-1 text-xs text-slate-500">Settled and ready to use.</dd>
      </div>
      <div className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        <dt className="text-sm font-medium text-slate-600">Pending</dt>
        <dd className="mt-1 text-3xl font-semibold tabular-nums text-slate-500" data-testid="pending-balance">
          {formatUsd(balances.pendingCents)}
        </dd>
        <dd className="mt-1 text-xs text-slate-500">On its way from your bank, usually 1–3 business days.</dd>
      </div>
    </dl>
  );
}
