import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import http from "node:http";
import { isIP } from "node:net";

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

/** TRUST_PROXY and TRUSTED_PROXY_HOPS (lib/config). */
export interface ProxyTrust {
  trustProxy: boolean;
  trustedProxyHops: number;
}

/**
 * The caller's IP, for throttling, the audit log and the ACH mandate: the one
 * rule of the app.
 *
 * Without TRUST_PROXY it is the address of the TCP peer, never a header.
 * (`next start` does not help here: it sets X-Forwarded-For from the socket
 * only when the request has none, `??=` in next/dist/server/base-server.js,
 * so a client-sent header reaches the app unchanged and cannot be told apart.)
 *
 * With TRUST_PROXY, each trusted proxy appended the address it saw to
 * X-Forwarded-For: the client is the entry TRUSTED_PROXY_HOPS from the right
 * (counting the socket's peer as hop 0). Entries further left were written by
 * the client and are never used. With fewer entries than hops, the leftmost.
 */
export function selectClientIp(peer: string | null | undefined, forwardedFor: string | null | undefined, trust: ProxyTrust): string | null {
  if (!trust.trustProxy) return normalize(peer);
  const entries = (forwardedFor ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  const chain = [peer, ...entries.reverse()];
  return normalize(chain[Math.min(trust.trustedProxyHops, chain.length - 1)]);
}

/** The caller's IP for the request being handled (its socket's peer comes from `capturePeerAddresses`). */
export function clientIp(headers: HeaderSource, trust: ProxyTrust): string | null {
  return selectClientIp(peerAddress(), read(headers, "x-forwarded-for"), trust);
}

// Next bundles instrumentation and route code separately: share one store through globalThis.
const globalForPeer = globalThis as unknown as { fundwellPeer?: AsyncLocalStorage<string | null> };
const peerStore = (globalForPeer.fundwellPeer ??= new AsyncLocalStorage<string | null>());

/** The TCP peer of the HTTP request being handled, or null outside one (or before the capture was installed). */
function peerAddress(): string | null {
  return peerStore.getStore() ?? null;
}

const INSTALLED = Symbol.for("fundwell.peerAddress");

/**
 * Called once from instrumentation.ts: every HTTP request the Node server
 * handles runs with its socket's remote address in an AsyncLocalStorage, which
 * `clientIp` reads inside route handlers and next-auth callbacks (Next gives
 * route handlers no access to the socket). Requests that arrive before
 * `register()` has run (the first milliseconds after "Ready") have no peer,
 * so their IP is null, never a header.
 */
export function capturePeerAddresses(): void {
  const proto = http.Server.prototype as unknown as Record<symbol, boolean> & {
    emit: (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  };
  if (proto[INSTALLED]) return;
  proto[INSTALLED] = true;
  const emit = proto.emit;
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== "request") return emit.call(this, event, ...args);
    const req = args[0] as http.IncomingMessage;
    return peerStore.run(req.socket?.remoteAddress ?? null, () => emit.call(this, event, ...args));
  };
}

function read(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(",") : value;
}

/** A bare IP address (IPv4-mapped IPv6 shown as IPv4), or null for anything else. */
function normalize(value: string | null | undefined): string | null {
  const ip = value?.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  return ip && isIP(ip) ? ip : null;
}
