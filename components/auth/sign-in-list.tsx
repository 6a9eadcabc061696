import type { SignInView } from "@/lib/auth/sessions";
import { Badge } from "@/components/ui/badge";

const when = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

/** Recent sign-ins: when (UTC), from where, with what; this device and the ones still signed in are marked. */
export function SignInList({ signIns }: { signIns: SignInView[] }) {
  if (signIns.length === 0) return <p className="text-sm text-slate-600">No sign-ins recorded yet.</p>;
  return (
    <table className="w-full text-left text-sm">
      <caption className="sr-only">Recent sign-ins, newest first</caption>
      <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
        <tr>
          <th scope="col" className="py-2 pr-3 font-medium">
            When (UTC)
          </th>
          <th scope="col" className="py-2 pr-3 font-medium">
            IP address
          </th>
          <th scope="col" className="hidden py-2 pr-3 font-medium sm:table-cell">
            Browser
          </th>
          <th scope="col" className="py-2 font-medium">
            Status
          </th>
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
