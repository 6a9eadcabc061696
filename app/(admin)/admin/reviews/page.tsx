import type { Metadata } from "next";
import Link from "next/link";
import { requireAdmin } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { bankLabel } from "@/lib/format";
import { listReviewQueue } from "@/lib/admin/review";
import { issueFields, reviewQuerySchema, searchParamsObject } from "@/lib/admin/schemas";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { DataTable, td } from "@/components/admin/table";
import { Pager } from "@/components/admin/pager";
import { ReviewSignals } from "@/components/admin/review-signals";
import { ReviewActions } from "@/components/admin/review-actions";
import { formatWhen } from "@/components/admin/format";

export const metadata: Metadata = { title: "Review queue · Admin" };

export default async function ReviewQueuePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireAdmin("/admin/reviews");
  const raw = searchParamsObject(await searchParams);
  const parsed = reviewQuerySchema.safeParse(raw);
  // A status or page that is not valid is named; the first page of pending accounts is shown.
  const query = parsed.success ? parsed.data : {};
  const errors = Object.entries(parsed.success ? {} : issueFields(parsed.error));
  const queue = await listReviewQueue(getDb(), query);
  const status = query.status ?? "PENDING";
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Linked-account review</h1>
      <nav aria-label="Review status" className="flex gap-4 text-sm">
        {(["PENDING", "APPROVED", "BLOCKED"] as const).map((s) => (
          <Link
            key={s}
            href={`/admin/reviews?status=${s}`}
            aria-current={s === status ? "page" : undefined}
            className={s === status ? "font-semibold underline" : "text-brand-700 underline"}
          >
            {s.toLowerCase()}
          </Link>
        ))}
      </nav>
      {errors.length ? (
        <Alert>{errors.map(([field, message]) => `${field}: ${message}. `).join("")}Showing the first page of pending accounts.</Alert>
      ) : null}
      <Card>
        <DataTable
          caption={`${queue.total} account${queue.total === 1 ? "" : "s"} ${status.toLowerCase()}, oldest first`}
          columns={["Account", "User", "Linked", "Signals", "Actions"]}
          empty={queue.items.length === 0 ? "Nothing here." : null}
        >
          {queue.items.map((a) => (
            <tr key={a.id}>
              <td className={td}>
                <Link href={`/admin/bank-accounts/${a.id}`} className="font-medium text-brand-700 underline">
                  {bankLabel(a)}
                </Link>
                <div className="text-xs text-slate-500">{a.name}</div>
              </td>
              <td className={td}>
                <Link href={`/admin/users/${a.user.id}`} className="underline">
                  {a.user.email}
                </Link>
                <div className="text-xs text-slate-500">{a.user.name}</div>
              </td>
              <td className={td}>{formatWhen(a.createdAt)}</td>
              <td className={td}>
                <ReviewSignals item={a} compact />
              </td>
              <td className={td}>
                <ReviewActions item={a} />
              </td>
            </tr>
          ))}
        </DataTable>
        <Pager basePath="/admin/reviews" params={{ status }} page={queue.page} hasNext={queue.page * queue.pageSize < queue.total} />
      </Card>
    </div>
  );
}
