/**
 * The browser code of the Link stand-in: TypeScript under ./client, bundled
 * with esbuild on first request and kept in memory.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

const CLIENT_DIR = path.join(import.meta.dirname, "client");

const compiled = new Map<string, Promise<string>>();

/** Bundles client/<entry>.ts as a classic-script IIFE (cached). */
export function clientScript(entry: "initialize" | "ui"): Promise<string> {
  let pending = compiled.get(entry);
  if (!pending) {
    pending = (async () => {
      const { build } = await import("esbuild");
      const result = await build({
        entryPoints: [path.join(CLIENT_DIR, `${entry}.ts`)],
        bundle: true,
        write: false,
        format: "iife",
        target: ["es2020"],
        charset: "utf8",
        legalComments: "none",
        logLevel: "silent",
      });
      return result.outputFiles[0]!.text;
    })();
    pending.catch(() => compiled.delete(entry));
    compiled.set(entry, pending);
  }
  return pending;
}

let css: string | null = null;
export function clientCss(): string {
  css ??= readFileSync(path.join(CLIENT_DIR, "ui.css"), "utf8");
  return css;
}
