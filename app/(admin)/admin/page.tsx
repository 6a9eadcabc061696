import type { Metadata } from "next";
import Link from "next/link";
import { requireAdmin } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { getAdminOverview } from "@/lib/admin/overview";
import { searchUsers } from "@/lib/admin/users";
import { DataTable, td } from "@/components/admin/table";
import { Card } from "@/components/ui/card";
import { VolumeChart } from "@/components/admin/volume-chart";
import { percent } from "@/components/admin/format";
import { formatUsd } from "@/lib/format";

export const metadata: Metadata = { title: "Admin" };

function Stat({ label, value, href }: { label: string; value: string | number; href?: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <dt className="text-sm text-slate-500">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold text-slate-900">
        {href ? (
          <Link href={href} className="hover:underline">
            {value}
          </Link>
        ) : (
          value
        )}
      </dd>
    </div>
  );
}

function Counts({ title, counts }: { title: string; counts: Record<string, number> }) {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  return (
    <table className="w-full text-left text-sm">
      <caption className="mb-2 text-left font-medium text-slate-700">{title}</caption>
      <thead className="text-slate-500">
        <tr>
          <th scope="col" className="py-1">
            Status
          </th>
          <th scope="col" className="py-1 text-right">
            Count
          </th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {entries.length === 0 ? (
          <tr>
            <td colSpan={2} className="py-1 text-slate-500">
              None yet
            </td>
          </tr>
        ) : (
          entries.map(([status, n]) => (
            <tr key={status}>
              <td className="py-1">{status.toLowerCase().replace(/_/g, " ")}</td>
              <td className="py-1 text-right tabular-nums">{n}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}

export default async function AdminOverviewPage() {
  await requireAdmin("/admin");
  const [o, newest] = await Promise.all([getAdminOverview(getDb()), searchUsers(getDb(), {})]);
  const total30 = o.dailyVolume.reduce((s, d) => s + d.amountCents, 0);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Admin overview</h1>
      <dl className="grid grid-cols-2 gap-4 md:grid-cols-4">
        <Stat label="Users" value={o.users.total} href="/admin/users" />
        <Stat label="Accounts awaiting review" value={o.accountsAwaitingReview} href="/admin/reviews" />
        <Stat label="Items needing reconnection" value={o.itemsNeedingReconnection} />
        <Stat label="Failure rate (30 days)" value={percent(o.failureRate.rate)} href="/admin/payments?status=FAILED" />
      </dl>
      <dl className="grid grid-cols-2 gap-4 md:grid-cols-4" aria-label="Stripe balance transactions">
        <Stat label="Stripe fees (with dispute fees)" value={formatUsd(o.stripeMoney.feesCents)} />
        <Stat label="Dispute fees" value={formatUsd(o.stripeMoney.disputeFeesCents)} />
        <Stat label="Net of succeeded debits" value={formatUsd(o.stripeMoney.netCents)} />
        <Stat label="Refunded" value={formatUsd(o.stripeMoney.refundedCents)} />
      </dl>
      {o.stripeMoney.withoutFee > 0 ? (
        <p className="text-xs text-slate-500">
          {o.stripeMoney.withoutFee} succeeded payment(s) without a recorded balance transaction yet (reconciliation records them).
        </p>
      ) : null}
      <Card title={`Funding volume per day (30 days: ${formatUsd(total30)})`}>
        <VolumeChart data={o.dailyVolume} />
        <p className="mt-2 text-xs text-slate-500">
          {o.failureRate.failed} failed of {o.failureRate.settled} settled in the last 30 days.
        </p>
      </Card>
      <div className="grid gap-6 md:grid-cols-2">
        <Card>
          <Counts title="Linked accounts by status" counts={o.bankAccountsByStatus} />
        </Card>
        <Card>
          <Counts title="Payments by status" counts={o.paymentsByStatus} />
        </Card>
      </div>
      <Card title="Newest users">
        <DataTable caption="Newest users" captionHidden columns={["Email", "Name", "Role", "Status", "Joined"]}>
          {newest.users.slice(0, 10).map((u) => (
            <tr key={u.id}>
              <td className={td}>
                <Link href={`/admin/users/${u.id}`} className="text-brand-700 underline">
                  {u.email}
                </Link>
              </td>
              <td className={td}>{u.name}</td>
              <td className={td}>{u.role.toLowerCase()}</td>
              <td className={td}>{u.disabled ? "disabled" : "active"}</td>
              <td className={td}>{u.createdAt.slice(0, 10)}</td>
            </tr>
          ))}
        </DataTable>
        <p className="mt-3 text-sm">
          <Link href="/admin/users" className="text-brand-700 underline">
            All users
          </Link>
        </p>
      </Card>
      <p className="text-sm text-slate-600">
        {o.users.admins} admin{o.users.admins === 1 ? "" : "s"}, {o.users.disabled} disabled user{o.users.disabled === 1 ? "" : "s"}.
      </p>
    </div>
  );
}
