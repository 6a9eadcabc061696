import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync, rmSync } from "node:fs";
import path from "node:path";

/**
 * All sandbox state lives in one JSON document, split into namespaces owned by
 * the modules (plaid, stripe, webhooks, ...). Handlers mutate it synchronously,
 * so a request is atomic with respect to every other request (Node runs one
 * handler at a time between awaits). After a mutation, call `changed()`: the
 * file is rewritten atomically (tmp + rename) once per tick, so state survives
 * restarts without a write per field.
 */
export class Store {
  private data: Record<string, unknown> = {};
  private readonly initializers = new Map<string, () => unknown>();
  private pending = false;
  private readonly file: string | null;

  constructor(dataDir: string | null) {
    this.file = dataDir ? path.join(dataDir, "state.json") : null;
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    if (this.file && existsSync(this.file)) {
      this.data = JSON.parse(readFileSync(this.file, "utf8")) as Record<string, unknown>;
    }
  }

  /** Returns the namespace's state, creating it with `init` the first time. */
  namespace<T>(name: string, init: () => T): T {
    this.initializers.set(name, init as () => unknown);
    if (!(name in this.data)) {
      this.data[name] = init();
      this.changed();
    }
    return this.data[name] as T;
  }

  /** Current object for a namespace (re-read after reset()). */
  get<T>(name: string): T {
    const value = this.data[name];
    if (value === undefined) throw new Error(`sandbox store: unknown namespace ${name}`);
    return value as T;
  }

  changed(): void {
    if (!this.file || this.pending) return;
    this.pending = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.pending = false;
    if (!this.file) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data));
    renameSync(tmp, this.file);
  }

  /** Wipes every namespace back to its initial state. */
  reset(): void {
    this.data = {};
    for (const [name, init] of this.initializers) this.data[name] = init();
    if (this.file && existsSync(this.file)) rmSync(this.file);
    this.changed();
  }

  snapshot(): Record<string, unknown> {
    return this.data;
  }
}
