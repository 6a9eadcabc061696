import { inject } from "vitest";

// Every integration test file talks to the run's database through the app's
// own config (lib/config reads DATABASE_URL), and keeps dev secrets in a
// throw-away data folder.
process.env.DATABASE_URL = inject("databaseUrl");
process.env.DATA_DIR ??= ".data/test";
