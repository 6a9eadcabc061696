import "server-only";
import { errorSummary, logger } from "@/lib/log";

const timers = ((globalThis as unknown as { fundwellTimers?: Map<string, ReturnType<typeof setInterval>> }).fundwellTimers ??= new Map());

/**
 * Runs `task` every `intervalMs` in this server process: an unref'd interval
 * (it never keeps the process alive), one run at a time (a slow run is not
 * overlapped), errors logged and never thrown. One timer per name, kept on
 * globalThis so a Next dev reload replaces it rather than adding another.
 * Returns the function that stops it.
 */
export function startPeriodicTask(name: string, intervalMs: number, task: () => Promise<void>): () => void {
  const previous = timers.get(name);
  if (previous) clearInterval(previous);
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await task();
    } catch (err) {
      logger.error(errorSummary(err), `${name} run failed`);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  timers.set(name, timer);
  return () => {
    clearInterval(timer);
    if (timers.get(name) === timer) timers.delete(name);
  };
}
