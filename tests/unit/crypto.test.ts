import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DecryptionError,
  type DecryptionErrorReason,
  type Keyring,
  decryptSecret,
  encryptSecret,
  generateKeyEntry,
  isEncryptedValue,
  keyIdOf,
  needsRotation,
  parseKeyring,
  reencrypt,
  rotateValue,
} from "@/lib/crypto";

// Fixed keys so failures are reproducible. Each is 32 distinct non-zero bytes.
const keyB64 = (seed: number) => Buffer.from(Array.from({ length: 32 }, (_, i) => (seed * 37 + i * 11 + 1) % 256)).toString("base64");
const A = `kA:${keyB64(1)}`;
const B = `kB:${keyB64(2)}`;
const C = `kC:${keyB64(3)}`;
const ringA = parseKeyring(A);
const ringBA = parseKeyring(`${B},${A}`);
const ringB = parseKeyring(B);

const ENVELOPE_RE = /^v1\.[A-Za-z0-9_-]{1,32}\.[A-Za-z0-9_-]{80}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{22}$/;

function expectDecryptionError(fn: () => unknown, reason: DecryptionErrorReason): DecryptionError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(DecryptionError);
  const err = caught as DecryptionError;
  expect(err.reason).toBe(reason);
  expect(err.name).toBe("DecryptionError");
  return err;
}

/** Flip one bit of byte `index` inside base64url segment `seg` (0-based, "v1" is 0). */
function flipByte(value: string, seg: number, index: number): string {
  const parts = value.split(".");
  const bytes = Buffer.from(parts[seg]!, "base64url");
  bytes[index] = bytes[index]! ^ 0x01;
  parts[seg] = bytes.toString("base64url");
  return parts.join(".");
}

function setSegment(value: string, seg: number, text: string): string {
  const parts = value.split(".");
  parts[seg] = text;
  return parts.join(".");
}

describe("encryptSecret / decryptSecret round trip", () => {
  const cases: Array<[string, string]> = [
    ["ascii", "access-sandbox-1234-abcd"],
    ["empty string", ""],
    ["unicode (accents, CJK, emoji, ZWJ)", "pässwörd 秘密 🔑 👩‍👩‍👧 \u0000 nul"],
    ["long input (1 MiB)", "x".repeat(1024 * 1024) + "end"],
  ];
  for (const [name, plaintext] of cases) {
    it(`round-trips ${name}`, () => {
      const ct = encryptSecret(plaintext, ringA);
      expect(ct).toMatch(ENVELOPE_RE);
      expect(decryptSecret(ct, ringA)).toBe(plaintext);
    });
  }

  it("round-trips with AAD", () => {
    const ct = encryptSecret("tok", ringA, { aad: "plaid_item.access_token:row-1" });
    expect(decryptSecret(ct, ringA, { aad: "plaid_item.access_token:row-1" })).toBe("tok");
  });

  it("produces the documented format: v1.<kid>.<wrapped 60B>.<iv 12B>.<ct>.<tag 16B>", () => {
    const plaintext = "héllo"; // 6 UTF-8 bytes
    const ct = encryptSecret(plaintext, ringA);
    const parts = ct.split(".");
    expect(parts).toHaveLength(6);
    expect(parts[0]).toBe("v1");
    expect(parts[1]).toBe("kA");
    expect(Buffer.from(parts[2]!, "base64url")).toHaveLength(60);
    expect(Buffer.from(parts[3]!, "base64url")).toHaveLength(12);
    expect(Buffer.from(parts[4]!, "base64url")).toHaveLength(6);
    expect(Buffer.from(parts[5]!, "base64url")).toHaveLength(16);
    // Ciphertext is not the plaintext in disguise.
    expect(Buffer.from(parts[4]!, "base64url").toString("utf8")).not.toBe(plaintext);
    expect(ct).not.toContain(Buffer.from(plaintext).toString("base64url"));
  });

  it("encrypting the same plaintext twice gives different ciphertexts (fresh DEK and nonces)", () => {
    const a = encryptSecret("same", ringA, { aad: "x" });
    const b = encryptSecret("same", ringA, { aad: "x" });
    expect(a).not.toBe(b);
    const [pa, pb] = [a.split("."), b.split(".")];
    for (const seg of [2, 3, 4, 5]) expect(pa[seg]).not.toBe(pb[seg]);
    expect(decryptSecret(a, ringA, { aad: "x" })).toBe("same");
    expect(decryptSecret(b, ringA, { aad: "x" })).toBe("same");
  });

  it("property: any well-formed string and AAD round-trip", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), fc.string({ unit: "binary", maxLength: 50 }), (pt, aad) => {
        expect(decryptSecret(encryptSecret(pt, ringBA, { aad }), ringBA, { aad })).toBe(pt);
      }),
      { numRuns: 200 },
    );
  });

  it("rejects strings with a lone surrogate instead of silently corrupting them", () => {
    expect(() => encryptSecret("a\uD800b", ringA)).toThrow(/lone UTF-16 surrogate/);
    expect(() => encryptSecret("ok", ringA, { aad: "\uDC00" })).toThrow(/aad contains a lone/);
  });

  it("treats aad undefined and aad '' as the same context", () => {
    expect(decryptSecret(encryptSecret("v", ringA), ringA, { aad: "" })).toBe("v");
    expect(decryptSecret(encryptSecret("v", ringA, { aad: "" }), ringA)).toBe("v");
  });
});

