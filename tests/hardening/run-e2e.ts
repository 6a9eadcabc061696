/**
 * `npm run test:e2e:scan` / the last step of `npm test`: runs Playwright
 * (arguments passed through), copies everything it prints (the specs'
 * output and, through playwright.config.ts's webServer `stdout: "pipe"`,
 * the app server's and sandbox's stdout/stderr) to the console and to
 * .data/e2e-output.log, then scans that log, test-results/ and
 * playwright-report/ (trace and report zips unpacked) for Plaid access and
 * processor tokens and the Stripe secret key (docs/hardening.md, issue 7.6).
 * Exits with Playwright's status, or 1 if anything leaked.
 */
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { inflateRawSync } from "node:zlib";

const LOG = ".data/e2e-output.log";
const PATTERNS = [
  /access-(?:sandbox|development|production)-[0-9a-f-]{8,}/g,
  /processor-(?:sandbox|development|production)-[0-9a-f-]{8,}/g,
  /sk_test_local_sandbox/g,
  ...(process.env.STRIPE_SECRET_KEY ? [new RegExp(process.env.STRIPE_SECRET_KEY.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "g")] : []),
];

export function findLeaks(text: string): string[] {
  return PATTERNS.flatMap((re) => [...text.matchAll(re)].map((m) => m[0]));
}

/** The entries of a zip (stored or deflated), enough for Playwright's traces and report. */
export function zipEntries(buffer: Buffer): { name: string; data: Buffer }[] {
  const entries: { name: string; data: Buffer }[] = [];
  const eocd = buffer.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) return entries;
  const count = buffer.readUInt16LE(eocd + 10);
  let offset = buffer.readUInt32LE(eocd + 16);
  for (let i = 0; i < count && offset + 46 <= buffer.length; i++) {
    if (buffer.readUInt32LE(offset) !== 0x02014b50) break;
    const method = buffer.readUInt16LE(offset + 10);
    const compressed = buffer.readUInt32LE(offset + 20);
    const nameLength = buffer.readUInt16LE(offset + 28);
    const extraLength = buffer.readUInt16LE(offset + 30);
    const commentLength = buffer.readUInt16LE(offset + 32);
    const local = buffer.readUInt32LE(offset + 42);
    const name = buffer.subarray(offset + 46, offset + 46 + nameLength).toString("utf8");
    const dataStart = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
    const raw = buffer.subarray(dataStart, dataStart + compressed);
    try {
      entries.push({ name, data: method === 8 ? inflateRawSync(raw) : raw });
    } catch {
      entries.push({ name, data: raw });
    }
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}

/** Scans the log and the run's artifacts; returns "file: match" lines. */
export function scanArtifacts(files: string[]): { scanned: number; bytes: number; leaks: string[] } {
  let scanned = 0;
  let bytes = 0;
  const leaks: string[] = [];
  const scan = (label: string, data: Buffer) => {
    scanned++;
    bytes += data.length;
    // Report HTML embeds zips as base64: decode those too.
    const text = data.toString("utf8");
    for (const leak of findLeaks(text)) leaks.push(`${label}: ${leak.slice(0, 24)}…`);
    for (const m of text.matchAll(/data:application\/zip;base64,([A-Za-z0-9+/=]+)/g)) {
      for (const entry of zipEntries(Buffer.from(m[1]!, "base64"))) scan(`${label} » ${entry.name}`, entry.data);
    }
  };
  for (const file of files) {
    if (!existsSync(file) || statSync(file).size > 500 * 1024 * 1024) continue;
    const data = readFileSync(file);
    if (data.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
      for (const entry of zipEntries(data)) scan(`${file} » ${entry.name}`, entry.data);
    } else if (/\.(png|jpe?g|webm|webp)$/i.test(file)) {
      continue;
    } else {
      scan(file, data);
    }
  }
  return { scanned, bytes, leaks };
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("run-e2e.ts")) {
  mkdirSync(path.dirname(LOG), { recursive: true });
  const log = createWriteStream(LOG);
  const started = Date.now();
  const child = spawn("node_modules/.bin/playwright", ["test", ...process.argv.slice(2)], {
    stdio: ["inherit", "pipe", "pipe"],
    env: process.env,
  });
  child.stdout.on("data", (chunk: Buffer) => {
    process.stdout.write(chunk);
    log.write(chunk);
  });
  child.stderr.on("data", (chunk: Buffer) => {
    process.stderr.write(chunk);
    log.write(chunk);
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  const code: number = await new Promise((resolve) => child.on("exit", (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  await new Promise((resolve) => log.end(resolve));
  const result = scanArtifacts([LOG, ...walk("test-results"), ...walk("playwright-report")]);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (result.leaks.length > 0) {
    console.error(
      `\n[secret scan] ${result.leaks.length} secret(s) in what the e2e run wrote:\n  ${[...new Set(result.leaks)].slice(0, 20).join("\n  ")}`,
    );
    process.exit(1);
  }
  console.log(
    `[secret scan] no token or secret key in ${result.scanned} files/entries (${(result.bytes / 1024 / 1024).toFixed(1)} MB: server output, test-results, report); e2e run ${seconds} s`,
  );
  process.exit(code);
}
