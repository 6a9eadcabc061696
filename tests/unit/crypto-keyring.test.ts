import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { KeyringError, createKeyring, decryptSecret, encryptSecret, generateKeyEntry, parseKeyring } from "@/lib/crypto";

const key32 = () => randomBytes(32);
const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");
const b64url = (b: Uint8Array) => Buffer.from(b).toString("base64url");

/** The error thrown by fn, asserted to be a KeyringError. */
function keyringError(fn: () => unknown): KeyringError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KeyringError);
    return e as KeyringError;
  }
  throw new Error("expected a KeyringError, nothing was thrown");
}

/** No 8-character run of any secret may appear in the message. */
function expectNoKeyMaterial(message: string, secrets: string[]): void {
  for (const s of secrets) {
    for (let i = 0; i + 8 <= s.length; i++) expect(message).not.toContain(s.slice(i, i + 8));
  }
}

describe("parseKeyring: valid configs", () => {
  it("first entry is the active key; all entries readable, in order", () => {
    const [k1, k2, k3] = [key32(), key32(), key32()];
    const ring = parseKeyring(`k2025c:${b64(k1)},k2025b:${b64(k2)},k2025a:${b64(k3)}`);
    expect(ring.activeKid).toBe("k2025c");
    expect(ring.kids).toEqual(["k2025c", "k2025b", "k2025a"]);
    expect(ring.has("k2025b")).toBe(true);
    expect(ring.has("k2025z")).toBe(false);
  });

  it("accepts base64url and unpadded base64, and whitespace/newlines around entries", () => {
    const [k1, k2] = [key32(), key32()];
    const ring = parseKeyring(`\n  k_new : ${b64url(k1)} ,\n  k-old:${b64(k2).replace(/=+$/, "")}\n`);
    expect(ring.kids).toEqual(["k_new", "k-old"]);
  });

  it("keys in the parsed ring are the configured bytes (interoperates with createKeyring)", () => {
    const k = key32();
    const fromString = parseKeyring(`k1:${b64(k)}`);
    const fromBytes = createKeyring([{ kid: "k1", key: k }]);
    expect(decryptSecret(encryptSecret("x", fromString), fromBytes)).toBe("x");
    // Different material under the same kid must not interoperate.
    expect(() => decryptSecret(encryptSecret("x", fromString), createKeyring([{ kid: "k1", key: key32() }]))).toThrow();
  });

  it("keyring is frozen and printing/serialising it never reveals key bytes", () => {
    const k = key32();
    const ring = parseKeyring(`k1:${b64(k)}`);
    expect(Object.isFrozen(ring)).toBe(true);
    expect(Object.isFrozen(ring.kids)).toBe(true);
    const printed = `${JSON.stringify(ring)} ${inspect(ring, { depth: 10, showHidden: true })}`;
    expectNoKeyMaterial(printed, [b64(k), b64url(k), k.toString("hex")]);
  });

  it("createKeyring copies its input: wiping the caller's buffer does not break the ring", () => {
    const k = key32();
    const ring = createKeyring([{ kid: "k1", key: k }]);
    const ct = encryptSecret("x", ring);
    k.fill(0);
    expect(decryptSecret(ct, ring)).toBe("x");
  });
});

