import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { compileStripeSchema } from "./compile.js";
import { generateStripeSchema } from "./generate.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The compiled validators (a CommonJS module file) and which definitions each `object` value names. */
    stripeSchema: { module: string; objects: Record<string, string[]> };
  }
}

const root = path.resolve(import.meta.dirname, "../../..");

/**
 * Generating the schema reads the SDK's whole type declarations and compiling
 * it takes seconds, so both are done once and kept in node_modules/.cache,
 * keyed by everything they depend on: the installed stripe, generator, ajv
 * and TypeScript versions and the files that say what to generate.
 */
function cacheKey(): string {
  const hash = createHash("sha256");
  for (const pkg of ["stripe", "ts-json-schema-generator", "typescript", "ajv"]) {
    hash.update(readFileSync(path.join(root, "node_modules", pkg, "package.json")));
  }
  for (const file of ["generate.ts", "objects.ts", "compile.ts"]) hash.update(readFileSync(path.join(import.meta.dirname, file)));
  return hash.digest("hex").slice(0, 16);
}

export default function setup(project: TestProject): void {
  const base = path.join(root, "node_modules/.cache/stripe-schema", cacheKey());
  let objects: Record<string, string[]>;
  try {
    objects = JSON.parse(readFileSync(`${base}.objects.json`, "utf8")) as Record<string, string[]>;
    readFileSync(`${base}.cjs`);
  } catch {
    const generated = generateStripeSchema();
    const started = performance.now();
    const compiled = compileStripeSchema(generated.schema);
    console.log(
      `[stripe-schema] generated from the SDK's types in ${(generated.milliseconds / 1000).toFixed(1)} s, compiled in ${((performance.now() - started) / 1000).toFixed(1)} s (cached for later runs)`,
    );
    mkdirSync(path.dirname(base), { recursive: true });
    writeFileSync(`${base}.cjs`, compiled.source);
    writeFileSync(`${base}.objects.json`, JSON.stringify(compiled.objects));
    objects = compiled.objects;
  }
  project.provide("stripeSchema", { module: `${base}.cjs`, objects });
}
