import "server-only";
import pg from "pg";
import { rotateValue, type Keyring } from "@/lib/crypto";
import { ENCRYPTED_COLUMNS, type EncryptedColumn } from "./contexts";

export type { EncryptedColumn };

const BATCH = 500;

/**
 * Re-encrypts every stored secret not yet under the active key, in batches.
 * Each row is updated only if it still holds the value that was read, so the
 * command can run while the app writes.
 */
export async function rotateStoredSecrets(
  databaseUrl: string,
  keyring: Keyring,
  columns: EncryptedColumn[] = ENCRYPTED_COLUMNS,
): Promise<{ table: string; column: string; rotated: number }[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const report: { table: string; column: string; rotated: number }[] = [];
  try {
    for (const c of columns) {
      const table = quoteIdent(c.table);
      const id = quoteIdent(c.idColumn);
      const col = quoteIdent(c.column);
      const current = `v1.${keyring.activeKid}.%`;
      let rotated = 0;
      let after = "";
      for (;;) {
        const { rows } = await client.query<{ id: string; value: string }>(
          `SELECT ${id}::text AS id, ${col} AS value FROM ${table} WHERE ${col} IS NOT NULL AND ${col} NOT LIKE $1 AND ${id}::text > $2 ORDER BY ${id}::text LIMIT ${BATCH}`,
          [current, after],
        );
        for (const row of rows) {
          const result = rotateValue(row.value, keyring, { aad: c.aad(row.id) });
          if (!result.changed) continue;
          const update = await client.query(`UPDATE ${table} SET ${col} = $1 WHERE ${id}::text = $2 AND ${col} = $3`, [
            result.value,
            row.id,
            row.value,
          ]);
          rotated += update.rowCount ?? 0;
        }
        if (rows.length < BATCH) break;
        after = rows[rows.length - 1]!.id;
      }
      report.push({ table: c.table, column: c.column, rotated });
    }
    return report;
  } finally {
    await client.end();
  }
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid identifier ${name}`);
  return `"${name}"`;
}
