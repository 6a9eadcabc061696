/**
 * `npm run keys:rotate`: re-encrypts every stored secret with the first
 * (newest) key in ENCRYPTION_KEYS. Keep the old keys listed until this has run.
 */
import { parseKeyring } from "../lib/crypto";
import { rotateStoredSecrets } from "../lib/secrets/rotate";
import { loadCommandConfig, openDatabase, runCommand } from "./lib/env";

await runCommand(async () => {
  const config = loadCommandConfig();
  const keyring = parseKeyring(config.encryptionKeys, { name: "ENCRYPTION_KEYS" });
  const db = await openDatabase(config);
  try {
    const report = await rotateStoredSecrets(db.url, keyring);
    if (report.length === 0) console.log("No encrypted columns are registered yet.");
    for (const r of report) console.log(`${r.table}.${r.column}: ${r.rotated} value(s) re-encrypted with key ${keyring.activeKid}`);
  } finally {
    await db.embedded?.stop();
  }
});
