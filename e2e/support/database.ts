import { readFileSync } from "node:fs";
import pg from "pg";

/** Written by e2e/support/server.ts: the database the app under test uses. */
export const E2E_DATABASE_URL_FILE = `.data/e2e-database-url-${process.env.E2E_PORT ?? 3100}`;

/** Runs one SQL statement on the app's database (to arrange or check state a person cannot reach). */
export async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: readFileSync(E2E_DATABASE_URL_FILE, "utf8") });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}