describe("keyrings with read-only keys", () => {
  it("writes with the first key only", () => {
    expect(keyIdOf(encryptSecret("s", ringBA))).toBe("kB");
    expect(keyIdOf(encryptSecret("s", ringA))).toBe("kA");
  });

  it("decrypts a value written by a key that is now a read-only older key", () => {
    const old = encryptSecret("legacy", ringA, { aad: "ctx" });
    expect(decryptSecret(old, ringBA, { aad: "ctx" })).toBe("legacy");
    expect(decryptSecret(old, parseKeyring(`${C},${B},${A}`), { aad: "ctx" })).toBe("legacy");
  });

  it("same kid but different key material → key-unwrap-failed", () => {
    const ct = encryptSecret("s", ringA);
    const impostor = parseKeyring(`kA:${keyB64(9)}`);
    const err = expectDecryptionError(() => decryptSecret(ct, impostor), "key-unwrap-failed");
    expect(err.kid).toBe("kA");
  });

  it("kid is bound to the wrapped key: same material configured under another kid does not decrypt", () => {
    // Separate keyrings, so the duplicate-material check does not apply; models "kid renamed in config".
    const ct = encryptSecret("s", ringA);
    const renamed = parseKeyring(`kZ:${keyB64(1)}`);
    expectDecryptionError(() => decryptSecret(setSegment(ct, 1, "kZ"), renamed), "key-unwrap-failed");
  });

  it("unknown kid → unknown-key-id, naming the kid", () => {
    const ct = encryptSecret("s", ringA);
    const err = expectDecryptionError(() => decryptSecret(ct, ringB), "unknown-key-id");
    expect(err.kid).toBe("kA");
    expect(err.message).toContain('"kA"');
    expect(err.message).toContain("kB"); // lists what the keyring does have
  });

  it("refuses a forged keyring object (not built by parseKeyring/createKeyring)", () => {
    const forged = { activeKid: "kA", kids: ["kA"], has: () => true } as unknown as Keyring;
    expect(() => encryptSecret("s", forged)).toThrow(TypeError);
    expect(() => decryptSecret(encryptSecret("s", ringA), forged)).toThrow(TypeError);
  });
});

