import Link from "next/link";

const LINKS = [
  { href: "/admin", label: "Overview" },
  { href: "/admin/reviews", label: "Review queue" },
  { href: "/admin/users", label: "Users" },
  { href: "/admin/payments", label: "Payments" },
  { href: "/admin/audit", label: "Audit log" },
  { href: "/admin/settings", label: "Settings" },
];

export function AdminNav() {
  return (
    <nav aria-label="Admin" className="mb-8 flex flex-wrap gap-4 border-b border-slate-200 pb-3 text-sm">
      {LINKS.map((l) => (
        <Link key={l.href} href={l.href} className="font-medium text-slate-700 hover:text-slate-900 hover:underline">
          {l.label}
        </Link>
      ))}
    </nav>
  );
}
