/**
 * The sandbox adds under 2 ms (median) per SDK call on loopback (the issue's
 * speed requirement). Same measurement as `npm run bench:sandbox`
 * (sandbox/bench/latency.ts) with a smaller N: each call alternates between
 * the sandbox and a canned server answering the same bytes, so SDK and HTTP
 * costs cancel out and background noise hits both sides alike.
 */
import { describe, expect, it } from "vitest";
import { CALL_NAMES, measureAddedLatency } from "../bench/latency.js";

const TARGET_MS = 2;

describe("added latency", () => {
  it(`median added time per call is under ${TARGET_MS} ms (N=200)`, async () => {
    const results = await measureAddedLatency({ n: 200, warmup: 50 });
    expect(results.map((r) => r.name)).toEqual([...CALL_NAMES]);
    const report = results.map(
      (r) => `${r.name}: +${r.addedMedian.toFixed(3)} ms (sandbox ${r.sandbox.median.toFixed(3)}, canned ${r.canned.median.toFixed(3)})`,
    );
    for (const r of results) expect(r.addedMedian, report.join("\n")).toBeLessThan(TARGET_MS);
  }, 60_000);

  it("the measurement detects a sandbox that is 3 ms slower (so the test above can fail)", async () => {
    const [result] = await measureAddedLatency({
      n: 40,
      warmup: 10,
      only: ["Stripe customers.retrieve"],
      faults: [{ route: "/v1/customers", latencyMs: 3 }],
    });
    expect(result!.addedMedian).toBeGreaterThanOrEqual(TARGET_MS);
  }, 30_000);
});
