import type { Params } from "./params.js";

/**
 * The `created` list filter: an exact timestamp (`created=1700000000`) or a
 * range (`created[gte]=…&created[lt]=…`), as Stripe's lists take it.
 * Returns a predicate on an object's `created`.
 */
export function readCreatedFilter(params: Params): (created: number) => boolean {
  if (!params.has("created")) return () => true;
  const range = tryObject(params);
  if (range === undefined) {
    const exact = params.integer("created")!;
    return (created) => created === exact;
  }
  const bound = (key: string): number | undefined => range.integer(key);
  const gt = bound("gt");
  const gte = bound("gte");
  const lt = bound("lt");
  const lte = bound("lte");
  range.finish();
  return (created) =>
    (gt === undefined || created > gt) &&
    (gte === undefined || created >= gte) &&
    (lt === undefined || created < lt) &&
    (lte === undefined || created <= lte);
}

/** `created[...]` as a nested hash, or undefined when `created` is a plain value. */
function tryObject(params: Params): Params | undefined {
  try {
    return params.object("created");
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    return undefined;
  }
}
