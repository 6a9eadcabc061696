import type { DailyVolume } from "@/lib/admin/overview";
import { formatUsd } from "@/lib/format";

/**
 * Funding volume per day as a server-rendered SVG bar chart (no chart
 * library, no client JS). The numbers behind it are in a visually hidden
 * table for screen readers.
 */
export function VolumeChart({ data }: { data: DailyVolume[] }) {
  const width = 720;
  const height = 200;
  const pad = { top: 10, right: 10, bottom: 28, left: 64 };
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const max = Math.max(1, ...data.map((d) => d.amountCents));
  const step = innerW / Math.max(1, data.length);
  const barW = Math.max(2, step * 0.7);
  const y = (cents: number) => pad.top + innerH - (cents / max) * innerH;
  const ticks = [0, 0.5, 1].map((f) => Math.round(max * f));
  return (
    <figure>
      {/* No <title> elements: React 19 mis-hydrates <title> inside <svg> (it treats it as document metadata). */}
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`Funding volume per day, last ${data.length} days`}
        className="h-auto w-full"
      >
        {ticks.map((t) => (
          <g key={t}>
            <line x1={pad.left} x2={width - pad.right} y1={y(t)} y2={y(t)} stroke="#e2e8f0" />
            <text x={pad.left - 6} y={y(t) + 4} textAnchor="end" fontSize="11" fill="#64748b">
              {formatUsd(t)}
            </text>
          </g>
        ))}
        {data.map((d, i) => {
          const x = pad.left + i * step + (step - barW) / 2;
          return (
            <g key={d.day}>
              <rect x={x} y={y(d.amountCents)} width={barW} height={innerH - (y(d.amountCents) - pad.top)} fill="#99f6e4" />
              <rect x={x} y={y(d.succeededCents)} width={barW} height={innerH - (y(d.succeededCents) - pad.top)} fill="#0d9488" />
              {i % 5 === 0 || i === data.length - 1 ? (
                <text x={x + barW / 2} y={height - 10} textAnchor="middle" fontSize="10" fill="#64748b">
                  {d.day.slice(5)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption className="mt-2 flex gap-4 text-xs text-slate-600">
        <span>
          <span aria-hidden="true" className="mr-1 inline-block h-2 w-3 bg-teal-200" />
          started (not failed)
        </span>
        <span>
          <span aria-hidden="true" className="mr-1 inline-block h-2 w-3 bg-teal-600" />
          succeeded
        </span>
      </figcaption>
      <table className="sr-only">
        <caption>Funding volume per day</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">Volume</th>
            <th scope="col">Succeeded</th>
            <th scope="col">Payments</th>
          </tr>
        </thead>
        <tbody>
          {data.map((d) => (
            <tr key={d.day}>
              <td>{d.day}</td>
              <td>{formatUsd(d.amountCents)}</td>
              <td>{formatUsd(d.succeededCents)}</td>
              <td>{d.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
