import type { Metadata } from "next";
import Link from "next/link";
import { requireAdmin } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { listAuditLog } from "@/lib/admin/audit-log";
import { AUDIT_FILTER_FIELDS, auditFilterSchema, issueFields, searchParamsObject } from "@/lib/admin/schemas";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { buttonClass } from "@/components/ui/button";
import { Pager } from "@/components/admin/pager";
import { AuditTable } from "@/components/admin/audit-table";

export const metadata: Metadata = { title: "Audit log · Admin" };

export default async function AdminAuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireAdmin("/admin/audit");
  const raw = searchParamsObject(await searchParams);
  const parsed = auditFilterSchema.safeParse(raw);
  // A filter that is not valid (a date not on the calendar, a range backwards, …) is named on its field; the log is shown unfiltered.
  const errors = parsed.success ? {} : issueFields(parsed.error);
  const result = await listAuditLog(getDb(), parsed.success ? parsed.data : {});
  const kept = Object.fromEntries(AUDIT_FILTER_FIELDS.filter((k) => raw[k]).map((k) => [k, raw[k]!]));
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Audit log</h1>
      <form method="get" className="grid grid-cols-2 gap-3 md:grid-cols-3" aria-label="Filter the audit log">
        <Field id="actor" name="actor" label="Actor (email or user id)" defaultValue={raw.actor ?? ""} error={errors.actor} />
        <Field id="action" name="action" label="Action (prefix, e.g. admin.)" defaultValue={raw.action ?? ""} error={errors.action} />
        <Field id="targetType" name="targetType" label="Target type" defaultValue={raw.targetType ?? ""} error={errors.targetType} />
        <Field id="targetId" name="targetId" label="Target id" defaultValue={raw.targetId ?? ""} error={errors.targetId} />
        <Field id="from" name="from" label="From (UTC date)" type="date" defaultValue={raw.from ?? ""} error={errors.from} />
        <Field id="to" name="to" label="To (UTC date)" type="date" defaultValue={raw.to ?? ""} error={errors.to} />
        <div className="flex items-end gap-3">
          <button type="submit" className={buttonClass("secondary")}>
            Filter
          </button>
          <Link href="/admin/audit" className="text-sm text-brand-700 underline">
            Clear
          </Link>
        </div>
      </form>
      {!parsed.success ? <Alert>Some filters are not valid; showing everything.</Alert> : null}
      <Card>
        <AuditTable entries={result.entries} caption="Audit log, newest first" />
        <Pager
          basePath="/admin/audit"
          params={kept}
          hasNext={Boolean(result.nextCursor)}
          nextParams={result.nextCursor ? { cursor: result.nextCursor } : undefined}
        />
      </Card>
    </div>
  );
}
