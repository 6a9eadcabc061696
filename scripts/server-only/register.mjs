/**
 * `tsx --import ./scripts/server-only/register.mjs <script>`: lets a Node
 * script (launcher, migrations, seeds, bench, e2e server) load lib/ modules
 * that start with `import "server-only"`.
 *
 * That package is a marker for bundlers: its default export throws ("cannot
 * be imported from a Client Component"), and only the `react-server`
 * condition gives the empty module. Next resolves it itself (empty on the
 * server, an error in client code), Vitest aliases it (vitest.config.ts);
 * plain Node knows neither, so this registers ./hooks.mjs, which resolves
 * that one specifier as a server would. Nothing else changes, and nothing is
 * inherited by the processes a script spawns (next build/start get no hook
 * and need none).
 */
import { register } from "node:module";

register("./hooks.mjs", import.meta.url);
