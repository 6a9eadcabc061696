import type Stripe from "stripe";
import { invalidRequest } from "./errors.js";
import type { Params } from "./params.js";

/**
 * Stripe list object with cursor pagination. `newestFirst` is the full,
 * already-filtered collection in Stripe's order (most recent first).
 */
export function paginate<T extends { id: string }>(newestFirst: T[], params: Params, url: string): Stripe.ApiList<T> {
  const limit = params.integer("limit") ?? 10;
  if (limit < 1 || limit > 100) {
    throw invalidRequest("This value must be greater than or equal to 1 and less than or equal to 100.", { param: "limit" });
  }
  const startingAfter = params.string("starting_after");
  const endingBefore = params.string("ending_before");
  const indexOf = (id: string, param: string): number => {
    const index = newestFirst.findIndex((item) => item.id === id);
    if (index === -1) throw invalidRequest(`No such object: '${id}'`, { param, code: "resource_missing", status: 404 });
    return index;
  };

  let data: T[];
  let hasMore: boolean;
  if (endingBefore !== undefined) {
    // The page right before the cursor, still newest first.
    const end = indexOf(endingBefore, "ending_before");
    const start = Math.max(0, end - limit);
    data = newestFirst.slice(start, end);
    hasMore = start > 0;
  } else {
    const start = startingAfter !== undefined ? indexOf(startingAfter, "starting_after") + 1 : 0;
    data = newestFirst.slice(start, start + limit);
    hasMore = start + limit < newestFirst.length;
  }
  return { object: "list", data, has_more: hasMore, url };
}

/** Records are stored oldest first; lists show newest first. */
export function newestFirst<T>(records: Record<string, T>): T[] {
  return Object.values(records).reverse();
}
