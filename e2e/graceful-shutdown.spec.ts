/**
 * Graceful shutdown (lib/shutdown.ts, README "Deployment"): a second
 * `next start` of the run's production build, on the run's database, is sent
 * SIGTERM while it holds a slow in-flight request and an idle keep-alive
 * connection. Readiness turns 503 while liveness still answers, the in-flight
 * request completes 200 after the listener has closed, the keep-alive
 * connection is closed, new connections are refused, and the process exits 0
 * well within SHUTDOWN_TIMEOUT_MS.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import Stripe from "stripe";
import { expect, test } from "./support/fixtures";
import { E2E_DATABASE_URL_FILE } from "./support/database";
import { LOCAL_SANDBOX_TAG } from "./support/targets";
import { nextStartArgs } from "../scripts/lib/next-start";

const DRAIN_MS = 1_500;
const TIMEOUT_MS = 20_000;
const WEBHOOK_SECRET = "whsec_graceful_shutdown_test";

test(
  "SIGTERM drains: readiness 503, in-flight answered, keep-alives closed, exit 0 within the bound",
  { tag: LOCAL_SANDBOX_TAG },
  async () => {
    test.setTimeout(90_000);
    const port = await freePort();
    const app = startApp(port);
    try {
      await waitForLive(port);
      expect((await get(port, "/api/health/ready")).status).toBe(200);

      // An idle keep-alive connection (the proxy's pool) and a webhook whose body is still arriving.
      const idle = await connect(port);
      idle.write(`GET /api/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      expect(await readResponse(idle)).toMatch(/^HTTP\/1\.1 200/);
      const idleClosed = closedAt(idle);

      const body = JSON.stringify({ id: `evt_shutdown_${Date.now()}`, object: "event", type: "customer.created", data: { object: {} } });
      const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: WEBHOOK_SECRET });
      const slow = await connect(port);
      slow.write(
        `POST /api/webhooks/stripe HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
          `Stripe-Signature: ${signature}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 20)}`,
      );
      const slowAnswer = readResponse(slow);
      await sleep(300);

      const sigterm = Date.now();
      const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
        app.once("exit", (code) => resolve({ code, at: Date.now() })),
      );
      app.kill("SIGTERM");
      await sleep(300);

      // Draining: still accepting, readiness says go elsewhere, liveness says do not restart me.
      const ready = await get(port, "/api/health/ready");
      expect(ready.status).toBe(503);
      expect(ready.connection).toBe("close");
      expect((await get(port, "/api/health/live")).status).toBe(200);

      // After the drain the listener is closed: no new connection, and the idle keep-alive is cut.
      await sleep(DRAIN_MS + 200);
      await expect(connect(port)).rejects.toThrow(/ECONNREFUSED/);
      expect(await idleClosed).toBeLessThan(Date.now());

      // The in-flight request still completes, and its connection closes after it.
      slow.write(body.slice(20));
      const answer = await slowAnswer;
      expect(answer).toMatch(/^HTTP\/1\.1 200/);
      expect(answer).toMatch(/\r\nconnection: close\r\n/i);
      await closedAt(slow);

      const { code, at } = await exited;
      const exitMs = at - sigterm;
      console.log(`[graceful-shutdown] SIGTERM to exit: ${exitMs} ms (drain ${DRAIN_MS} ms, bound ${TIMEOUT_MS} ms)`);
      expect(code).toBe(0);
      expect(exitMs).toBeLessThan(TIMEOUT_MS);
    } finally {
      if (app.exitCode === null) app.kill("SIGKILL");
      rmSync(dataDir(port), { recursive: true, force: true });
    }
  },
);

const dataDir = (port: number) => `.data/e2e-shutdown-${port}`;

function startApp(port: number): ChildProcess {
  const app = spawn(path.resolve("node_modules/.bin/next"), nextStartArgs(port, "127.0.0.1"), {
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      // The run's build and database (playwright.config.ts, e2e/support/server.ts); own secrets folder.
      NEXT_DIST_DIR: process.env.NEXT_DIST_DIR ?? ".next-e2e",
      DATABASE_URL: readFileSync(E2E_DATABASE_URL_FILE, "utf8"),
      DATA_DIR: dataDir(port),
      APP_URL: `http://127.0.0.1:${port}`,
      ALLOW_LOCAL_MODE_IN_PRODUCTION: "true",
      SEED_DEMO_ACCOUNTS: "false",
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      // Its mail sender shares the run's outbox: deliver to the run's inbox (playwright.config.ts), never elsewhere.
      SANDBOX_URL: `http://127.0.0.1:${process.env.E2E_SANDBOX_PORT ?? 4110}`,
      SMTP_URL: `smtp://127.0.0.1:${process.env.E2E_SANDBOX_SMTP_PORT ?? 4125}`,
      NEXT_MANUAL_SIG_HANDLE: "1",
      SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
      SHUTDOWN_TIMEOUT_MS: String(TIMEOUT_MS),
      NEXT_TELEMETRY_DISABLED: "1",
    },
  });
  return app;
}

async function waitForLive(port: number): Promise<void> {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await get(port, "/api/health/live")).status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error("the app did not start");
}

/** One request on a fresh connection; the status and the Connection header. */
async function get(port: number, urlPath: string): Promise<{ status: number; connection: string | null }> {
  const socket = await connect(port);
  socket.write(`GET ${urlPath} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  const head = await readResponse(socket);
  socket.destroy();
  return { status: Number(head.slice(9, 12)), connection: /\r\nconnection: ([^\r]+)/i.exec(head)?.[1]?.toLowerCase() ?? null };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Reads until one whole response (head + Content-Length body, or chunked up to its last chunk) has arrived. */
function readResponse(socket: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const onData = (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) return;
      const length = /\r\ncontent-length: (\d+)/i.exec(text.slice(0, end));
      const complete = length ? Buffer.byteLength(text.slice(end + 4)) >= Number(length[1]) : text.endsWith("0\r\n\r\n");
      if (complete) {
        socket.off("data", onData);
        resolve(text);
      }
    };
    socket.on("data", onData);
    socket.once("close", () => reject(new Error(`connection closed before a whole response: ${JSON.stringify(text)}`)));
  });
}

/** Resolves with the time the server closed the socket. */
function closedAt(socket: net.Socket): Promise<number> {
  return new Promise((resolve) => {
    if (socket.destroyed || socket.readyState === "closed") return resolve(Date.now());
    socket.once("close", () => resolve(Date.now()));
    socket.resume();
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
