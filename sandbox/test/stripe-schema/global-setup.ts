import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { generateStripeSchema, type GeneratedSchema } from "./generate.js";

declare module "vitest" {
  export interface ProvidedContext {
    stripeSchema: GeneratedSchema["schema"];
  }
}

const root = path.resolve(import.meta.dirname, "../../..");

/**
 * Generating the schema reads the SDK's whole type declarations (seconds), so
 * it is done once per run and kept in node_modules/.cache keyed by everything
 * it depends on: the installed stripe and generator versions and the two
 * files that say what to generate.
 */
function cacheKey(): string {
  const hash = createHash("sha256");
  for (const pkg of ["stripe", "ts-json-schema-generator", "typescript"]) {
    hash.update(readFileSync(path.join(root, "node_modules", pkg, "package.json")));
  }
  for (const file of ["generate.ts", "objects.ts"]) hash.update(readFileSync(path.join(import.meta.dirname, file)));
  return hash.digest("hex").slice(0, 16);
}

export default function setup(project: TestProject): void {
  const file = path.join(root, "node_modules/.cache/stripe-schema", `${cacheKey()}.json`);
  let schema: GeneratedSchema["schema"];
  try {
    schema = JSON.parse(readFileSync(file, "utf8")) as GeneratedSchema["schema"];
  } catch {
    const generated = generateStripeSchema();
    console.log(
      `[stripe-schema] generated from the SDK's types in ${(generated.milliseconds / 1000).toFixed(1)} s (cached for later runs)`,
    );
    schema = generated.schema;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(schema));
  }
  project.provide("stripeSchema", schema);
}
