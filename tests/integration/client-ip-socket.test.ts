import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateWithPassword } from "@/lib/auth/credentials";
import { AuthError } from "@/lib/auth/errors";
import { THROTTLE_POLICY } from "@/lib/auth/throttle";
import { capturePeerAddresses, clientIp } from "@/lib/client-ip";
import { testDb, uniqueEmail } from "../helpers/db";

const db = testDb();
afterAll(() => db.$disconnect());

const rand = () => Math.floor(Math.random() * 254) + 1;

type Outcome = "signed-in" | AuthError["code"];
async function attempt(email: string, password: string, ip: string | null): Promise<Outcome> {
  try {
    await authenticateWithPassword({ email, password }, { db, ip, adminEmails: [] });
    return "signed-in";
  } catch (err) {
    if (err instanceof AuthError) return err.code;
    throw err;
  }
}

describe("the client IP comes from the socket", () => {
  const trust = { trustProxy: false, trustedProxyHops: 1 };
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    capturePeerAddresses(); // what instrumentation.ts does in the app
    // A stand-in for `next start`: Next sets X-Forwarded-For from the socket only when the client sent
    // none (`??=` in next/dist/server/base-server.js), then the route reads the IP from the headers.
    server = http.createServer((req, res) => {
      req.headers["x-forwarded-for"] ??= req.socket.remoteAddress;
      const url = new URL(req.url ?? "/", "http://localhost");
      const ip = clientIp(new Headers(req.headers as Record<string, string>), trust);
      void attempt(url.searchParams.get("email")!, "wrong", ip).then((outcome) => res.end(JSON.stringify({ outcome, ip })));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  function send(email: string, localAddress: string, forwardedFor?: string): Promise<{ outcome: Outcome; ip: string | null }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: "127.0.0.1",
          port,
          localAddress,
          path: `/?email=${encodeURIComponent(email)}`,
          headers: forwardedFor ? { "x-forwarded-for": forwardedFor } : {},
        },
        (res) => {
          let body = "";
          res.on("data", (c: Buffer) => (body += c.toString()));
          res.on("end", () => resolve(JSON.parse(body) as { outcome: Outcome; ip: string | null }));
        },
      );
      req.on("error", reject);
      req.end();
    });
  }

  it("rotating a forged X-Forwarded-For does not dodge the per-IP limit", async () => {
    const socketIp = `127.${rand()}.${rand()}.${rand()}`; // any 127/8 address reaches a loopback listener
    const outcomes: Outcome[] = [];
    const emails: string[] = [];
    for (let i = 0; i < THROTTLE_POLICY.maxFailuresPerIp + 2; i++) {
      emails.push(uniqueEmail(`rotate${i}`));
      const { outcome, ip } = await send(emails[i]!, socketIp, `198.51.100.${i + 1}`);
      expect(ip).toBe(socketIp);
      outcomes.push(outcome);
    }
    expect(outcomes.filter((o) => o === "throttled")).toHaveLength(2);
    const audit = await db.auditLog.findMany({ where: { OR: emails.map((email) => ({ metadata: { path: ["email"], equals: email } })) } });
    expect(audit).toHaveLength(emails.length);
    expect(new Set(audit.map((a) => a.ip))).toEqual(new Set([socketIp]));
  });
});
