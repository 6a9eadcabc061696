import type { ReactNode } from "react";

/** An accessible data table: a caption (visible or not) and column headers with scope. */
export function DataTable({
  caption,
  captionHidden = false,
  columns,
  children,
  empty,
}: {
  caption: string;
  captionHidden?: boolean;
  columns: string[];
  children: ReactNode;
  empty?: string | null;
}) {
  return (
    // Focusable so keyboard users can scroll a wide table (axe: scrollable-region-focusable).
    <div className="overflow-x-auto" tabIndex={0} role="region" aria-label={caption}>
      <table className="w-full text-left text-sm">
        <caption className={captionHidden ? "sr-only" : "mb-2 text-left text-sm font-medium text-slate-700"}>{caption}</caption>
        <thead className="text-slate-500">
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col" className="py-2 pr-3 font-medium">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
      {empty ? <p className="py-3 text-sm text-slate-500">{empty}</p> : null}
    </div>
  );
}

export const td = "py-2 pr-3 align-top";
