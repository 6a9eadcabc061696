import "server-only";
import { parseConfig, type AppConfig } from "./schema";

export { ConfigError } from "./errors";
export { parseConfig, type AppConfig } from "./schema";

let cached: AppConfig | undefined;

/** The app's configuration, validated once per process from process.env. */
export function getConfig(): AppConfig {
  cached ??= parseConfig(process.env, { requireDatabase: true });
  return cached;
}
