import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { decryptSecret, encryptSecret, generateKeyEntry, keyIdOf, parseKeyring } from "@/lib/crypto";
import { rotateStoredSecrets, type EncryptedColumn } from "@/lib/secrets/rotate";

const url = inject("databaseUrl");
const table = `rotation_test_${process.pid}_${Date.now()}`;
const column: EncryptedColumn = { table, idColumn: "id", column: "secret", aad: (id) => `${table}.secret:${id}` };
const client = new pg.Client({ connectionString: url });

beforeAll(async () => {
  await client.connect();
  await client.query(`CREATE TABLE "${table}" (id text PRIMARY KEY, secret text)`);
});
afterAll(async () => {
  await client.query(`DROP TABLE IF EXISTS "${table}"`);
  await client.end();
});

describe("keys:rotate re-encrypts every stored secret with the newest key", () => {
  it("moves all values (in batches) from the old key to the new one, keeping AAD binding", async () => {
    const oldEntry = generateKeyEntry("old");
    const newEntry = generateKeyEntry("new");
    const oldRing = parseKeyring(oldEntry);
    const rotatedRing = parseKeyring(`${newEntry},${oldEntry}`);
    const rows = Array.from({ length: 1_203 }, (_, i) => ({ id: `row${String(i).padStart(5, "0")}`, plain: `access-sandbox-${i}` }));
    for (let i = 0; i < rows.length; i += 400) {
      const chunk = rows.slice(i, i + 400);
      await client.query(`INSERT INTO "${table}" (id, secret) SELECT * FROM unnest($1::text[], $2::text[])`, [
        chunk.map((r) => r.id),
        chunk.map((r) => encryptSecret(r.plain, oldRing, { aad: column.aad(r.id) })),
      ]);
    }
    await client.query(`INSERT INTO "${table}" (id, secret) VALUES ('empty', NULL)`);

    const [report] = await rotateStoredSecrets(url, rotatedRing, [column]);
    expect(report).toEqual({ table, column: "secret", rotated: rows.length });

    const { rows: stored } = await client.query<{ id: string; secret: string }>(
      `SELECT id, secret FROM "${table}" WHERE secret IS NOT NULL ORDER BY id`,
    );
    const newOnly = parseKeyring(newEntry);
    expect(stored.every((r) => keyIdOf(r.secret) === "new")).toBe(true);
    expect(stored.map((r) => decryptSecret(r.secret, newOnly, { aad: column.aad(r.id) }))).toEqual(rows.map((r) => r.plain));
    expect(() => decryptSecret(stored[0]!.secret, oldRing, { aad: column.aad(stored[0]!.id) })).toThrow();

    const [again] = await rotateStoredSecrets(url, rotatedRing, [column]);
    expect(again!.rotated).toBe(0);
  });

  it("stops with an error (and changes nothing more) when a value cannot be decrypted", async () => {
    const ring = parseKeyring(generateKeyEntry("k1"));
    const unknown = parseKeyring(generateKeyEntry("lost"));
    await client.query(`DELETE FROM "${table}"`);
    await client.query(`INSERT INTO "${table}" VALUES ('a', $1)`, [encryptSecret("secret", unknown, { aad: column.aad("a") })]);
    await expect(rotateStoredSecrets(url, ring, [column])).rejects.toThrow(/lost/);
  });
});
