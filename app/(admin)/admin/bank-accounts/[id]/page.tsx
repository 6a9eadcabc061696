import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireAdmin } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { bankingDeps } from "@/lib/banking/deps";
import { AppError } from "@/lib/errors";
import { isStorableText } from "@/lib/safe-text";
import { bankLabel } from "@/lib/format";
import { getBankAccountForReview } from "@/lib/admin/review";
import { getAccountReturn } from "@/lib/admin/account-returns";
import { getProcessorTokenPermissions, listProcessorTokens, PROCESSORS, PRODUCTS } from "@/lib/admin/processor-tokens";
import { Card } from "@/components/ui/card";
import { ReviewSignals } from "@/components/admin/review-signals";
import { ReviewActions } from "@/components/admin/review-actions";
import { ReviewRules } from "@/components/admin/review-rules";
import { StatusBadge } from "@/components/admin/status-badge";
import { CreateProcessorTokenForm, PermissionsForm } from "@/components/admin/processor-token-forms";
import { formatWhen } from "@/components/admin/format";

export const metadata: Metadata = { title: "Linked account · Admin" };

export default async function AdminBankAccountPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requireAdmin(`/admin/bank-accounts/${id}`);
  // An id PostgreSQL text cannot hold names nothing: 404 before any query (lib/safe-text.ts).
  if (!isStorableText(id)) notFound();
  const db = getDb();
  const account = await getBankAccountForReview(db, id).catch((err: unknown) => {
    if (err instanceof AppError && err.status === 404) notFound();
    throw err;
  });
  const returned = await getAccountReturn(db, id);
  const tokens = await listProcessorTokens(db, id);
  const permissions = await Promise.all(
    tokens.map((t) =>
      getProcessorTokenPermissions(bankingDeps(), t.id).then(
        (r) => ({ products: r.products, error: null as string | null }),
        (err: unknown) => ({ products: null, error: err instanceof Error ? err.message : "unavailable" }),
      ),
    ),
  );
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">{bankLabel(account)}</h1>
      <Card title="Account">
        <dl className="grid grid-cols-[12rem_1fr] gap-y-1 text-sm">
          <dt className="text-slate-500">User</dt>
          <dd>
            <Link href={`/admin/users/${account.user.id}`} className="underline">
              {account.user.email}
            </Link>
          </dd>
          <dt className="text-slate-500">Name</dt>
          <dd>
            {account.name} ({account.subtype ?? "—"})
          </dd>
          <dt className="text-slate-500">Status</dt>
          <dd className="flex gap-2">
            <StatusBadge status={account.status} /> <span>connection</span> <StatusBadge status={account.itemStatus} />
          </dd>
          <dt className="text-slate-500">Review</dt>
          <dd>
            <StatusBadge status={account.reviewStatus} />
          </dd>
          <dt className="text-slate-500">Linked</dt>
          <dd>{formatWhen(account.createdAt)}</dd>
          {returned ? (
            <>
              <dt className="text-slate-500">Unusable since</dt>
              <dd>
                {formatWhen(returned.at)}: ACH return {returned.returnCode ?? "(no code)"} · {returned.failureCode ?? "—"} ·{" "}
                {returned.reason}
                {returned.paymentId ? (
                  <>
                    {" "}
                    (
                    <Link href={`/admin/payments/${returned.paymentId}`} className="underline">
                      payment
                    </Link>
                    )
                  </>
                ) : null}
              </dd>
            </>
          ) : null}
        </dl>
      </Card>
      <Card title="Automatic review">
        <ReviewRules rules={account.rules} />
      </Card>
      <Card title="Review signals">
        <ReviewSignals item={account} />
        <div className="mt-4">
          <ReviewActions item={account} redirectAfterRemove="/admin/reviews" />
        </div>
      </Card>
      <Card title="Processor tokens">
        {account.status !== "REMOVED" ? <CreateProcessorTokenForm bankAccountId={account.id} processors={PROCESSORS} /> : null}
        <ul className="mt-6 space-y-6">
          {tokens.length === 0 ? <li className="text-sm text-slate-500">No processor tokens yet.</li> : null}
          {tokens.map((t, i) => (
            <li key={t.id} className="space-y-2 border-t border-slate-100 pt-4">
              <p className="text-sm">
                <strong>{t.processor}</strong> · <code>{t.tokenHint}</code> · created {formatWhen(t.createdAt)}
              </p>
              <p className="text-sm text-slate-600">
                Current permissions:{" "}
                {permissions[i]?.error
                  ? `unavailable (${permissions[i].error})`
                  : permissions[i]?.products?.length
                    ? permissions[i].products!.join(", ")
                    : "default (all allowed)"}
              </p>
              <PermissionsForm processorTokenId={t.id} products={PRODUCTS} current={permissions[i]?.products ?? null} />
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}
