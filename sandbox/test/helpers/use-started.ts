import { afterAll, beforeAll } from "vitest";

/**
 * Starts `start()` before the calling file's (or describe block's) tests and
 * closes it after them. The returned object is filled in by `beforeAll`, so
 * read its fields inside tests and hooks only.
 */
export function useStarted<T extends { close(): Promise<void> }>(start: () => Promise<T>): T {
  const started = {} as T;
  beforeAll(async () => {
    Object.assign(started, await start());
  });
  afterAll(async () => {
    await started.close();
  });
  return started;
}
