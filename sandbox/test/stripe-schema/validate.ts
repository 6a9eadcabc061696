import type { ErrorObject } from "ajv";

/** One place where a Stripe answer differs from the SDK's types. */
export interface SchemaProblem {
  /** JSON pointer into the checked value. */
  path: string;
  message: string;
}

/** A compiled ajv validator (see compile.ts). */
export type Validator = ((value: unknown) => boolean) & { errors?: ErrorObject[] | null };

/**
 * Checks Stripe API answers and events against the validators compiled from
 * the SDK's types. An API object is checked against the type its `object`
 * field names (Deleted* when `deleted: true`), then every API object nested
 * in it (expanded fields, embedded objects) the same way; lists and events
 * are envelopes whose contents are checked the same way; `previous_attributes`
 * must be a partial of the event's object, and only `*.updated` events carry
 * it (Stripe's docs).
 */
export class StripeSchemaValidator {
  constructor(
    private readonly validators: Record<string, Validator>,
    private readonly objects: Record<string, string[]>,
  ) {}

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
    const names = this.objects[object];
    if (!names) return [{ path, message: `is a ${object}, which stripe-schema/objects.ts does not list` }];
    const name = names.find((n) => n.startsWith("Deleted") === (record.deleted === true)) ?? names[0]!;
    const problems = this.run(name, value, path);
    return problems.length > 0 ? problems : this.nested(record, path);
  }

  /** The API objects inside an object (expanded or embedded ones, lists), each checked by its own type. */
  private nested(record: Record<string, unknown>, path: string): SchemaProblem[] {
    const problems: SchemaProblem[] = [];
    const visit = (value: unknown, at: string): void => {
      if (Array.isArray(value)) value.forEach((item, i) => visit(item, `${at}/${i}`));
      else if (value && typeof value === "object") {
        const child = value as Record<string, unknown>;
        if (typeof child.object === "string") problems.push(...this.problems(child, at));
        else for (const [k, v] of Object.entries(child)) visit(v, `${at}/${k}`);
      }
    };
    // metadata is free-form: a key named "object" there is the user's.
    for (const [k, v] of Object.entries(record)) if (k !== "metadata") visit(v, `${path}/${k}`);
    return problems;
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
      const object = (data.object as { object?: unknown } | undefined)?.object;
      const name = typeof object === "string" ? this.objects[object]?.[0] : undefined;
      if (name) problems.push(...this.run(`${name}Partial`, data.previous_attributes, `${path}/data/previous_attributes`));
    }
    return problems;
  }

  private run(name: string, value: unknown, path: string): SchemaProblem[] {
    const validate = this.validators[name];
    if (!validate) return [{ path, message: `no validator for ${name}` }];
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => ({
      path: `${path}${e.instancePath}`,
      message: `${e.message ?? e.keyword}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`,
    }));
  }
}
