import type { ReviewItemView } from "@/lib/admin/review";
import { bankLabel } from "@/lib/format";
import { ActionButton } from "./action-button";
import { LiftBlockButton } from "./lift-block-button";

/** Approve / block / remove for one account (server component; the buttons are small client islands). */
export function ReviewActions({
  item,
  redirectAfterRemove,
}: {
  item: Pick<ReviewItemView, "id" | "reviewStatus" | "status" | "mask" | "institutionName">;
  redirectAfterRemove?: string;
}) {
  if (item.status === "REMOVED") return <span className="text-sm text-slate-500">Removed</span>;
  const label = bankLabel(item);
  return (
    <div className="flex flex-wrap gap-2">
      {item.reviewStatus === "PENDING" ? (
        <ActionButton url={`/api/admin/bank-accounts/${item.id}/review`} body={{ decision: "approve" }} label="Approve" variant="primary" />
      ) : null}
      {item.reviewStatus === "BLOCKED" ? <LiftBlockButton bankAccountId={item.id} label={label} /> : null}
      {item.reviewStatus !== "BLOCKED" ? (
        <ActionButton
          url={`/api/admin/bank-accounts/${item.id}/review`}
          body={{ decision: "block" }}
          label="Block"
          variant="danger"
          confirm={{ title: `Block ${label}?`, text: "Funding from this account is refused from now on. You can approve it again later." }}
        />
      ) : null}
      <ActionButton
        url={`/api/admin/bank-accounts/${item.id}`}
        method="DELETE"
        label="Remove"
        variant="danger"
        redirectTo={redirectAfterRemove}
        confirm={{
          title: `Remove ${label}?`,
          text: "This detaches the bank account at Stripe and removes the bank connection at Plaid. The user would have to link it again.",
        }}
      />
    </div>
  );
}
