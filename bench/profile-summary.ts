/**
 * `tsx bench/profile-summary.ts <file.cpuprofile> [top]`: self time per
 * function and per package/area of a V8 CPU profile (e.g. the server's, from
 * BENCH_CPU_PROF=1 npm run bench), to see what dominates a request.
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
const top = Number(process.argv[3] ?? 30);
const profile = JSON.parse(readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
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
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${((v / total) * 100).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(7)} ms  ${k}`);
};
console.log(`total sampled: ${(total / 1000).toFixed(0)} ms`);
print("by area", byArea, 25);
print("by function (self)", byFn, top);

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith("(") ? fn : "(native/V8)";
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith("node:")) return url.replace(/^node:(internal\/)?/, "node:").split("/").slice(0, 2).join("/");
  if (url.includes(".next-bench/server/chunks")) return "app bundle (.next-bench/server/chunks)";
  if (url.includes(".next-bench")) return ".next-bench (other)";
  return url.replace(/^file:\/\/\/work\/main\//, "");
}
