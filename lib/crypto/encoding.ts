/**
 * Strict base64 helpers. Node's Buffer.from(s, "base64") silently skips
 * invalid characters and ignores trailing bits, so a typo'd key or a mangled
 * ciphertext could decode "successfully" to different bytes. Everything here
 * rejects instead.
 */

import "server-only";
const B64URL_RE = /^[A-Za-z0-9_-]*$/;
const B64_STD_RE = /^[A-Za-z0-9+/]*={0,2}$/;
const B64_URL_PADDED_RE = /^[A-Za-z0-9_-]*={0,2}$/;

export function toBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/**
 * Unpadded base64url, canonical only (re-encoding must give the same string),
 * so every envelope has exactly one textual form. Returns null when invalid.
 */
export function fromBase64urlStrict(s: string): Buffer | null {
  if (!B64URL_RE.test(s) || s.length % 4 === 1) return null;
  const buf = Buffer.from(s, "base64url");
  return buf.toString("base64url") === s ? buf : null;
}

/**
 * Key material as humans paste it: standard base64 or base64url, padded or
 * not (but not a mix of alphabets). Returns null when invalid.
 */
export function decodeKeyMaterial(s: string): Buffer | null {
  if (s.length === 0 || !(B64_STD_RE.test(s) || B64_URL_PADDED_RE.test(s))) return null;
  const body = s.replace(/=+$/, "");
  if (body.length % 4 === 1) return null;
  if (body.length !== s.length && s.length % 4 !== 0) return null; // padding present but wrong amount
  const normalized = body.replace(/\+/g, "-").replace(/\//g, "_");
  const buf = Buffer.from(normalized, "base64url");
  return buf.toString("base64url") === normalized ? buf : null;
}
