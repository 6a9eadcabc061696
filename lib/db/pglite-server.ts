import "server-only";
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
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
 *
 * PGlite itself checks no credentials, so this server does, before anything
 * reaches PGlite: SCRAM-SHA-256 (what PostgreSQL asks for by default; the
 * password never crosses the socket) for the one user and password it was
 * given. A connection that fails, skips or stalls authentication (10 s) is
 * closed with PostgreSQL's error 28P01 and never runs a statement, so it
 * can neither read nor hold the single session. It listens on 127.0.0.1
 * only.
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

  readonly scram: ScramVerifier;

  constructor(
    private readonly db: PGlite,
    credentials: { user: string; password: string },
  ) {
    this.scram = new ScramVerifier(credentials.user, credentials.password);
  }

  async listen(port = 0): Promise<{ host: string; port: number }> {
    const host = "127.0.0.1";
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
const PROTOCOL_3 = 196608;
/** PostgreSQL's own limit on a start-up packet; authentication messages are smaller still. */
const MAX_STARTUP_LENGTH = 10_000;
const MAX_AUTH_MESSAGE_LENGTH = 2_000;
const AUTH_TIMEOUT_MS = 10_000;
const SCRAM_ITERATIONS = 4096;

/** The server's side of SCRAM-SHA-256 (RFC 5802, RFC 7677) for one user and password, as PostgreSQL stores it. */
class ScramVerifier {
  private readonly salt = randomBytes(16);
  private readonly storedKey: Buffer;
  private readonly serverKey: Buffer;

  constructor(
    readonly user: string,
    password: string,
  ) {
    const salted = pbkdf2Sync(password.normalize("NFKC"), this.salt, SCRAM_ITERATIONS, 32, "sha256");
    this.storedKey = createHash("sha256").update(hmac(salted, "Client Key")).digest();
    this.serverKey = hmac(salted, "Server Key");
  }

  /** server-first-message for a client-first-message-bare's nonce. */
  serverFirst(clientNonce: string): { nonce: string; message: string } {
    const nonce = clientNonce + randomBytes(18).toString("base64");
    return { nonce, message: `r=${nonce},s=${this.salt.toString("base64")},i=${SCRAM_ITERATIONS}` };
  }

  /** The server signature when the proof is right, otherwise null. */
  verify(authMessage: string, proof: Buffer): string | null {
    if (proof.length !== this.storedKey.length) return null;
    const signature = hmac(this.storedKey, authMessage);
    const clientKey = Buffer.from(proof.map((byte, i) => byte ^ signature[i]!));
    const candidate = createHash("sha256").update(clientKey).digest();
    if (!timingSafeEqual(candidate, this.storedKey)) return null;
    return hmac(this.serverKey, authMessage).toString("base64");
  }
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

/** Where a connection is: before its start-up packet, in the SCRAM exchange, or authenticated. */
type Phase =
  | { kind: "startup" }
  | { kind: "sasl-initial"; startup: Buffer; user: string }
  | { kind: "sasl-final"; startup: Buffer; user: string; nonce: string; clientFirstBare: string; serverFirst: string; gs2: string }
  | { kind: "ready" }
  | { kind: "closed" };

class Connection {
  private buffer = Buffer.alloc(0);
  private pending: Buffer[] = [];
  private phase: Phase = { kind: "startup" };
  private chain: Promise<void> = Promise.resolve();
  private readonly authTimer: NodeJS.Timeout;

  constructor(
    readonly socket: Socket,
    private readonly server: PgliteWireServer,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (data) => this.onData(data));
    socket.on("error", () => socket.destroy());
    socket.on("close", () => clearTimeout(this.authTimer));
    this.authTimer = setTimeout(() => this.refuse("28000", "authentication timed out"), AUTH_TIMEOUT_MS);
    this.authTimer.unref();
  }

  private onData(data: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, data]);
    while (this.phase.kind !== "closed") {
      if (this.phase.kind === "startup") {
        // Untyped start-up packets: length (incl. itself), then a code.
        if (this.buffer.length < 8) return;
        const length = this.buffer.readInt32BE(0);
        if (length < 8 || length > MAX_STARTUP_LENGTH) return this.refuse("08P01", "invalid start-up packet length");
        if (this.buffer.length < length) return;
        const code = this.buffer.readInt32BE(4);
        const packet = Buffer.from(this.buffer.subarray(0, length));
        this.buffer = this.buffer.subarray(length);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          this.socket.write("N");
          continue;
        }
        if (code === CANCEL_REQUEST) return this.close();
        if (code !== PROTOCOL_3) return this.refuse("08P01", "unsupported frontend protocol (expected 3.0)");
        const user = startupParameters(packet).get("user");
        if (!user) return this.refuse("28000", "no PostgreSQL user name specified in startup packet");
        this.phase = { kind: "sasl-initial", startup: packet, user };
        this.socket.write(authentication(10, Buffer.from("SCRAM-SHA-256\0\0")));
        continue;
      }
      if (this.buffer.length < 5) return;
      const type = String.fromCharCode(this.buffer[0]!);
      const declared = this.buffer.readInt32BE(1);
      if (declared < 4) return this.refuse("08P01", "invalid message length");
      const length = declared + 1;
      if (this.phase.kind !== "ready") {
        // Authentication: only password messages, and small ones.
        if (type !== "p" || length > MAX_AUTH_MESSAGE_LENGTH) return this.authFailed(this.phase.user);
        if (this.buffer.length < length) return;
        const body = Buffer.from(this.buffer.subarray(5, length));
        this.buffer = this.buffer.subarray(length);
        this.authenticate(body);
        continue;
      }
      if (this.buffer.length < length) return;
      const message = this.buffer.subarray(0, length);
      this.buffer = this.buffer.subarray(length);
      if (type === "X") return this.close();
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

  /** One SCRAM step: SASLInitialResponse (client-first), then SASLResponse (client-final). */
  private authenticate(body: Buffer): void {
    const phase = this.phase;
    const scram = this.server.scram;
    if (phase.kind === "sasl-initial") {
      // mechanism\0, int32 length, client-first-message
      const end = body.indexOf(0);
      if (end === -1 || body.subarray(0, end).toString("latin1") !== "SCRAM-SHA-256" || body.length < end + 5)
        return this.authFailed(phase.user);
      const clientFirst = body.subarray(end + 5, end + 5 + body.readInt32BE(end + 1)).toString("utf8");
      // gs2 header: no channel binding here (no TLS): "n,," or "y,,".
      const match = /^([ny]),,(n=[^,]*,r=([\x21-\x2b\x2d-\x7e]+))$/.exec(clientFirst);
      if (!match) return this.authFailed(phase.user);
      const { nonce, message } = scram.serverFirst(match[3]!);
      this.phase = { ...phase, kind: "sasl-final", nonce, clientFirstBare: match[2]!, serverFirst: message, gs2: `${match[1]},,` };
      this.socket.write(authentication(11, Buffer.from(message)));
      return;
    }
    if (phase.kind !== "sasl-final") return this.authFailed(null);
    const clientFinal = body.toString("utf8");
    const match = /^(c=([A-Za-z0-9+/=]*),r=([^,]*)),p=([A-Za-z0-9+/=]+)$/.exec(clientFinal);
    if (!match || Buffer.from(match[2]!, "base64").toString("latin1") !== phase.gs2 || match[3] !== phase.nonce)
      return this.authFailed(phase.user);
    const authMessage = `${phase.clientFirstBare},${phase.serverFirst},${match[1]}`;
    const serverSignature = scram.verify(authMessage, Buffer.from(match[4]!, "base64"));
    // The same answer for a wrong user and a wrong password, after the same work.
    if (!serverSignature || phase.user !== scram.user) return this.authFailed(phase.user);
    clearTimeout(this.authTimer);
    this.phase = { kind: "ready" };
    this.socket.write(authentication(12, Buffer.from(`v=${serverSignature}`)));
    // PGlite answers the start-up packet: AuthenticationOk, parameters, ReadyForQuery.
    this.enqueue(phase.startup);
  }

  private authFailed(user: string | null): void {
    this.refuse("28P01", user === null ? "password authentication failed" : `password authentication failed for user "${user}"`);
  }

  /** A FATAL ErrorResponse, then the connection is closed; nothing it sent reaches PGlite. */
  private refuse(code: string, text: string): void {
    if (this.phase.kind === "closed") return;
    const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${text.replace(/\0/g, "")}\0\0`, "utf8");
    const header = Buffer.alloc(5);
    header.write("E", 0, "latin1");
    header.writeInt32BE(fields.length + 4, 1);
    this.socket.end(Buffer.concat([header, fields]));
    this.close();
  }

  private close(): void {
    this.phase = { kind: "closed" };
    this.buffer = Buffer.alloc(0);
    clearTimeout(this.authTimer);
    this.socket.end();
  }

  private enqueue(unit: Buffer): void {
    this.chain = this.chain
      .then(() => this.server.run(this, new Uint8Array(unit)))
      .catch(() => {
        this.socket.destroy();
      });
  }
}

/** The start-up packet's parameters (user, database, …): name\0value\0 pairs after length and code. */
function startupParameters(packet: Buffer): Map<string, string> {
  const parts = packet.subarray(8).toString("utf8").split("\0");
  const params = new Map<string, string>();
  for (let i = 0; i + 1 < parts.length && parts[i] !== ""; i += 2) params.set(parts[i]!, parts[i + 1]!);
  return params;
}

/** An Authentication message ('R') of the given kind (10 SASL, 11 SASLContinue, 12 SASLFinal). */
function authentication(kind: number, data: Buffer): Buffer {
  const message = Buffer.alloc(9);
  message.write("R", 0, "latin1");
  message.writeInt32BE(8 + data.length, 1);
  message.writeInt32BE(kind, 5);
  return Buffer.concat([message, data]);
}
