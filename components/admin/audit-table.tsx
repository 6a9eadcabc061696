import type { AuditEntryView } from "@/lib/admin/users";
import { DataTable, td } from "./table";
import { formatWhen } from "./format";

export function AuditTable({ entries, caption }: { entries: AuditEntryView[]; caption: string }) {
  return (
    <DataTable
      caption={caption}
      captionHidden
      columns={["When", "Actor", "Action", "Target", "Details"]}
      empty={entries.length === 0 ? "No entries." : null}
    >
      {entries.map((e) => (
        <tr key={e.id}>
          <td className={`${td} whitespace-nowrap`}>{formatWhen(e.createdAt)}</td>
          <td className={td}>{e.actorEmail ?? (e.actorId ? e.actorId : "system")}</td>
          <td className={td}>
            <code className="text-xs">{e.action}</code>
          </td>
          <td className={td}>{e.targetType ? `${e.targetType} ${e.targetId ?? ""}` : "—"}</td>
          <td className={`${td} max-w-xs break-all text-xs text-slate-600`}>
            {e.metadata && typeof e.metadata === "object" && Object.keys(e.metadata).length ? JSON.stringify(e.metadata) : ""}
            {e.ip ? ` · ip ${e.ip}` : ""}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
