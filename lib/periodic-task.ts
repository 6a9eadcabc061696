import "server-only";
import { errorSummary, logger } from "@/lib/log";

interface PeriodicTask {
  timer: ReturnType<typeof setInterval>;
  /** Aborted when the task is stopped: a run checks it between units of work and stops taking more. */
  abort: AbortController;
  /** The run in progress, if any. */
  current: Promise<void> | null;
}

const tasks = ((globalThis as unknown as { fundwellTasks?: Map<string, PeriodicTask> }).fundwellTasks ??= new Map());

/**
 * Runs `task` every `intervalMs` in this server process: an unref'd interval
 * (it never keeps the process alive), one run at a time (a slow run is not
 * overlapped), errors logged and never thrown. One timer per name, kept on
 * globalThis so a Next dev reload replaces it rather than adding another.
 * The run gets a signal that is aborted on stop (graceful shutdown): it
 * should finish the item in hand and take no more. Returns the function
 * that stops it.
 */
export function startPeriodicTask(name: string, intervalMs: number, task: (signal: AbortSignal) => Promise<void>): () => void {
  tasks.get(name)?.abort.abort();
  if (tasks.get(name)) clearInterval(tasks.get(name)!.timer);
  const entry: PeriodicTask = {
    timer: undefined as unknown as ReturnType<typeof setInterval>,
    abort: new AbortController(),
    current: null,
  };
  const tick = () => {
    if (entry.current || entry.abort.signal.aborted) return;
    entry.current = task(entry.abort.signal)
      .catch((err: unknown) => logger.error(errorSummary(err), `${name} run failed`))
      .finally(() => (entry.current = null));
  };
  entry.timer = setInterval(tick, intervalMs);
  entry.timer.unref();
  tasks.set(name, entry);
  return () => {
    stop(entry);
    if (tasks.get(name) === entry) tasks.delete(name);
  };
}

function stop(entry: PeriodicTask): void {
  clearInterval(entry.timer);
  entry.abort.abort();
}

/**
 * Graceful shutdown (lib/shutdown.ts): stops every timer, tells runs in
 * progress to take no more work, and resolves when they have returned.
 */
export async function stopAllPeriodicTasks(): Promise<void> {
  const entries = [...tasks.values()];
  tasks.clear();
  for (const entry of entries) stop(entry);
  await Promise.all(entries.map((e) => e.current));
}