describe("parseKeyring: errors are clear and never echo key material", () => {
  const good = b64(key32());

  it("wrong length → exact message with byte count", () => {
    const short = b64(randomBytes(16));
    const err = keyringError(() => parseKeyring(`k1:${short}`));
    expect(err.message).toBe('ENCRYPTION_KEYS: key "k1" must be 32 bytes base64 (got 16 bytes)');
  });

  it("a 64-char hex key gets a hint instead of a confusing byte count only", () => {
    const hex = key32().toString("hex");
    const err = keyringError(() => parseKeyring(`k1:${hex}`));
    expect(err.message).toMatch(/key "k1" must be 32 bytes base64 \(got 48 bytes\).*looks like hex/);
    expectNoKeyMaterial(err.message, [hex]);
  });

  const cases: Array<[string, () => string, RegExp]> = [
    ["empty string", () => "", /^ENCRYPTION_KEYS is empty/],
    ["whitespace only", () => "  \n ", /^ENCRYPTION_KEYS is empty/],
    ["bad base64 characters", () => `k1:${good.slice(0, 20)}!!${good.slice(22)}`, /key "k1" is not valid base64 or base64url/],
    ["mixed base64/base64url alphabets", () => "k1:ab+d_fghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ=", /key "k1" is not valid base64/],
    ["bad padding", () => `k1:${good}==`, /key "k1" is not valid base64/],
    ["empty key", () => "k1:", /key "k1" is empty/],
    ["duplicate kid", () => `k1:${good},k2:${b64(key32())},k1:${b64(key32())}`, /duplicate key id "k1"/],
    ["same material under two kids", () => `k1:${good},k2:${good}`, /keys "k1" and "k2" have identical key material/],
    ["all-zero placeholder key", () => `k1:${b64(Buffer.alloc(32))}`, /key "k1" is all zero bytes/],
    ["missing colon", () => good, /entry 1 is not of the form "<kid>:<base64 key>"/],
    ["trailing comma", () => `k1:${good},`, /entry 2 is empty/],
    ["kid with a dot", () => `k.1:${good}`, /entry 1: invalid key id .*character outside/],
    ["kid with a space", () => `k 1:${good}`, /entry 1: invalid key id/],
    ["kid too long", () => `${"k".repeat(33)}:${good}`, /invalid key id .*33 characters long/],
    ["empty kid", () => `:${good}`, /invalid key id .*it is empty/],
    ["entries swapped (<key>:<kid>)", () => `${good}:k1`, /entry 1: invalid key id/],
  ];

  it.each(cases)("%s", (_name, config, expected) => {
    const text = config();
    const err = keyringError(() => parseKeyring(text));
    expect(err.message).toMatch(expected);
    expect(err.name).toBe("KeyringError");
    // Anything that looks like key material in the input must not come back out.
    const secrets = text.split(/[,:\s]+/).filter((s) => s.length >= 16);
    expectNoKeyMaterial(err.message, secrets);
  });

  it("reports the position of the bad entry among several", () => {
    const err = keyringError(() => parseKeyring(`k1:${good},k2:${b64(key32())},k3`));
    expect(err.message).toMatch(/entry 3/);
  });

  it("uses a custom config name in messages", () => {
    const err = keyringError(() => parseKeyring("", { name: "TEST_KEYS" }));
    expect(err.message).toMatch(/^TEST_KEYS is empty/);
  });

  it("createKeyring validates too", () => {
    expect(keyringError(() => createKeyring([])).message).toMatch(/at least one key/);
    expect(keyringError(() => createKeyring([{ kid: "k1", key: randomBytes(31) }])).message).toMatch(
      /key "k1" must be 32 bytes \(got 31 bytes\)/,
    );
    expect(keyringError(() => createKeyring([{ kid: "bad kid", key: key32() }])).message).toMatch(/invalid key id/);
  });
});

describe("generateKeyEntry", () => {
  it("produces an entry that parses, with a 32-byte base64 key", () => {
    const entry = generateKeyEntry("k2026a");
    expect(entry).toMatch(/^k2026a:[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(entry.split(":")[1]!, "base64")).toHaveLength(32);
    const ring = parseKeyring(entry);
    expect(ring.activeKid).toBe("k2026a");
    expect(decryptSecret(encryptSecret("x", ring), ring)).toBe("x");
  });

  it("default kid is valid and unique-ish; keys are random", () => {
    const a = generateKeyEntry();
    const b = generateKeyEntry();
    expect(a.split(":")[0]).toMatch(/^k\d{8}-[0-9a-f]{4}$/);
    expect(a.split(":")[1]).not.toBe(b.split(":")[1]);
    // Prepending a fresh entry is the rotation workflow.
    const ring = parseKeyring(`${a},${b}`);
    expect(ring.kids).toHaveLength(2);
  });

  it("rejects an invalid kid", () => {
    expect(() => generateKeyEntry("has.dot")).toThrow(KeyringError);
    expect(() => generateKeyEntry("")).toThrow(KeyringError);
  });
});
