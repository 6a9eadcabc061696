import "server-only";
import { getConfig } from "./index";
import { ConfigError } from "./errors";

/** Validates configuration at server start: a problem prints one readable message and stops the process (no stack trace). */
export function checkConfigOrExit(): void {
  try {
    getConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}
