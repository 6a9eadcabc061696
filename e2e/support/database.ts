import { readFileSync } from "node:fs";
import pg from "pg";

/** Written by e2e/support/server.ts: the database the app under test (on `port`) uses. */
export const databaseUrlFile = (port: number | string = process.env.E2E_PORT ?? 3100): string => `.data/e2e-database-url-${port}`;
export const E2E_DATABASE_URL_FILE = databaseUrlFile();

/** The app port of the running test's project, or E2E_PORT outside a test (server.ts). */
async function appPort(): Promise<number | string> {
  try {
    const { currentAppPort } = await import("./targets");
    return currentAppPort();
  } catch {
    return process.env.E2E_PORT ?? 3100;
  }
}

/** Runs one SQL statement on the app's database (to arrange or check state a person cannot reach). */
export async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: readFileSync(databaseUrlFile(await appPort()), "utf8") });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}
