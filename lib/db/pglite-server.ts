import "server-only";
import { createServer, type Server, type Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";

/**
 * Serves one PGlite database to many PostgreSQL wire-protocol connections.
 *
 * PGlite is a single backend session, so connections must take turns. Two
 * rules keep that correct (pglite-socket's queue switches connections between
 * individual messages, which lets one connection's Bind clobber another's
 * unnamed portal under concurrent parameterised queries):
 * - a connection's messages run as one unit up to its Sync or simple Query,
 *   so an extended-protocol exchange is never interleaved;
 * - while a connection has a transaction open, only it may run, so
 *   transactions are isolated exactly as they are on a real server.
 */
interface Unit {
  connection: Connection;
  execute: () => Promise<void>;
  done: (error?: unknown) => void;
}

export class PgliteWireServer {
  private server: Server | null = null;
  private readonly queue: Unit[] = [];
  private running = false;
  /** The connection whose transaction is open, if any: only it may run. */
  private txOwner: Connection | null = null;
  private readonly connections = new Set<Connection>();

  constructor(private readonly db: PGlite) {}

  async listen(port = 0, host = "127.0.0.1"): Promise<{ host: string; port: number }> {
    this.server = createServer((socket) => {
      const connection = new Connection(socket, this);
      this.connections.add(connection);
      socket.on("close", () => {
        this.connections.delete(connection);
        this.abandon(connection);
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, host, () => resolve());
    });
    const address = this.server.address();
    if (!address || typeof address === "string") throw new Error("pglite server: no address");
    return { host, port: address.port };
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    while (this.running) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** Queues one unit of a connection's messages; resolves once its answers are written. */
  run(connection: Connection, bytes: Uint8Array): Promise<void> {
    return this.schedule(connection, async () => {
      if (connection.socket.destroyed) return;
      await this.db.execProtocolRawStream(bytes, {
        onRawData: (data) => {
          if (!connection.socket.destroyed) connection.socket.write(Buffer.from(data));
        },
      });
    });
  }

  private schedule(connection: Connection, execute: () => Promise<void>, first = false): Promise<void> {
    return new Promise((resolve, reject) => {
      const unit: Unit = { connection, execute, done: (error) => (error ? reject(error) : resolve()) };
      if (first) this.queue.unshift(unit);
      else this.queue.push(unit);
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        // Oldest unit that may run now: any, unless a transaction is open.
        const index = this.queue.findIndex((u) => this.txOwner === null || u.connection === this.txOwner);
        if (index === -1) break;
        const unit = this.queue.splice(index, 1)[0]!;
        try {
          await unit.execute();
          this.txOwner = this.db.isInTransaction() ? unit.connection : null;
          unit.done();
        } catch (error) {
          unit.done(error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** A connection closed: drop its queued work and roll back its open transaction. */
  private abandon(connection: Connection): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i]!.connection === connection) this.queue.splice(i, 1)[0]!.done();
    }
    if (this.txOwner === connection) {
      void this.schedule(connection, () => this.db.exec("ROLLBACK").then(() => {}), true).catch(() => {});
    }
  }
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

class Connection {
  private buffer = Buffer.alloc(0);
  private pending: Buffer[] = [];
  private started = false;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly socket: Socket,
    private readonly server: PgliteWireServer,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (data) => this.onData(data));
    socket.on("error", () => socket.destroy());
  }

  private onData(data: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, data]);
    for (;;) {
      if (!this.started) {
        // Untyped start-up packets: length (incl. itself), then a code.
        if (this.buffer.length < 8) return;
        const length = this.buffer.readInt32BE(0);
        if (this.buffer.length < length) return;
        const code = this.buffer.readInt32BE(4);
        const packet = this.buffer.subarray(0, length);
        this.buffer = this.buffer.subarray(length);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          this.socket.write("N");
          continue;
        }
        if (code === CANCEL_REQUEST) {
          this.socket.end();
          return;
        }
        this.started = true;
        this.enqueue(Buffer.from(packet));
        continue;
      }
      if (this.buffer.length < 5) return;
      const type = String.fromCharCode(this.buffer[0]!);
      const length = this.buffer.readInt32BE(1) + 1;
      if (this.buffer.length < length) return;
      const message = this.buffer.subarray(0, length);
      this.buffer = this.buffer.subarray(length);
      if (type === "X") {
        this.socket.end();
        return;
      }
      this.pending.push(Buffer.from(message));
      // Sync ends an extended-protocol exchange; Query is a whole exchange;
      // Flush asks for output now. Anything else waits for the rest.
      if (type === "S" || type === "Q" || type === "H") {
        const unit = Buffer.concat(this.pending);
        this.pending = [];
        this.enqueue(unit);
      }
    }
  }

  private enqueue(unit: Buffer): void {
    this.chain = this.chain
      .then(() => this.server.run(this, new Uint8Array(unit)))
      .catch(() => {
        this.socket.destroy();
      });
  }
}
