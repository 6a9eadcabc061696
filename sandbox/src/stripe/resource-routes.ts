import { paginate } from "./list.js";
import type { Params } from "./params.js";
import type { ApiCall, Route } from "./router.js";

/** The GET routes most resources share: retrieve one object, list many. */

/** The list's `url` as Stripe shows it: the pattern with the path's values. */
function listUrl(pattern: string, path: ApiCall["path"]): string {
  return pattern.replace(/:([a-z_]+)/g, (_, name: string) => path[name] ?? name);
}

/** `GET pattern` with no parameters but the `ignored` ones (read, unused); unknown ones are refused before the lookup. */
export function retrieveRoute(pattern: string, find: (path: ApiCall["path"]) => object, ignored: string[] = []): Route {
  return {
    method: "GET",
    pattern,
    handler: ({ params, path }) => {
      for (const name of ignored) params.string(name);
      params.finish();
      return find(path);
    },
  };
}

/**
 * `GET url`, paginated: `select` reads the filters and returns the matching
 * records, newest first. `filterCreated` adds Stripe's `created` filter
 * (`created=<unix>`, `created[gt|gte|lt|lte]`) for lists whose API takes it.
 */
export function listRoute<T extends { id: string; created?: number }>(
  url: string,
  select: (params: Params, path: ApiCall["path"]) => T[],
  options: { filterCreated?: boolean } = {},
): Route {
  return {
    method: "GET",
    pattern: url,
    handler: ({ params, path }) => {
      const created = options.filterCreated ? params.range("created") : undefined;
      const selected = select(params, path);
      const list = paginate(created ? selected.filter((item) => created(item.created ?? 0)) : selected, params, listUrl(url, path));
      params.finish();
      return list;
    },
  };
}
