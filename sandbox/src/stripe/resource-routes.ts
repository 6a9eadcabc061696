import { paginate } from "./list.js";
import type { Params } from "./params.js";
import type { ApiCall, Route } from "./router.js";

/** The GET routes most resources share: retrieve one object, list many. */

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

/** `GET url`, paginated: `select` reads the filters and returns the matching records, newest first. */
export function listRoute<T extends { id: string }>(url: string, select: (params: Params) => T[]): Route {
  return {
    method: "GET",
    pattern: url,
    handler: ({ params }) => {
      const list = paginate(select(params), params, url);
      params.finish();
      return list;
    },
  };
}
