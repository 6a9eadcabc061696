import Link from "next/link";
import { formatUsd } from "@/lib/format";
import { td } from "./table";
import { StatusBadge } from "./status-badge";
import { formatWhen } from "./format";

/** One payment in an admin table; the user column only where payments of several users are listed. */
export function PaymentRow({
  payment,
  user,
}: {
  payment: { id: string; createdAt: string; amountCents: number; status: string; bankLabel: string; failureCode: string | null };
  user?: { id: string; email: string };
}) {
  return (
    <tr>
      <td className={`${td} whitespace-nowrap`}>
        <Link href={`/admin/payments/${payment.id}`} className="text-brand-700 underline">
          {formatWhen(payment.createdAt)}
        </Link>
      </td>
      {user ? (
        <td className={td}>
          <Link href={`/admin/users/${user.id}`} className="underline">
            {user.email}
          </Link>
        </td>
      ) : null}
      <td className={`${td} tabular-nums`}>{formatUsd(payment.amountCents)}</td>
      <td className={td}>
        <StatusBadge status={payment.status} />
      </td>
      <td className={td}>{payment.bankLabel}</td>
      <td className={td}>{payment.failureCode ?? "—"}</td>
    </tr>
  );
}
