/**
 * The e2e secret scanner (tests/hardening/run-e2e.ts) itself: it must find a
 * token in a plain log, inside a zip (Playwright traces) and inside the HTML
 * report's embedded base64 zips, and nothing in clean output.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { deflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { findLeaks, scanArtifacts, zipEntries } from "./run-e2e";

/** A one-entry deflated zip, as Playwright writes traces. */
function zip(name: string, content: string): Buffer {
  const data = deflateRawSync(Buffer.from(content));
  const nameBuf = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(nameBuf.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(nameBuf.length, 28);
  central.writeUInt32LE(0, 42);
  const centralOffset = local.length + nameBuf.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBuf.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, nameBuf, data, central, nameBuf, end]);
}

// A made-up token, assembled at run time so repository secret scans don't mistake the fixture for a leak.
const TOKEN = ["access", "sandbox", "8d2a1c3e-1111-4222-8333-944455556666"].join("-");

describe("the e2e secret scanner", () => {
  it("finds tokens and the Stripe key, and ignores truncated hints", () => {
    expect(findLeaks(`GET /x ${TOKEN}`)).toEqual([TOKEN]);
    expect(findLeaks("key sk_test_local_sandbox here")).toEqual(["sk_test_local_sandbox"]);
    expect(findLeaks("processor-sandbox-0b5c6d7e-aaaa-4bbb-8ccc-dddddddddddd")).toHaveLength(1);
    expect(findLeaks("hint processor-sandbox-…dddd, access_token_ciphertext v1:k1:abc")).toEqual([]);
  });

  it("looks inside plain files, trace zips and the report's embedded zips", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "fundwell-scan-"));
    const clean = path.join(dir, "clean.log");
    const log = path.join(dir, "server.log");
    const trace = path.join(dir, "trace.zip");
    const report = path.join(dir, "index.html");
    writeFileSync(clean, "[WebServer] GET /api/health 200\n");
    writeFileSync(log, `[WebServer] oops ${TOKEN}\n`);
    writeFileSync(trace, zip("trace.network", `{"body":"${TOKEN}"}`));
    writeFileSync(report, `<script>window.data = "data:application/zip;base64,${zip("report.json", TOKEN).toString("base64")}"</script>`);
    expect(zipEntries(zip("a.txt", "hello")).map((e) => [e.name, e.data.toString()])).toEqual([["a.txt", "hello"]]);
    expect(scanArtifacts([clean]).leaks).toEqual([]);
    const result = scanArtifacts([clean, log, trace, report]);
    expect(result.leaks).toHaveLength(3);
    expect(result.leaks.join("\n")).toContain("trace.zip » trace.network");
    expect(result.leaks.join("\n")).toContain("index.html » report.json");
  });
});
