import { afterEach, describe, expect, it, vi } from "vitest";
import { startPeriodicTask, stopAllPeriodicTasks } from "@/lib/periodic-task";

afterEach(() => vi.useRealTimers());

describe("periodic tasks on shutdown", () => {
  it("stops the timers, tells the run in hand to take no more work, and waits for it", async () => {
    vi.useFakeTimers();
    const handled: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let runs = 0;
    startPeriodicTask("test batches", 1_000, async (signal) => {
      runs++;
      for (let item = 1; item <= 5 && !signal.aborted; item++) {
        if (item === 2) await gate; // the shutdown arrives while item 2 is in hand
        handled.push(item);
      }
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toBe(1);

    let stopped = false;
    const stopping = stopAllPeriodicTasks().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false); // waits for the run in hand
    release();
    await stopping;
    expect(handled).toEqual([1, 2]); // item 2 finished, nothing after it taken

    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toBe(1); // the timer is gone
  });
});
