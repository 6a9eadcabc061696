import { compactArray, type FormObject, type FormValue } from "./form.js";
import { invalidRequest, parameterMissing, parameterUnknown } from "./errors.js";

/**
 * Typed reader over decoded form parameters. Every read marks the parameter
 * as known; `finish()` rejects whatever was not read with Stripe's
 * `parameter_unknown`, so handlers call it before any side-effect.
 */
export class Params {
  private readonly read = new Set<string>();
  private readonly children = new Map<string, Params>();

  constructor(
    private readonly data: FormObject,
    private readonly prefix = "",
  ) {}

  private name(key: string): string {
    return this.prefix ? `${this.prefix}[${key}]` : key;
  }

  /** Throws parameter_unknown for a top-level name not in `known` (before the endpoint reads anything). */
  refuseUnknown(known: readonly string[]): void {
    const unknown = Object.keys(this.data).find((key) => !known.includes(key));
    if (unknown !== undefined) throw parameterUnknown(this.name(unknown));
  }

  has(key: string): boolean {
    return this.data[key] !== undefined;
  }

  private raw(key: string): FormValue | undefined {
    this.read.add(key);
    return this.data[key];
  }

  string(key: string): string | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== "string") throw invalidRequest(`Invalid string: ${this.name(key)}`, { param: this.name(key) });
    return value;
  }

  requiredString(key: string): string {
    const value = this.string(key);
    if (value === undefined || value === "") throw parameterMissing(this.name(key));
    return value;
  }

  /** `""` is Stripe's way to unset a field: returned as null. */
  nullableString(key: string): string | null | undefined {
    const value = this.string(key);
    return value === "" ? null : value;
  }

  integer(key: string): number | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if (!/^-?\d+$/.test(value)) {
      throw invalidRequest(`Invalid integer: ${value}`, { param: this.name(key), code: "parameter_invalid_integer" });
    }
    return Number(value);
  }

  requiredInteger(key: string): number {
    const value = this.integer(key);
    if (value === undefined) throw parameterMissing(this.name(key));
    return value;
  }

  boolean(key: string): boolean | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if (value !== "true" && value !== "false") {
      throw invalidRequest(`Invalid boolean: ${value}`, { param: this.name(key) });
    }
    return value === "true";
  }

  enumeration<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) {
      throw invalidRequest(`Invalid ${this.name(key)}: must be one of ${allowed.join(", ")}`, { param: this.name(key) });
    }
    return value as T;
  }

  stringList(key: string): string[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value === "string") return value === "" ? [] : [value];
    const list = Array.isArray(value) ? compactArray(value) : Object.values(value);
    if (!list.every((v): v is string => typeof v === "string")) {
      throw invalidRequest(`Invalid array: ${this.name(key)}`, { param: this.name(key) });
    }
    return list;
  }

  /**
   * Stripe's RangeQueryParam: `key=<int>` (equal) or
   * `key[gt|gte|lt|lte]=<int>`; returns whether a value is in the range.
   */
  range(key: string): ((value: number) => boolean) | undefined {
    const value = this.data[key];
    if (value === undefined) {
      this.read.add(key);
      return undefined;
    }
    if (typeof value === "string") {
      const equal = this.integer(key)!;
      return (v) => v === equal;
    }
    const bounds = this.object(key)!;
    const [gt, gte, lt, lte] = (["gt", "gte", "lt", "lte"] as const).map((b) => bounds.integer(b));
    return (v) =>
      (gt === undefined || v > gt) && (gte === undefined || v >= gte) && (lt === undefined || v < lt) && (lte === undefined || v <= lte);
  }

  /** A list whose every value must be one of `allowed`. */
  enumerationList<T extends string>(key: string, allowed: readonly T[]): T[] | undefined {
    const values = this.stringList(key);
    const bad = values?.find((v) => !(allowed as readonly string[]).includes(v));
    if (bad !== undefined) {
      throw invalidRequest(`Invalid ${this.name(key)}: must be one of ${allowed.join(", ")}`, { param: this.name(key) });
    }
    return values as T[] | undefined;
  }

  /** Nested hash (e.g. `mandate_data`), read with its own Params. */
  object(key: string): Params | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value === "string" || Array.isArray(value)) {
      throw invalidRequest(`Invalid object: ${this.name(key)}`, { param: this.name(key) });
    }
    const child = new Params(value, this.name(key));
    this.children.set(key, child);
    return child;
  }

  /** `metadata[k]=v`; `metadata[k]=` removes k and `metadata=` clears all, as on Stripe. */
  metadata(key = "metadata"): Record<string, string | null> | null | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (value === "") return null;
    if (typeof value === "string" || Array.isArray(value)) {
      throw invalidRequest(`Invalid object: ${this.name(key)}`, { param: this.name(key) });
    }
    const out: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(value)) {
      if (typeof v !== "string") throw invalidRequest(`Invalid metadata value for key ${k}`, { param: `${this.name(key)}[${k}]` });
      out[k] = v === "" ? null : v;
    }
    return out;
  }

  /** Throws parameter_unknown for the first parameter nobody read. */
  finish(): void {
    for (const key of Object.keys(this.data)) {
      if (!this.read.has(key)) throw parameterUnknown(this.name(key));
      this.children.get(key)?.finish();
    }
  }
}

/** Applies a metadata update as Stripe does (null deletes a key; null for the whole hash clears it). */
export function mergeMetadata(
  current: Record<string, string>,
  update: Record<string, string | null> | null | undefined,
): Record<string, string> {
  if (update === undefined) return current;
  if (update === null) return {};
  const next = { ...current };
  for (const [k, v] of Object.entries(update)) {
    if (v === null) delete next[k];
    else next[k] = v;
  }
  return next;
}
