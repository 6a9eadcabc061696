import type { Metadata } from "next";
import { requireAdmin } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { Card } from "@/components/ui/card";

export const metadata: Metadata = { title: "Admin" };

export default async function AdminPage() {
  await requireAdmin("/admin");
  const db = getDb();
  const [userCount, recentUsers] = await Promise.all([
    db.user.count(),
    db.user.findMany({ orderBy: { createdAt: "desc" }, take: 20, select: { id: true, email: true, name: true, role: true, disabled: true, createdAt: true } }),
  ]);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Admin</h1>
      <Card title={`Users (${userCount})`}>
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Most recent users</caption>
          <thead className="text-slate-500">
            <tr>
              <th scope="col" className="py-2">Email</th>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Joined</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {recentUsers.map((u) => (
              <tr key={u.id}>
                <td className="py-2">{u.email}</td>
                <td>{u.name}</td>
                <td>{u.role}</td>
                <td>{u.disabled ? "Disabled" : "Active"}</td>
                <td>{u.createdAt.toISOString().slice(0, 10)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </div>
  );
}
