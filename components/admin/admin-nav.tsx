"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/admin", label: "Overview" },
  { href: "/admin/reviews", label: "Review queue" },
  { href: "/admin/users", label: "Users" },
  { href: "/admin/payments", label: "Payments" },
  { href: "/admin/audit", label: "Audit log" },
  { href: "/admin/settings", label: "Settings" },
];

/** The admin section's navigation; the current section is marked with aria-current. */
export function AdminNav() {
  const pathname = usePathname();
  const current = LINKS.filter((l) => pathname === l.href || pathname.startsWith(`${l.href}/`)).sort(
    (a, b) => b.href.length - a.href.length,
  )[0]?.href;
  return (
    <nav aria-label="Admin" className="mb-8 flex flex-wrap gap-4 border-b border-slate-200 pb-3 text-sm">
      {LINKS.map((l) => (
        <Link
          key={l.href}
          href={l.href}
          aria-current={l.href === current ? "page" : undefined}
          className="font-medium text-slate-700 hover:text-slate-900 hover:underline aria-[current=page]:text-brand-700 aria-[current=page]:underline"
        >
          {l.label}
        </Link>
      ))}
    </nav>
  );
}
