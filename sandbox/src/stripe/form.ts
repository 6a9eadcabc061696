/**
 * Decodes Stripe's form encoding (`application/x-www-form-urlencoded` with
 * bracket notation) into nested values: `metadata[k]=v` → `{ metadata: { k: "v" } }`,
 * `payment_method_types[0]=x` and `expand[]=x` → arrays. The same decoding is
 * used for query strings (GET/DELETE), as Stripe does.
 */
export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

export function decodeForm(pairs: URLSearchParams): FormObject {
  const root: FormObject = {};
  for (const [rawKey, value] of pairs) {
    const path = splitKey(rawKey);
    if (!path) continue;
    assign(root, path, value);
  }
  return root;
}

/** `a[b][0]` → ["a", "b", "0"]; `a[]` → ["a", ""]; undefined for malformed keys. */
function splitKey(key: string): string[] | undefined {
  const open = key.indexOf("[");
  if (open === -1) return [key];
  const path = [key.slice(0, open)];
  const rest = key.slice(open);
  const re = /\[([^\]]*)\]/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = re.exec(rest)) !== null) {
    path.push(match[1]!);
    consumed = re.lastIndex;
  }
  return consumed === rest.length && path[0] !== "" ? path : undefined;
}

function isIndex(segment: string): boolean {
  return segment === "" || /^\d+$/.test(segment);
}

function assign(container: FormObject | FormValue[], path: string[], value: string): void {
  const [head, ...tail] = path as [string, ...string[]];
  // Never let a parameter name reach an object's prototype.
  if (head === "__proto__") return;
  if (Array.isArray(container)) {
    // Numeric indexes keep their order; `[]` appends.
    const index = head === "" ? container.length : Number(head);
    if (tail.length === 0) {
      container[index] = value;
      return;
    }
    const existing = container[index];
    const child = existing !== undefined && typeof existing !== "string" ? existing : isIndex(tail[0]!) ? [] : {};
    container[index] = child;
    assign(child, tail, value);
    return;
  }
  if (tail.length === 0) {
    container[head] = value;
    return;
  }
  const existing = container[head];
  const child = existing !== undefined && typeof existing !== "string" ? existing : isIndex(tail[0]!) ? [] : {};
  container[head] = child;
  assign(child, tail, value);
}

/** Arrays built from sparse indexes (`a[0]`, `a[2]`) are compacted, as Stripe does. */
export function compactArray(values: FormValue[]): FormValue[] {
  return values.filter((v) => v !== undefined);
}
