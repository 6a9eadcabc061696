import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { OBJECT_KEYWORD, type GeneratedSchema } from "./generate.js";

/** One place where a Stripe answer differs from the SDK's types. */
export interface SchemaProblem {
  /** JSON pointer into the checked value. */
  path: string;
  message: string;
}

type Schema = GeneratedSchema["schema"];

/**
 * Checks Stripe API answers and events against the schema generated from the
 * SDK's types. An API object is checked against the type its `object` field
 * names (Deleted* when `deleted: true`); lists and events are envelopes whose
 * contents are checked the same way; `previous_attributes` must be a partial
 * of the event's object, and only `*.updated` events carry it (Stripe's docs).
 */
export class StripeSchemaValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly byObject = new Map<string, string[]>();
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(schema: Schema) {
    const definitions = { ...schema.definitions };
    // The SDK types Event.Data's object and previous_attributes as empty interfaces; they are checked by their `object` below.
    definitions["Event.Data.Object"] = { type: "object" };
    definitions["Event.Data.PreviousAttributes"] = { type: "object" };
    for (const [name, definition] of Object.entries(definitions)) {
      const object = (definition.properties?.object as { const?: unknown } | undefined)?.const;
      if (name.includes(".") || typeof object !== "string") continue;
      this.byObject.set(object, [...(this.byObject.get(object) ?? []), name]);
      // Partial<T>, for previous_attributes: the same fields, none required.
      const { required: _required, ...partial } = definition as Record<string, unknown>;
      definitions[`${name}.Partial`] = partial;
    }
    const check = (objects: string[], data: unknown, _parent: unknown, cxt?: { instancePath: string }): boolean => {
      const problems = this.problems(data, cxt?.instancePath ?? "", objects);
      (check as { errors?: Partial<ErrorObject>[] }).errors = problems.map((p) => ({
        keyword: OBJECT_KEYWORD,
        instancePath: p.path,
        message: p.message,
        params: {},
      }));
      return problems.length === 0;
    };
    this.ajv.addKeyword({ keyword: OBJECT_KEYWORD, type: "object", errors: true, validate: check });
    this.ajv.addSchema({ ...schema, definitions }, "stripe");
  }

  /** Problems of an HTTP answer's body: an API object, a list, or `{ error }`. */
  answer(body: unknown): SchemaProblem[] {
    if (body && typeof body === "object" && "error" in body) {
      const extra = Object.keys(body).filter((k) => k !== "error");
      const problems = extra.map((k) => ({ path: `/${k}`, message: "is not part of Stripe's error answer" }));
      return [...problems, ...this.run("StripeRawError", (body as { error: unknown }).error, "/error")];
    }
    return this.problems(body, "");
  }

  /** Problems of one API object (or list, or event), checked by its `object` field. */
  problems(value: unknown, path: string, allowed?: string[]): SchemaProblem[] {
    if (!value || typeof value !== "object" || Array.isArray(value)) return [{ path, message: "is not an API object" }];
    const record = value as Record<string, unknown>;
    const object = record.object;
    if (typeof object !== "string") return [{ path, message: "has no `object` field" }];
    if (allowed && !allowed.includes(object)) return [{ path, message: `is a ${object}, the SDK types allow ${allowed.join(" | ")} here` }];
    if (object === "list") return this.list(record, path);
    if (object === "event") return this.event(record, path);
    const names = this.byObject.get(object);
    if (!names) return [{ path, message: `is a ${object}, which stripe-schema/objects.ts does not list` }];
    const name = names.find((n) => n.startsWith("Deleted") === (record.deleted === true)) ?? names[0]!;
    return this.run(name, value, path);
  }

  private list(record: Record<string, unknown>, path: string): SchemaProblem[] {
    const problems: SchemaProblem[] = [];
    const keys = Object.keys(record).sort().join(",");
    if (keys !== "data,has_more,object,url")
      problems.push({ path, message: `list has fields ${keys}, the SDK's ApiList has data,has_more,object,url` });
    if (typeof record.has_more !== "boolean" || typeof record.url !== "string")
      problems.push({ path, message: "list needs has_more (boolean) and url (string)" });
    if (!Array.isArray(record.data)) return [...problems, { path: `${path}/data`, message: "is not an array" }];
    record.data.forEach((item, i) => problems.push(...this.problems(item, `${path}/data/${i}`)));
    return problems;
  }

  private event(record: Record<string, unknown>, path: string): SchemaProblem[] {
    const problems = this.run("EventBase", record, path);
    const data = record.data as { object?: unknown; previous_attributes?: unknown } | undefined;
    if (!data || typeof data !== "object") return problems;
    problems.push(...this.problems(data.object, `${path}/data/object`));
    if (data.previous_attributes !== undefined) {
      const type = String(record.type);
      if (!type.endsWith(".updated")) {
        problems.push({ path: `${path}/data/previous_attributes`, message: `is only sent on *.updated events, not on ${type}` });
      }
      const object = (data.object as { object?: unknown; deleted?: unknown } | undefined)?.object;
      const name = typeof object === "string" ? this.byObject.get(object)?.[0] : undefined;
      if (name) problems.push(...this.run(name, data.previous_attributes, `${path}/data/previous_attributes`, true));
    }
    return problems;
  }

  /** Validates against a definition (or its Partial, for previous_attributes). */
  private run(name: string, value: unknown, path: string, partial = false): SchemaProblem[] {
    const key = partial ? `${name}.Partial` : name;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `stripe#/definitions/${key}` });
      this.compiled.set(key, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => ({
      path: `${path}${e.instancePath}`,
      message: `${e.message ?? e.keyword}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`,
    }));
  }
}
