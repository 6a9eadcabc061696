import type { SignInView } from "@/lib/auth/sessions";
import { Badge } from "@/components/ui/badge";

const COLUMNS: { label: string; className?: string }[] = [
  { label: "When (UTC)" },
  { label: "IP address" },
  { label: "Browser", className: "hidden sm:table-cell" },
  { label: "Status" },
];

const when = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

/** Recent sign-ins: when (UTC), from where, with what; this device and the ones still signed in are marked. */
export function SignInList({ signIns }: { signIns: SignInView[] }) {
  if (signIns.length === 0) return <p className="text-sm text-slate-600">No sign-ins recorded yet.</p>;
  return (
    <table className="w-full text-left text-sm">
      <caption className="sr-only">Recent sign-ins, newest first</caption>
      <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
        <tr>
          {COLUMNS.map((c) => (
            <th key={c.label} scope="col" className={`py-2 pr-3 font-medium ${c.className ?? ""}`}>
              {c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {signIns.map((s) => (
          <tr key={s.id} className="border-b border-slate-100 last:border-0" data-testid="sign-in-row">
            <td className="py-2 pr-3 whitespace-nowrap">{when.format(new Date(s.createdAt))}</td>
            <td className="py-2 pr-3">{s.ip ?? "unknown"}</td>
            <td className="hidden max-w-xs truncate py-2 pr-3 text-slate-600 sm:table-cell" title={s.userAgent ?? undefined}>
              {s.userAgent ?? "unknown"}
            </td>
            <td className="py-2">
              {s.current ? (
                <Badge tone="success">This device</Badge>
              ) : s.active ? (
                <Badge tone="info">Signed in</Badge>
              ) : (
                <Badge tone="neutral">Signed out</Badge>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
