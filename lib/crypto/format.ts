/**
 * The envelope string format — pure text <-> bytes, no cryptography.
 *
 *   v1.<kid>.<wrappedKey>.<iv>.<ciphertext>.<tag>
 *
 * - "v1"        format version; anything that evolves the layout gets a new tag.
 * - kid         id of the master key (KEK) that wrapped the data key, [A-Za-z0-9_-]{1,32}.
 * - wrappedKey  base64url(wrapIv[12] || AES-256-GCM(KEK, DEK)[32] || wrapTag[16]) = 60 bytes.
 * - iv          base64url, 12 bytes: payload nonce (random; the DEK is single-use anyway).
 * - ciphertext  base64url, same length as the UTF-8 plaintext (may be empty).
 * - tag         base64url, 16 bytes: payload GCM tag (full length; truncation rejected).
 *
 * All base64url is unpadded and canonical, so the whole value is ASCII with no
 * "." inside segments, fits a TEXT column, and has exactly one valid spelling.
 */
import "server-only";
import { fromBase64urlStrict, toBase64url } from "./encoding";
import { DecryptionError } from "./errors";
import { KID_PATTERN } from "./keyring";

export const FORMAT_VERSION = "v1";
export const IV_BYTES = 12;
export const TAG_BYTES = 16;
export const DEK_BYTES = 32;
export const WRAPPED_DEK_BYTES = IV_BYTES + DEK_BYTES + TAG_BYTES;

const SEGMENTS = 6;
const VERSION_LIKE = /^v[0-9]{1,4}$/;

export interface Envelope {
  readonly version: typeof FORMAT_VERSION;
  readonly kid: string;
  readonly wrappedDek: Buffer;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

/**
 * `v1.<kid>.<wrappedKey>` exactly as it appears in the string. The payload is
 * authenticated over this header, so any edit to version, kid or wrapped key
 * fails decryption even if it somehow still parsed and unwrapped.
 */
export function envelopeHeader(kid: string, wrappedDek: Uint8Array): string {
  return `${FORMAT_VERSION}.${kid}.${toBase64url(wrappedDek)}`;
}

export function serializeEnvelope(e: Omit<Envelope, "version">): string {
  return [envelopeHeader(e.kid, e.wrappedDek), toBase64url(e.iv), toBase64url(e.ciphertext), toBase64url(e.tag)].join(".");
}

/** Parse and length-check an envelope. Throws DecryptionError ("malformed" | "unsupported-version"). */
export function parseEnvelope(value: string): Envelope {
  if (typeof value !== "string") throw malformed("value is not a string");
  const parts = value.split(".");
  const version = parts[0] ?? "";
  if (version !== FORMAT_VERSION) {
    if (VERSION_LIKE.test(version) && parts.length >= 2) {
      throw new DecryptionError(
        "unsupported-version",
        `encrypted value has format version "${version}"; this build reads only "${FORMAT_VERSION}"`,
      );
    }
    throw malformed(`does not start with "${FORMAT_VERSION}."`);
  }
  if (parts.length !== SEGMENTS) throw malformed(`expected ${SEGMENTS} "."-separated segments, got ${parts.length}`);
  const [, kid, wrapped, iv, ct, tag] = parts as [string, string, string, string, string, string];
  if (!KID_PATTERN.test(kid)) throw malformed("key id segment is invalid");
  return {
    version: FORMAT_VERSION,
    kid,
    wrappedDek: segment(wrapped, "wrapped key", WRAPPED_DEK_BYTES, kid),
    iv: segment(iv, "iv", IV_BYTES, kid),
    ciphertext: segment(ct, "ciphertext", undefined, kid),
    tag: segment(tag, "tag", TAG_BYTES, kid),
  };
}

function segment(text: string, what: string, bytes: number | undefined, kid: string): Buffer {
  const buf = fromBase64urlStrict(text);
  if (buf === null) throw malformed(`${what} segment is not canonical base64url`, kid);
  if (bytes !== undefined && buf.length !== bytes) {
    throw malformed(`${what} segment must be ${bytes} bytes (got ${buf.length})`, kid);
  }
  return buf;
}

function malformed(detail: string, kid?: string): DecryptionError {
  return new DecryptionError("malformed", `malformed encrypted value: ${detail}`, kid === undefined ? {} : { kid });
}
