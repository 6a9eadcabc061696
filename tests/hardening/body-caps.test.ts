/**
 * Bodies are limited before they are read: 20 MB sent to the public routes
 * that read a body (the two webhooks, sign-up, next-auth's credentials
 * callback) is refused with 400/413 and costs the process a few MB at most,
 * not the body's size. The route handlers are called as Next calls them,
 * with a body that is produced chunk by chunk only as the handler reads it
 * (as a socket delivers it); memory is sampled while it is read.
 */
import { describe, expect, it } from "vitest";
import { POST as stripeWebhook } from "@/app/api/webhooks/stripe/route";
import { POST as plaidWebhook } from "@/app/api/webhooks/plaid/route";
import { POST as signUp } from "@/app/api/signup/route";
import { POST as nextAuth } from "@/app/api/auth/[...nextauth]/route";

process.env.LOG_LEVEL ??= "warn";

const ORIGIN = "http://localhost:3000";
const SIZE = 20 * 1024 * 1024;
const CHUNK = 64 * 1024;
/** What reading at most a 64 KB cap may cost, with the allocator's and the stream's slack. */
const ALLOWED_GROWTH = 4 * 1024 * 1024;

const used = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/** 20 MB of JSON-ish bytes, made on demand; tracks how much was pulled and the memory peak meanwhile. */
function hostileBody() {
  const stats = { pulled: 0, peak: used(), start: used() };
  let sent = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (sent >= SIZE) return controller.close();
        const chunk = new Uint8Array(CHUNK).fill(sent === 0 ? 0x5b : 0x31); // "[111…"
        sent += CHUNK;
        stats.pulled += CHUNK;
        stats.peak = Math.max(stats.peak, used());
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  ); // pulled only when the reader asks, like a paused socket
  return { body, stats };
}

type Handler = (req: Request, ctx: { params: Promise<never> }) => Promise<Response>;

async function send(handler: Handler, path: string, headers: Record<string, string>, params: unknown = {}) {
  globalThis.gc?.();
  const { body, stats } = hostileBody();
  stats.start = stats.peak = used();
  const req = new Request(`${ORIGIN}${path}`, {
    method: "POST",
    headers: { origin: ORIGIN, host: "localhost:3000", "content-type": "application/json", ...headers },
    body,
    duplex: "half",
  } as RequestInit);
  const res = await handler(req, { params: Promise.resolve(params) as Promise<never> });
  stats.peak = Math.max(stats.peak, used());
  const text = await res.text();
  return { status: res.status, text, pulled: stats.pulled, growth: stats.peak - stats.start };
}

describe("a 20 MB body sent to a public route", () => {
  it("Stripe webhook without a signature: 400, the body is not read", async () => {
    const r = await send(stripeWebhook as Handler, "/api/webhooks/stripe", {});
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/Stripe-Signature/);
    expect(r.pulled).toBeLessThanOrEqual(2 * CHUNK);
    expect(r.growth).toBeLessThan(ALLOWED_GROWTH);
  });

  it("Stripe webhook with a signature header: 413 once past 64 KB", async () => {
    const r = await send(stripeWebhook as Handler, "/api/webhooks/stripe", { "stripe-signature": "t=1,v1=00" });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.text)).toMatchObject({ error: { code: "BODY_TOO_LARGE" } });
    expect(r.pulled).toBeLessThanOrEqual(64 * 1024 + 2 * CHUNK);
    expect(r.growth).toBeLessThan(ALLOWED_GROWTH);
  });

  it("Plaid webhook without Plaid-Verification: 400; with one: 413", async () => {
    const without = await send(plaidWebhook as Handler, "/api/webhooks/plaid", {});
    expect(without.status).toBe(400);
    expect(without.pulled).toBeLessThanOrEqual(2 * CHUNK);
    const withHeader = await send(plaidWebhook as Handler, "/api/webhooks/plaid", { "plaid-verification": "a.b.c" });
    expect(withHeader.status).toBe(413);
    for (const r of [without, withHeader]) expect(r.growth).toBeLessThan(ALLOWED_GROWTH);
  });

  it("sign-up (the JSON API): 413 once past 16 KB", async () => {
    const r = await send(signUp as Handler, "/api/signup", {});
    expect(r.status).toBe(413);
    expect(JSON.parse(r.text)).toMatchObject({ error: { code: "BODY_TOO_LARGE" } });
    expect(r.pulled).toBeLessThanOrEqual(16 * 1024 + 2 * CHUNK);
    expect(r.growth).toBeLessThan(ALLOWED_GROWTH);
  });

  it("next-auth's credentials callback: 413 once past 16 KB", async () => {
    const r = await send(nextAuth as Handler, "/api/auth/callback/credentials", {}, { nextauth: ["callback", "credentials"] });
    expect(r.status).toBe(413);
    expect(r.pulled).toBeLessThanOrEqual(16 * 1024 + 2 * CHUNK);
    expect(r.growth).toBeLessThan(ALLOWED_GROWTH);
  });

  it("control: reading the whole body, as the routes did, costs its size", async () => {
    const control: Handler = async (req) => new Response(String((await req.text()).length));
    const r = await send(control, "/api/x", {});
    expect(r.text).toBe(String(SIZE));
    expect(r.growth).toBeGreaterThan(SIZE / 2);
  });
});
