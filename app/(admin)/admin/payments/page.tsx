import type { Metadata } from "next";
import Link from "next/link";
import { requireAdmin } from "@/lib/auth";
import { ExportCsvButton } from "@/components/admin/step-up";
import { getDb } from "@/lib/db";
import { listAdminPayments } from "@/lib/admin/payments";
import { issueFields, PAYMENT_FILTER_FIELDS, paymentFilterSchema, searchParamsObject, type PaymentFilter } from "@/lib/admin/schemas";
import { PaymentStatus } from "@/lib/generated/prisma/enums";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { buttonClass } from "@/components/ui/button";
import { DataTable } from "@/components/admin/table";
import { Pager } from "@/components/admin/pager";
import { PaymentRow } from "@/components/admin/payment-row";

export const metadata: Metadata = { title: "Payments · Admin" };

export default async function AdminPaymentsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireAdmin("/admin/payments");
  const raw = searchParamsObject(await searchParams);
  const parsed = paymentFilterSchema.safeParse(raw);
  const filter: PaymentFilter = parsed.success ? parsed.data : {};
  // A filter that is not valid is named on its field; the list is shown unfiltered.
  const fieldErrors = parsed.success ? {} : issueFields(parsed.error);
  const result = await listAdminPayments(getDb(), filter);
  // The filter as typed (without the page cursor), for the export link and the pager.
  const kept = Object.fromEntries(PAYMENT_FILTER_FIELDS.filter((k) => raw[k]).map((k) => [k, raw[k]!]));
  const exportHref = `/api/admin/payments/export?${new URLSearchParams(kept).toString()}`;
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Payments</h1>
      <form method="get" className="grid grid-cols-2 gap-3 md:grid-cols-4" aria-label="Filter payments">
        <div className="space-y-1">
          <label htmlFor="status" className="block text-sm font-medium text-slate-700">
            Status
          </label>
          <select
            id="status"
            name="status"
            defaultValue={raw.status ?? ""}
            className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
          >
            <option value="">Any</option>
            {Object.values(PaymentStatus).map((s) => (
              <option key={s} value={s}>
                {s.toLowerCase()}
              </option>
            ))}
          </select>
        </div>
        <Field id="email" name="email" label="User email" type="search" defaultValue={raw.email ?? ""} error={fieldErrors.email} />
        <Field id="from" name="from" label="From (UTC date)" type="date" defaultValue={raw.from ?? ""} error={fieldErrors.from} />
        <Field id="to" name="to" label="To (UTC date)" type="date" defaultValue={raw.to ?? ""} error={fieldErrors.to} />
        <Field
          id="minAmount"
          name="minAmount"
          label="Min amount ($)"
          inputMode="decimal"
          defaultValue={raw.minAmount ?? ""}
          error={fieldErrors.minAmount}
        />
        <Field
          id="maxAmount"
          name="maxAmount"
          label="Max amount ($)"
          inputMode="decimal"
          defaultValue={raw.maxAmount ?? ""}
          error={fieldErrors.maxAmount}
        />
        <div className="flex items-end gap-3 md:col-span-2">
          <button type="submit" className={buttonClass("secondary")}>
            Filter
          </button>
          <Link href="/admin/payments" className="text-sm text-brand-700 underline">
            Clear
          </Link>
          <ExportCsvButton href={exportHref} />
        </div>
      </form>
      {!parsed.success ? <Alert>Some filters are not valid; showing all payments.</Alert> : null}
      <Card>
        <DataTable
          caption="Payments, newest first"
          captionHidden
          columns={["When", "User", "Amount", "Status", "Bank", "Failure"]}
          empty={result.payments.length === 0 ? "No payments match." : null}
        >
          {result.payments.map((p) => (
            <PaymentRow key={p.id} payment={p} user={{ id: p.userId, email: p.userEmail }} />
          ))}
        </DataTable>
        <Pager
          basePath="/admin/payments"
          params={kept}
          hasNext={Boolean(result.nextCursor)}
          nextParams={result.nextCursor ? { cursor: result.nextCursor } : undefined}
        />
        {filter.cursor ? (
          <p className="mt-2 text-sm">
            <Link href={`/admin/payments?${new URLSearchParams(kept).toString()}`} className="text-brand-700 underline">
              Back to the newest
            </Link>
          </p>
        ) : null}
      </Card>
    </div>
  );
}
