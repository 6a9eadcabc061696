import Link from "next/link";

/** Previous/next links that keep the current filters (query string). */
export function Pager({
  basePath,
  params,
  page,
  hasNext,
  nextParams,
}: {
  basePath: string;
  params: Record<string, string>;
  page?: number;
  hasNext: boolean;
  nextParams?: Record<string, string>;
}) {
  const href = (extra: Record<string, string>) => `${basePath}?${new URLSearchParams({ ...params, ...extra }).toString()}`;
  const prev = page && page > 1 ? href({ page: String(page - 1) }) : null;
  const next = hasNext ? href(nextParams ?? { page: String((page ?? 1) + 1) }) : null;
  return (
    <nav aria-label="Pagination" className="mt-4 flex gap-4 text-sm">
      {prev ? (
        <Link href={prev} className="font-medium text-brand-700 underline">
          Previous page
        </Link>
      ) : null}
      {next ? (
        <Link href={next} className="font-medium text-brand-700 underline">
          Next page
        </Link>
      ) : null}
      {!prev && !next ? <span className="text-slate-500">No more pages</span> : null}
    </nav>
  );
}