describe("rotation", () => {
  it("encrypt under A, rotate to [B, A]: needsRotation → reencrypt → kid B, [B] alone works, [A] alone does not", () => {
    const aad = "plaid_item.access_token:row-42";
    const underA = encryptSecret("access-token", ringA, { aad });
    expect(needsRotation(underA, ringA)).toBe(false);
    expect(needsRotation(underA, ringBA)).toBe(true);

    const underB = reencrypt(underA, ringBA, { aad });
    expect(underB).not.toBe(underA);
    expect(keyIdOf(underB)).toBe("kB");
    expect(needsRotation(underB, ringBA)).toBe(false);
    expect(decryptSecret(underB, ringB, { aad })).toBe("access-token");
    expectDecryptionError(() => decryptSecret(underB, ringA, { aad }), "unknown-key-id");
    // AAD is preserved: the rotated value is still bound to its row.
    expectDecryptionError(() => decryptSecret(underB, ringB, { aad: "plaid_item.access_token:row-43" }), "auth-failed");
  });

  it("reencrypt returns the identical string when already under the active key", () => {
    const current = encryptSecret("s", ringBA);
    expect(reencrypt(current, ringBA)).toBe(current);
  });

  it("rotateValue reports whether a write-back is needed", () => {
    const underA = encryptSecret("s", ringA, { aad: "t:1" });
    const first = rotateValue(underA, ringBA, { aad: "t:1" });
    expect(first.changed).toBe(true);
    expect(keyIdOf(first.value)).toBe("kB");
    expect(decryptSecret(first.value, ringBA, { aad: "t:1" })).toBe("s");

    const second = rotateValue(first.value, ringBA, { aad: "t:1" });
    expect(second).toEqual({ changed: false, value: first.value });
  });

  it("rotateValue with the wrong AAD throws rather than re-encrypting", () => {
    const underA = encryptSecret("s", ringA, { aad: "t:1" });
    expectDecryptionError(() => rotateValue(underA, ringBA, { aad: "t:2" }), "auth-failed");
  });

  it("rotating a value whose key was already dropped fails with unknown-key-id", () => {
    const underA = encryptSecret("s", ringA);
    expect(needsRotation(underA, ringB)).toBe(true);
    expectDecryptionError(() => reencrypt(underA, ringB), "unknown-key-id");
  });

  it("needsRotation / keyIdOf reject malformed input", () => {
    expectDecryptionError(() => needsRotation("not-encrypted", ringA), "malformed");
    expectDecryptionError(() => keyIdOf("v1.kA.x"), "malformed");
  });
});

describe("tampering and wrong context", () => {
  const aad = "users.totp_secret:7";
  const plaintext = "JBSWY3DPEHPK3PXP";
  const ct = encryptSecret(plaintext, ringBA, { aad });
  const decrypt = (value: string) => decryptSecret(value, ringBA, { aad });

  it("sanity: the untampered value decrypts", () => {
    expect(decrypt(ct)).toBe(plaintext);
  });

  it("every byte of the wrapped key (iv, encrypted DEK, tag) is protected → key-unwrap-failed", () => {
    for (let i = 0; i < 60; i++) expectDecryptionError(() => decrypt(flipByte(ct, 2, i)), "key-unwrap-failed");
  });

  it.each([
    ["iv", 3, 12],
    ["ciphertext", 4, plaintext.length],
    ["tag", 5, 16],
  ] as const)("every byte of the %s segment is protected → auth-failed", (_name, seg, len) => {
    for (let i = 0; i < len; i++) expectDecryptionError(() => decrypt(flipByte(ct, seg, i)), "auth-failed");
  });

  it("kid swapped to another key in the keyring → key-unwrap-failed (kid is authenticated)", () => {
    expectDecryptionError(() => decrypt(setSegment(ct, 1, "kA")), "key-unwrap-failed");
  });

  it("kid changed to an unknown id → unknown-key-id", () => {
    expectDecryptionError(() => decrypt(setSegment(ct, 1, "kX")), "unknown-key-id");
  });

  it("kid changed to invalid characters → malformed", () => {
    expectDecryptionError(() => decrypt(setSegment(ct, 1, "k$B")), "malformed");
    expectDecryptionError(() => decrypt(setSegment(ct, 1, "")), "malformed");
  });

  it("version changed → unsupported-version (v2) or malformed (garbage)", () => {
    const err = expectDecryptionError(() => decrypt(setSegment(ct, 0, "v2")), "unsupported-version");
    expect(err.message).toContain('"v2"');
    expectDecryptionError(() => decrypt(setSegment(ct, 0, "V1")), "malformed");
    expectDecryptionError(() => decrypt(setSegment(ct, 0, "w1")), "malformed");
  });

  it("property: flipping any single bit of the decoded envelope bytes never decrypts", () => {
    const segs = ct.split(".");
    const lens = [2, 3, 4, 5].map((s) => Buffer.from(segs[s]!, "base64url").length);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (s, byte, bit) => {
        const parts = ct.split(".");
        const buf = Buffer.from(parts[s + 2]!, "base64url");
        const idx = byte % lens[s]!;
        buf[idx] = buf[idx]! ^ (1 << bit);
        parts[s + 2] = buf.toString("base64url");
        expect(() => decrypt(parts.join("."))).toThrow(DecryptionError);
      }),
      { numRuns: 300 },
    );
  });

  it("segments spliced from another ciphertext (same key, same AAD) fail", () => {
    const other = encryptSecret(plaintext, ringBA, { aad }).split(".");
    for (const seg of [2, 3, 4, 5]) {
      expect(() => decrypt(setSegment(ct, seg, other[seg]!))).toThrow(DecryptionError);
    }
  });

  it("wrong AAD (value copied to another row/column) → auth-failed", () => {
    expectDecryptionError(() => decryptSecret(ct, ringBA, { aad: "users.totp_secret:8" }), "auth-failed");
    expectDecryptionError(() => decryptSecret(ct, ringBA, { aad: "users.recovery_code:7" }), "auth-failed");
    expectDecryptionError(() => decryptSecret(ct, ringBA), "auth-failed");
    const noAad = encryptSecret(plaintext, ringBA);
    expectDecryptionError(() => decryptSecret(noAad, ringBA, { aad }), "auth-failed");
  });

  it("AAD boundary is unambiguous (header/aad concatenation cannot be shifted)", () => {
    const v = encryptSecret("s", ringBA, { aad: "a" });
    expectDecryptionError(() => decryptSecret(v, ringBA, { aad: "\u0000a" }), "auth-failed");
    expectDecryptionError(() => decryptSecret(v, ringBA, { aad: "a\u0000" }), "auth-failed");
  });

  it("error messages never contain the plaintext, the AAD or key material", () => {
    const errors: DecryptionError[] = [
      expectDecryptionError(() => decryptSecret(ct, ringBA, { aad: "wrong" }), "auth-failed"),
      expectDecryptionError(() => decrypt(flipByte(ct, 2, 20)), "key-unwrap-failed"),
      expectDecryptionError(() => decryptSecret(ct, ringA, { aad }), "unknown-key-id"),
      expectDecryptionError(() => decrypt(ct.slice(0, -3)), "malformed"),
    ];
    for (const err of errors) {
      const text = `${err.message} ${String(err.cause ?? "")} ${inspect(err)}`;
      expect(text).not.toContain(plaintext);
      expect(text).not.toContain(aad);
      for (const entry of [A, B]) expect(text).not.toContain(entry.split(":")[1]!.slice(0, 12));
    }
  });
});

