/**
 * A dependency-free SVG line chart for docs/bench/cost-growth.svg: latency
 * p50 (solid) and the app's own time p50 (dashed) per scenario against the
 * number of payments in the database (log scale).
 */
export interface GrowthPoint {
  scenario: string;
  size: number;
  p50: number;
  app: number;
  queries: number;
}

const COLORS: Record<string, string> = { funding: "#2563eb", link: "#d97706", dashboard: "#059669" };

export function costGrowthSvg(points: GrowthPoint[]): string {
  const W = 720;
  const H = 400;
  const m = { left: 60, right: 170, top: 40, bottom: 50 };
  const sizes = [...new Set(points.map((p) => p.size))].sort((a, b) => a - b);
  const maxY = Math.max(1, ...points.map((p) => p.p50)) * 1.15;
  const lx = (s: number) => Math.log10(Math.max(1, s));
  const [x0, x1] = [lx(sizes[0] ?? 1), lx(sizes[sizes.length - 1] ?? 10)];
  const x = (s: number) => m.left + ((lx(s) - x0) / Math.max(1e-9, x1 - x0)) * (W - m.left - m.right);
  const y = (v: number) => H - m.bottom - (v / maxY) * (H - m.top - m.bottom);
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${m.left}" y="22" font-size="14" font-weight="600">Latency p50 at 1 user vs payments in the database</text>`,
  ];
  const ticks = 5;
  for (let i = 0; i <= ticks; i++) {
    const v = (maxY / ticks) * i;
    out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/>`);
    out.push(`<text x="${m.left - 8}" y="${y(v) + 4}" text-anchor="end" fill="#374151">${v.toFixed(v < 10 ? 1 : 0)}</text>`);
  }
  for (const s of sizes) {
    out.push(`<line x1="${x(s)}" x2="${x(s)}" y1="${m.top}" y2="${H - m.bottom}" stroke="#f3f4f6"/>`);
    out.push(`<text x="${x(s)}" y="${H - m.bottom + 18}" text-anchor="middle" fill="#374151">${s.toLocaleString("en-US")}</text>`);
  }
  out.push(`<text x="${(m.left + W - m.right) / 2}" y="${H - 12}" text-anchor="middle" fill="#111827">payments seeded (log scale)</text>`);
  out.push(`<text transform="translate(16 ${(m.top + H - m.bottom) / 2}) rotate(-90)" text-anchor="middle" fill="#111827">ms</text>`);
  let legendY = m.top + 6;
  for (const scenario of [...new Set(points.map((p) => p.scenario))]) {
    const color = COLORS[scenario] ?? "#6b7280";
    const ps = points.filter((p) => p.scenario === scenario).sort((a, b) => a.size - b.size);
    const line = (pick: (p: GrowthPoint) => number) =>
      ps.map((p, i) => `${i ? "L" : "M"}${x(p.size).toFixed(1)},${y(pick(p)).toFixed(1)}`).join(" ");
    out.push(`<path d="${line((p) => p.p50)}" fill="none" stroke="${color}" stroke-width="2"/>`);
    out.push(`<path d="${line((p) => p.app)}" fill="none" stroke="${color}" stroke-width="1.5" stroke-dasharray="5 4"/>`);
    for (const p of ps) {
      out.push(
        `<circle cx="${x(p.size)}" cy="${y(p.p50)}" r="3" fill="${color}"><title>${esc(`${scenario} ${p.size}: p50 ${p.p50.toFixed(1)} ms, app ${p.app.toFixed(1)} ms, ${p.queries} queries`)}</title></circle>`,
      );
    }
    out.push(
      `<line x1="${W - m.right + 16}" x2="${W - m.right + 40}" y1="${legendY}" y2="${legendY}" stroke="${color}" stroke-width="2"/>`,
    );
    out.push(`<text x="${W - m.right + 46}" y="${legendY + 4}">${esc(scenario)} p50</text>`);
    out.push(
      `<line x1="${W - m.right + 16}" x2="${W - m.right + 40}" y1="${legendY + 18}" y2="${legendY + 18}" stroke="${color}" stroke-width="1.5" stroke-dasharray="5 4"/>`,
    );
    out.push(`<text x="${W - m.right + 46}" y="${legendY + 22}">${esc(scenario)} app p50</text>`);
    legendY += 44;
  }
  out.push("</svg>");
  return out.join("\n") + "\n";
}
