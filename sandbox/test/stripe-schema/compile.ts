import { Ajv } from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";
import { OBJECT_KEYWORD, type GeneratedSchema } from "./generate.js";

/** What the workers load: the validators' module source, and which definitions each `object` value names. */
export interface CompiledStripeSchema {
  /** CommonJS module source (it requires ajv's runtime helpers) exporting one validate function per definition name (and `<name>Partial`). */
  source: string;
  objects: Record<string, string[]>;
}

type Definition = Record<string, unknown>;

/**
 * A reference to another API object becomes a shallow check (an object whose
 * `object` is one of the allowed values); the validator then checks the
 * nested object against its own type. This keeps the schema free of custom
 * keywords, so ajv can compile it once into a module (ajv's standalone code),
 * which each test worker imports instead of compiling the SDK's large types
 * again (seconds per test file).
 */
function replaceObjectReferences(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(replaceObjectReferences);
  if (!value || typeof value !== "object") return value;
  const record = value as Definition;
  if (Array.isArray(record[OBJECT_KEYWORD])) {
    return { type: "object", required: ["object"], properties: { object: { enum: record[OBJECT_KEYWORD] } } };
  }
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, replaceObjectReferences(v)]));
}

export function compileStripeSchema(schema: GeneratedSchema["schema"]): CompiledStripeSchema {
  const definitions = replaceObjectReferences(schema.definitions) as Record<string, Definition>;
  // The SDK types Event.Data's object and previous_attributes as empty interfaces; the validator checks them by their `object`.
  definitions["Event.Data.Object"] = { type: "object" };
  definitions["Event.Data.PreviousAttributes"] = { type: "object" };
  const objects: Record<string, string[]> = {};
  const exported: Record<string, string> = { StripeRawError: "stripe#/definitions/StripeRawError" };
  for (const [name, definition] of Object.entries(definitions)) {
    const object = ((definition.properties as Definition | undefined)?.object as { const?: unknown } | undefined)?.const;
    if (name.includes(".") || typeof object !== "string") continue;
    (objects[object] ??= []).push(name);
    // Partial<T>, for previous_attributes: the same fields, none required.
    const { required: _required, ...partial } = definition;
    definitions[`${name}.Partial`] = partial;
    exported[name] = `stripe#/definitions/${name}`;
    exported[`${name}Partial`] = `stripe#/definitions/${name}.Partial`;
  }
  // inlineRefs: false compiles each definition once instead of into every type that uses it (the SDK's types nest deeply).
  const ajv = new Ajv({ strict: false, allErrors: true, inlineRefs: false, code: { source: true } });
  ajv.addSchema({ definitions }, "stripe");
  return { source: standaloneCode(ajv, exported), objects };
}