describe("malformed input", () => {
  const good = encryptSecret("s", ringA);

  it.each([
    ["empty string", ""],
    ["plaintext", "hello world"],
    ["too few segments", "v1.kA.AAAA"],
    ["too many segments", `${good}.AAAA`],
    ["truncated tag", good.slice(0, -2)],
    ["padding in a segment", good.replace(/\.([A-Za-z0-9_-]+)$/, ".$1==")],
    ["non-base64url char", setSegment(good, 3, "AAAAAAAAAAAAAAA+")],
    ["wrong iv length", setSegment(good, 3, Buffer.alloc(16).toString("base64url"))],
    ["wrong wrapped-key length", setSegment(good, 2, Buffer.alloc(48).toString("base64url"))],
    ["whitespace around the value", ` ${good}`],
  ])("%s → malformed", (_name, value) => {
    expectDecryptionError(() => decryptSecret(value, ringA), "malformed");
  });

  it("rejects non-canonical base64url (trailing bits set) even though Node would decode it", () => {
    const parts = good.split(".");
    const tag = parts[5]!; // 16 bytes → 22 chars; the last char carries 4 unused zero bits
    const last = tag.at(-1)!;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const tweaked = tag.slice(0, -1) + alphabet[(alphabet.indexOf(last) + 1) % 64]!;
    expect(Buffer.from(tweaked, "base64url").equals(Buffer.from(tag, "base64url"))).toBe(true);
    expectDecryptionError(() => decryptSecret(setSegment(good, 5, tweaked), ringA), "malformed");
  });

  it("isEncryptedValue distinguishes envelopes from legacy plaintext", () => {
    expect(isEncryptedValue(good)).toBe(true);
    expect(isEncryptedValue(encryptSecret("", ringA))).toBe(true);
    expect(isEncryptedValue("access-sandbox-123")).toBe(false);
    expect(isEncryptedValue(good.slice(0, -1))).toBe(false);
  });

  it("keyIdOf reads the kid without needing the key", () => {
    expect(keyIdOf(good)).toBe("kA");
    const generated = parseKeyring(generateKeyEntry("k2030-x"));
    expect(keyIdOf(encryptSecret("s", generated))).toBe("k2030-x");
  });
});
