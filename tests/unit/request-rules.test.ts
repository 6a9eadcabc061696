import { describe, expect, it } from "vitest";
import { rejectCrossSite } from "@/lib/http/api";
import { clientIp, selectClientIp, type ProxyTrust } from "@/lib/client-ip";

const post = (headers: Record<string, string>) =>
  new Request("http://localhost:3000/api/payments", { method: "POST", headers: { host: "localhost:3000", ...headers } });

describe("cross-site check on state-changing requests", () => {
  it.each<[string, Record<string, string>, number | null]>([
    ["same-origin fetch with its Origin", { "sec-fetch-site": "same-origin", origin: "http://localhost:3000" }, null],
    ["typed into the address bar (none)", { "sec-fetch-site": "none" }, null],
    ["a non-browser client with a matching Origin", { origin: "http://localhost:3000" }, null],
    ["behind a proxy that sets X-Forwarded-Host", { origin: "https://fund.example", "x-forwarded-host": "fund.example" }, null],
    ["cross-site per Sec-Fetch-Site", { "sec-fetch-site": "cross-site", origin: "http://localhost:3000" }, 403],
    ["same-site (a sibling subdomain) per Sec-Fetch-Site", { "sec-fetch-site": "same-site", origin: "http://localhost:3000" }, 403],
    ["a foreign Origin", { origin: "http://evil.example" }, 403],
    ["a foreign Origin on another port", { origin: "http://localhost:3001" }, 403],
    ["no Origin and no Sec-Fetch-Site", {}, 403],
    ["a malformed Origin", { origin: "not a url" }, 403],
    ["Origin null (sandboxed frame)", { origin: "null" }, 403],
  ])("%s → %s", (_label, headers, status) => {
    expect(rejectCrossSite(post(headers))?.status ?? null).toBe(status);
  });
});

describe("client IP", () => {
  const direct = { trustProxy: false, trustedProxyHops: 1 };
  const proxied = (hops = 1) => ({ trustProxy: true, trustedProxyHops: hops });
  const PEER = "192.0.2.1";

  it.each<[string, string | null, string | undefined, ProxyTrust, string | null]>([
    ["no proxy: X-Forwarded-For is ignored, the socket's peer is used", PEER, "6.6.6.6, 10.0.0.2", direct, PEER],
    ["no proxy: a single forged entry is ignored", PEER, "6.6.6.6", direct, PEER],
    ["no proxy: the peer without any header", PEER, undefined, direct, PEER],
    ["no proxy: IPv4-mapped IPv6 peer is shown as IPv4", "::ffff:127.0.0.1", undefined, direct, "127.0.0.1"],
    ["no proxy: an IPv6 peer", "2001:db8::1", "6.6.6.6", direct, "2001:db8::1"],
    ["no proxy, no socket (outside a request): none, never the header", null, "6.6.6.6", direct, null],
    ["1 trusted hop: the rightmost entry (what the proxy appended)", "10.0.0.2", "6.6.6.6, 203.0.113.9", proxied(1), "203.0.113.9"],
    ["1 trusted hop: a single entry", "10.0.0.2", "203.0.113.9", proxied(1), "203.0.113.9"],
    ["2 trusted hops: the second from the right", "10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.3", proxied(2), "203.0.113.9"],
    ["3 trusted hops: the third from the right", "10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.4, 10.0.0.3", proxied(3), "203.0.113.9"],
    ["2 trusted hops but one entry: the leftmost", "10.0.0.2", "203.0.113.9", proxied(2), "203.0.113.9"],
    ["trusted proxy, no X-Forwarded-For: the peer", "10.0.0.2", undefined, proxied(1), "10.0.0.2"],
    ["trusted proxy: empty entries are skipped", "10.0.0.2", " , 198.51.100.7 ,", proxied(1), "198.51.100.7"],
    ["trusted proxy: IPv4-mapped IPv6 entry is shown as IPv4", "10.0.0.2", "::ffff:198.51.100.7", proxied(1), "198.51.100.7"],
    ["trusted proxy: only commas and no peer", null, " , ", proxied(1), null],
    ["trusted proxy: not an IP address at the trusted position", "10.0.0.2", "203.0.113.9, not-an-ip", proxied(1), null],
    ["trusted proxy: an out-of-range address", "10.0.0.2", "999.1.1.1", proxied(1), null],
  ])("%s", (_label, peer, forwardedFor, trust, ip) => {
    expect(selectClientIp(peer, forwardedFor, trust)).toBe(ip);
  });

  it.each<[string, Record<string, string>, ProxyTrust, string | null]>([
    ["no proxy: a client-sent X-Forwarded-For never chooses the IP", { "x-forwarded-for": "6.6.6.6" }, direct, null],
    ["no proxy: X-Real-IP is ignored too", { "x-real-ip": "198.51.100.8" }, direct, null],
    ["trusted proxy: read from the request's headers", { "x-forwarded-for": "6.6.6.6, 203.0.113.9" }, proxied(1), "203.0.113.9"],
  ])("from headers, outside an HTTP request (no socket): %s", (_label, headers, trust, ip) => {
    expect(clientIp(new Headers(headers), trust)).toBe(ip);
    expect(clientIp(headers, trust)).toBe(ip);
  });
});
