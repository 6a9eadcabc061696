/**
 * `tsx bench/profile-summary.ts <file.cpuprofile> [top] [from-to]`: self time
 * per function and per package/area of a V8 CPU profile (e.g. the server's,
 * from BENCH_CPU_PROF=1 npm run bench), plus inclusive time of the busiest
 * functions, to see what dominates a request. `from-to` (seconds since the
 * profile started, e.g. `11-20`) keeps only a window, such as one measured
 * run without start-up and sign-ins; `tsx bench/profile-summary.ts <file> phases`
 * prints how busy each second was, to find that window.
 */
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
const file = process.argv[2];
if (!file) throw new Error("usage: tsx bench/profile-summary.ts <file.cpuprofile> [top]");
const profile = JSON.parse(readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const idleIds = new Set(profile.nodes.filter((n) => n.callFrame.functionName === "(idle)").map((n) => n.id));
/** Seconds since the profile started, per sample. */
const sampleSeconds: number[] = [];
profile.timeDeltas.reduce((t, delta, i) => ((sampleSeconds[i] = (t + delta) / 1e6), t + delta), 0);

if (process.argv[3] === "phases") {
  const buckets = new Map<number, { busy: number; all: number }>();
  profile.samples.forEach((id, i) => {
    const b = buckets.get(Math.floor(sampleSeconds[i]!)) ?? { busy: 0, all: 0 };
    b.all += 1;
    if (!idleIds.has(id)) b.busy += 1;
    buckets.set(Math.floor(sampleSeconds[i]!), b);
  });
  for (const [second, b] of buckets)
    console.log(`${String(second).padStart(4)} s  ${((100 * b.busy) / b.all).toFixed(0).padStart(3)}% busy`);
  process.exit(0);
}
const top = Number(process.argv[3] ?? 30);
const [from, to] = (process.argv[4] ?? "0-Infinity").split("-").map(Number) as [number, number];
const inWindow = (i: number) => sampleSeconds[i]! >= from && sampleSeconds[i]! < to;
const self = new Map<number, number>();
profile.samples.forEach((id, i) => {
  if (inWindow(i)) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
const byFn = new Map<string, number>();
const byArea = new Map<string, number>();
for (const node of profile.nodes) {
  const us = self.get(node.id) ?? 0;
  if (!us) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const key = `${functionName || "(anonymous)"} ${url.replace(/^.*\/(node_modules|\.next-bench)\//, "$1/")}:${lineNumber + 1}`;
  byFn.set(key, (byFn.get(key) ?? 0) + us);
  byArea.set(area(url, functionName), (byArea.get(area(url, functionName)) ?? 0) + us);
}
const print = (title: string, m: Map<string, number>, n: number) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n))
    console.log(`${((v / total) * 100).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(7)} ms  ${k}`);
};
// Inclusive time: a sample counts once for every distinct function on its stack.
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const inclusive = new Map<string, number>();
for (const [id, us] of self) {
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const { functionName, url } = byId.get(at)!.callFrame;
    if (!url) continue;
    const key = `${functionName || "(anonymous)"} ${url.replace(/^.*\/(node_modules|\.next-bench)\//, "$1/")}`;
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + us);
  }
}
console.log(`total sampled: ${(total / 1000).toFixed(0)} ms${process.argv[4] ? ` (window ${from}–${to} s)` : ""}`);
print("by area", byArea, 25);
print("by function (self)", byFn, top);
print("by function (inclusive)", inclusive, top);

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith("(") ? fn : "(native/V8)";
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith("node:"))
    return url
      .replace(/^node:(internal\/)?/, "node:")
      .split("/")
      .slice(0, 2)
      .join("/");
  if (url.includes(".next-bench/server/chunks")) return "app bundle (.next-bench/server/chunks)";
  if (url.includes(".next-bench")) return ".next-bench (other)";
  return url.replace(/^file:\/\/\/work\/main\//, "");
}
