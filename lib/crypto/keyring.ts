/**
 * Keyring: several master keys (KEKs) accepted for reading, exactly one — the
 * first — used for writing. Built from a config string (parseKeyring) or from
 * raw entries (createKeyring). No env reads here: callers pass the string in.
 *
 * Key bytes live only inside node:crypto KeyObjects held in a module-private
 * WeakMap, so a Keyring can be logged, JSON-serialised or inspected without
 * leaking material, and cannot be forged from a plain object literal.
 */
import "server-only";
import { createSecretKey, randomBytes, type KeyObject } from "node:crypto";
import { decodeKeyMaterial, toBase64 } from "./encoding";
import { KeyringError } from "./errors";

/** Key ids travel inside every ciphertext, so keep them short and dot-free. */
export const KID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
export const KEY_BYTES = 32;

const DEFAULT_CONFIG_NAME = "ENCRYPTION_KEYS";
const FORMAT_HINT = '"<kid>:<base64 32-byte key>[,<kid>:<key>...]" (first entry is the active key)';

declare const keyringBrand: unique symbol;

export interface Keyring {
  /** Kid of the key used for all new encryptions. */
  readonly activeKid: string;
  /** All kids accepted for decryption, active first, in config order. */
  readonly kids: readonly string[];
  has(kid: string): boolean;
  readonly [keyringBrand]: true;
}

export interface KeyEntry {
  kid: string;
  /** Exactly 32 bytes. Copied; the caller may wipe its buffer afterwards. */
  key: Uint8Array;
}

const materials = new WeakMap<Keyring, ReadonlyMap<string, KeyObject>>();

export function isValidKid(kid: string): boolean {
  return KID_PATTERN.test(kid);
}

/**
 * Parse e.g. `"k2025b:<base64>,k2025a:<base64>"`. Whitespace around entries
 * is ignored (multi-line env values are common). `name` only prefixes error
 * messages. Throws KeyringError; messages never contain key material — not
 * even an invalid kid is echoed, because a swapped "<key>:<kid>" entry would
 * otherwise print the key.
 */
export function parseKeyring(config: string, opts: { name?: string } = {}): Keyring {
  const name = opts.name ?? DEFAULT_CONFIG_NAME;
  if (config.trim() === "") {
    throw new KeyringError(`${name} is empty: expected ${FORMAT_HINT}`);
  }
  const entries: KeyEntry[] = [];
  const buffers: Buffer[] = [];
  try {
    config.split(",").forEach((raw, i) => {
      const n = i + 1;
      const entry = raw.trim();
      if (entry === "") throw new KeyringError(`${name}: entry ${n} is empty (stray comma?)`);
      const colon = entry.indexOf(":");
      if (colon === -1) {
        throw new KeyringError(`${name}: entry ${n} is not of the form "<kid>:<base64 key>" (missing ":")`);
      }
      const kid = entry.slice(0, colon).trim();
      const keyText = entry.slice(colon + 1).trim();
      assertKid(kid, `${name}: entry ${n}`);
      if (keyText === "") throw new KeyringError(`${name}: key "${kid}" is empty`);
      const key = decodeKeyMaterial(keyText);
      if (key === null) {
        throw new KeyringError(`${name}: key "${kid}" is not valid base64 or base64url`);
      }
      buffers.push(key);
      if (key.length !== KEY_BYTES) {
        const hexHint = /^[0-9a-fA-F]{64}$/.test(keyText) ? "; it looks like hex, re-encode it as base64" : "";
        throw new KeyringError(`${name}: key "${kid}" must be ${KEY_BYTES} bytes base64 (got ${key.length} bytes)${hexHint}`);
      }
      entries.push({ kid, key });
    });
    return buildKeyring(entries, name);
  } finally {
    for (const b of buffers) b.fill(0);
  }
}

/** Build a keyring from raw entries; the first entry is the active key. */
export function createKeyring(entries: readonly KeyEntry[]): Keyring {
  return buildKeyring(entries, "keyring");
}

/**
 * New random key entry `"<kid>:<base64>"`, ready to prepend to ENCRYPTION_KEYS.
 * Default kid is date-based plus a random suffix (e.g. "k20261121-3fa9") so
 * two engineers generating keys the same day don't collide.
 */
export function generateKeyEntry(kid?: string): string {
  const id = kid ?? defaultKid();
  assertKid(id, "generateKeyEntry");
  const key = randomBytes(KEY_BYTES);
  try {
    return `${id}:${toBase64(key)}`;
  } finally {
    key.fill(0);
  }
}

/**
 * Internal (not re-exported from index): KeyObject for a kid, or undefined.
 * Throws if `keyring` was not built by this module.
 */
export function resolveKey(keyring: Keyring, kid: string): KeyObject | undefined {
  const map = materials.get(keyring);
  if (map === undefined) {
    throw new TypeError("lib/crypto: keyring must be created with parseKeyring() or createKeyring()");
  }
  return map.get(kid);
}

function buildKeyring(entries: readonly KeyEntry[], name: string): Keyring {
  if (entries.length === 0) throw new KeyringError(`${name}: at least one key is required`);
  const map = new Map<string, KeyObject>();
  const seen = new Map<string, Uint8Array>();
  for (const { kid, key } of entries) {
    assertKid(kid, name);
    if (key.length !== KEY_BYTES) {
      throw new KeyringError(`${name}: key "${kid}" must be ${KEY_BYTES} bytes (got ${key.length} bytes)`);
    }
    if (map.has(kid)) throw new KeyringError(`${name}: duplicate key id "${kid}"`);
    // An all-zero key is almost certainly a placeholder ("AAAA...=") left in config.
    if (key.every((b) => b === 0)) {
      throw new KeyringError(`${name}: key "${kid}" is all zero bytes (placeholder?); generate a real key`);
    }
    // The same material under two kids defeats rotation (retiring one kid would not retire the key).
    for (const [otherKid, otherKey] of seen) {
      if (Buffer.compare(otherKey, key) === 0) {
        throw new KeyringError(`${name}: keys "${otherKid}" and "${kid}" have identical key material`);
      }
    }
    seen.set(kid, key);
    map.set(kid, createSecretKey(key)); // copies the bytes into a KeyObject
  }
  const kids = Object.freeze([...map.keys()]);
  const activeKid = kids[0] as string; // non-empty: checked above
  const keyring = Object.freeze({
    activeKid,
    kids,
    has: (kid: string) => map.has(kid),
  }) as unknown as Keyring;
  materials.set(keyring, map);
  return keyring;
}

function assertKid(kid: string, where: string): void {
  if (!isValidKid(kid)) {
    // Deliberately not echoing the value (see parseKeyring).
    const problem =
      kid.length === 0
        ? "it is empty"
        : kid.length > 32
          ? `it is ${kid.length} characters long`
          : "it contains a character outside A-Z a-z 0-9 _ -";
    throw new KeyringError(`${where}: invalid key id (must be 1-32 characters of A-Z a-z 0-9 _ -; ${problem})`);
  }
}

function defaultKid(): string {
  const date = new Date().toISOString().slice(0, 10).replace(/-/g, "");
  return `k${date}-${randomBytes(2).toString("hex")}`;
}
