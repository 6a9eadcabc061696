import { existsSync } from "node:fs";
import path from "node:path";
import { ConfigError, parseConfig, type AppConfig } from "../../lib/config";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "../../lib/db/embedded";

/** Loads .env (like Next does) so commands and the app read the same settings. */
export function loadDotEnv(): void {
  for (const file of [".env.local", ".env"]) {
    if (existsSync(file)) process.loadEnvFile(file);
  }
}

/** Validates configuration for a command; prints the problems and exits (no stack trace) when invalid. */
export function loadCommandConfig(): AppConfig {
  loadDotEnv();
  try {
    return parseConfig(process.env, { requireDatabase: false });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

/** DATABASE_URL when set, otherwise the embedded database in the data folder (started or joined). */
export async function openDatabase(config: AppConfig): Promise<{ url: string; embedded: EmbeddedDatabase | null }> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: null };
  const embedded = await startEmbeddedDatabase({ dataDir: path.join(config.dataDir, "db") });
  return { url: embedded.url, embedded };
}

/** Runs a command's body and turns known errors into one readable line. */
export async function runCommand(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
