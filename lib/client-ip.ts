type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function read(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The caller's IP for throttling and audit. Behind a trusted proxy
 * (TRUST_PROXY=true) it is the first X-Forwarded-For entry the proxy wrote;
 * otherwise the last one, which Next sets from the socket when the client
 * sent none (a client can still forge it without a proxy: see README).
 */
export function clientIp(headers: HeaderSource, trustProxy: boolean): string | null {
  const forwarded = read(headers, "x-forwarded-for");
  if (!forwarded) return read(headers, "x-real-ip")?.trim() || null;
  const parts = forwarded
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  const ip = trustProxy ? parts[0] : parts[parts.length - 1];
  return ip ? ip.replace(/^::ffff:/, "") : null;
}
