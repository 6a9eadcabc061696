import { describe, expect, it } from "vitest";
import { rejectCrossSite } from "@/lib/http/api";
import { clientIp } from "@/lib/client-ip";

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
  it.each<[string, Record<string, string>, boolean, string | null]>([
    ["no proxy: the last X-Forwarded-For entry (the one Next wrote)", { "x-forwarded-for": "6.6.6.6, 10.0.0.2" }, false, "10.0.0.2"],
    ["trusted proxy: the first entry", { "x-forwarded-for": "203.0.113.9, 10.0.0.2" }, true, "203.0.113.9"],
    ["IPv4-mapped IPv6 is shown as IPv4", { "x-forwarded-for": "::ffff:127.0.0.1" }, false, "127.0.0.1"],
    ["empty entries are skipped", { "x-forwarded-for": " , 198.51.100.7 ," }, false, "198.51.100.7"],
    ["no X-Forwarded-For: X-Real-IP", { "x-real-ip": " 198.51.100.8 " }, false, "198.51.100.8"],
    ["neither header", {}, false, null],
    ["only commas", { "x-forwarded-for": " , " }, true, null],
  ])("%s", (_label, headers, trustProxy, ip) => {
    expect(clientIp(new Headers(headers), trustProxy)).toBe(ip);
    expect(clientIp(headers, trustProxy)).toBe(ip);
  });
});
