import Link from "next/link";

export default function Forbidden() {
  return (
    <div className="mx-auto max-w-md space-y-4 text-center">
      <p className="text-sm font-semibold text-slate-500">403</p>
      <h1 className="text-2xl font-semibold">You don&apos;t have access to this page</h1>
      <p className="text-slate-600">This area is for administrators.</p>
      <Link href="/dashboard" className="font-medium text-brand-700 underline">
        Back to your dashboard
      </Link>
    </div>
  );
}
