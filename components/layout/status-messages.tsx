// Plain links: the root fallbacks are rendered with every page, so next/link here would ship with every page (site-header.tsx).

/** The 404 message, for the root not-found page and the admin area's own. */
export function NotFoundMessage() {
  return (
    <div className="mx-auto max-w-md space-y-4 text-center">
      <p className="text-sm font-semibold text-slate-500">404</p>
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <a href="/" className="font-medium text-brand-700 underline">
        Go home
      </a>
    </div>
  );
}

/** The 403 message, for the root forbidden page and the admin area's own. */
export function ForbiddenMessage() {
  return (
    <div className="mx-auto max-w-md space-y-4 text-center">
      <p className="text-sm font-semibold text-slate-500">403</p>
      <h1 className="text-2xl font-semibold">You don&apos;t have access to this page</h1>
      <p className="text-slate-600">This area is for administrators.</p>
      <a href="/dashboard" className="font-medium text-brand-700 underline">
        Back to your dashboard
      </a>
    </div>
  );
}
