import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireAdmin } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { isStorableText } from "@/lib/safe-text";
import { getUserDetail } from "@/lib/admin/users";
import { Card } from "@/components/ui/card";
import { DataTable, td } from "@/components/admin/table";
import { StatusBadge } from "@/components/admin/status-badge";
import { ActionButton } from "@/components/admin/action-button";
import { AuditTable } from "@/components/admin/audit-table";
import { PaymentRow } from "@/components/admin/payment-row";
import { formatWhen } from "@/components/admin/format";

export const metadata: Metadata = { title: "User · Admin" };

export default async function AdminUserPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const admin = await requireAdmin(`/admin/users/${id}`);
  // An id PostgreSQL text cannot hold names nothing: 404 before any query (lib/safe-text.ts).
  if (!isStorableText(id)) notFound();
  const detail = await getUserDetail(getDb(), id).catch((err: unknown) => {
    if (err instanceof AppError && err.status === 404) notFound();
    throw err;
  });
  const { user } = detail;
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">{user.email}</h1>
      <Card title="Profile">
        <dl className="grid grid-cols-[10rem_1fr] gap-y-1 text-sm">
          <dt className="text-slate-500">Name</dt>
          <dd>{user.name ?? "—"}</dd>
          <dt className="text-slate-500">Role</dt>
          <dd>{user.role.toLowerCase()}</dd>
          <dt className="text-slate-500">Status</dt>
          <dd>{user.disabled ? <StatusBadge status="BLOCKED" /> : <StatusBadge status="ACTIVE" />}</dd>
          <dt className="text-slate-500">Joined</dt>
          <dd>{formatWhen(user.createdAt)}</dd>
        </dl>
        {user.id !== admin.id ? (
          <div className="mt-4">
            {user.disabled ? (
              <ActionButton url={`/api/admin/users/${user.id}`} method="PATCH" body={{ disabled: false }} label="Re-enable user" />
            ) : (
              <ActionButton
                url={`/api/admin/users/${user.id}`}
                method="PATCH"
                body={{ disabled: true }}
                label="Disable user"
                variant="danger"
                confirm={{
                  title: `Disable ${user.email}?`,
                  text: "They are signed out everywhere at once and cannot sign in until re-enabled.",
                }}
              />
            )}
          </div>
        ) : null}
      </Card>
      <Card title="Bank connections">
        <DataTable
          caption="Plaid items"
          captionHidden
          columns={["Institution", "Status", "Error", "Linked"]}
          empty={detail.items.length === 0 ? "No bank connections." : null}
        >
          {detail.items.map((i) => (
            <tr key={i.id}>
              <td className={td}>{i.institutionName ?? "—"}</td>
              <td className={td}>
                <StatusBadge status={i.status} />
              </td>
              <td className={td}>{i.errorCode ?? "—"}</td>
              <td className={td}>{formatWhen(i.createdAt)}</td>
            </tr>
          ))}
        </DataTable>
        <div className="mt-6">
          <DataTable
            caption="Bank accounts (mask only)"
            columns={["Account", "Type", "Status", "Review", "Linked"]}
            empty={detail.accounts.length === 0 ? "No bank accounts." : null}
          >
            {detail.accounts.map((a) => (
              <tr key={a.id}>
                <td className={td}>
                  <Link href={`/admin/bank-accounts/${a.id}`} className="text-brand-700 underline">
                    {a.label}
                  </Link>
                </td>
                <td className={td}>{a.subtype ?? "—"}</td>
                <td className={td}>
                  <StatusBadge status={a.status} />
                </td>
                <td className={td}>
                  <StatusBadge status={a.reviewStatus} />
                </td>
                <td className={td}>{formatWhen(a.createdAt)}</td>
              </tr>
            ))}
          </DataTable>
        </div>
      </Card>
      <Card title="Payments (latest 50)">
        <DataTable
          caption="Payments"
          captionHidden
          columns={["When", "Amount", "Status", "Bank", "Failure"]}
          empty={detail.payments.length === 0 ? "No payments." : null}
        >
          {detail.payments.map((p) => (
            <PaymentRow key={p.id} payment={p} />
          ))}
        </DataTable>
      </Card>
      <Card title="Audit trail (latest 50)">
        <AuditTable entries={detail.audit} caption="Audit entries by or about this user" />
        <p className="mt-2 text-sm">
          <Link href={`/admin/audit?actor=${encodeURIComponent(user.id)}`} className="text-brand-700 underline">
            All actions by this user
          </Link>
        </p>
      </Card>
    </div>
  );
}
