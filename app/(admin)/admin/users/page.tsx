import type { Metadata } from "next";
import Link from "next/link";
import { requireAdmin } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { searchUsers } from "@/lib/admin/users";
import { issueFields, searchParamsObject, userQuerySchema } from "@/lib/admin/schemas";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { buttonClass } from "@/components/ui/button";
import { DataTable, td } from "@/components/admin/table";
import { Pager } from "@/components/admin/pager";
import { StatusBadge } from "@/components/admin/status-badge";
import { formatWhen } from "@/components/admin/format";

export const metadata: Metadata = { title: "Users · Admin" };

export default async function AdminUsersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireAdmin("/admin/users");
  const parsed = userQuerySchema.safeParse(searchParamsObject(await searchParams));
  // A search or page that is not valid is named on the form; the first page of all users is shown.
  const query = parsed.success ? parsed.data : {};
  const errors = parsed.success ? {} : issueFields(parsed.error);
  const result = await searchUsers(getDb(), query);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Users</h1>
      <form method="get" role="search" className="flex items-end gap-3">
        <div className="w-80">
          <Field id="user-search" name="q" label="Search by email or name" type="search" defaultValue={query.q ?? ""} error={errors.q} />
        </div>
        <button type="submit" className={buttonClass("secondary")}>
          Search
        </button>
      </form>
      {!parsed.success ? <Alert>{errors.page ? `Page: ${errors.page}. ` : ""}Showing the first page of all users.</Alert> : null}
      <Card>
        <DataTable
          caption={`${result.total} user${result.total === 1 ? "" : "s"}${query.q ? ` matching “${query.q}”` : ""}, newest first`}
          columns={["Email", "Name", "Role", "Status", "Joined"]}
          empty={result.users.length === 0 ? "No users found." : null}
        >
          {result.users.map((u) => (
            <tr key={u.id}>
              <td className={td}>
                <Link href={`/admin/users/${u.id}`} className="font-medium text-brand-700 underline">
                  {u.email}
                </Link>
              </td>
              <td className={td}>{u.name}</td>
              <td className={td}>{u.role.toLowerCase()}</td>
              <td className={td}>{u.disabled ? <StatusBadge status="BLOCKED" /> : <StatusBadge status="ACTIVE" />}</td>
              <td className={td}>{formatWhen(u.createdAt)}</td>
            </tr>
          ))}
        </DataTable>
        <Pager
          basePath="/admin/users"
          params={query.q ? { q: query.q } : {}}
          page={result.page}
          hasNext={result.page * result.pageSize < result.total}
        />
      </Card>
    </div>
  );
}
