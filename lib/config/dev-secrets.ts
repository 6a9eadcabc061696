import "server-only";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Local mode only: secrets generated once into the data folder, so a fresh
 * clone runs with no configuration and keeps decrypting what it stored
 * yesterday. Production with real keys never reads this file (lib/config).
 */
export interface DevSecrets {
  authSecret: string;
  encryptionKeys: string;
  stripeWebhookSecret: string;
}

export function loadOrCreateDevSecrets(dataDir: string): DevSecrets {
  const file = path.join(dataDir, "dev-secrets.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as DevSecrets;
  const secrets: DevSecrets = {
    authSecret: randomBytes(32).toString("base64url"),
    encryptionKeys: `dev1:${randomBytes(32).toString("base64")}`,
    stripeWebhookSecret: `whsec_${randomBytes(24).toString("base64url")}`,
  };
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: "wx" });
  } catch {
    // Another process created it first: use theirs so both agree.
    return JSON.parse(readFileSync(file, "utf8")) as DevSecrets;
  }
  return secrets;
}
