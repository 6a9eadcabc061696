/** `npm run db:migrate`: applies prisma/migrations to DATABASE_URL or the embedded database. */
import { migrate } from "../lib/db/migrate";
import { loadCommandConfig, openDatabase, runCommand } from "./lib/env";

await runCommand(async () => {
  const config = loadCommandConfig();
  const db = await openDatabase(config);
  try {
    const result = await migrate(db.url, { log: (line) => console.log(line) });
    console.log(result.applied.length ? `${result.applied.length} migration(s) applied.` : "Database is up to date.");
  } finally {
    await db.embedded?.stop();
  }
});
