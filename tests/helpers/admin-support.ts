import { randomBytes, randomUUID } from "node:crypto";
import { inject } from "vitest";
import { createPrismaClient, type Db } from "@/lib/db";
import { startEmbeddedDatabase } from "@/lib/db/embedded";
import { migrate } from "@/lib/db/migrate";
import { adminQuery, withDatabase } from "./postgres";
import { uniqueEmail } from "./db";

/**
 * A database of its own for an admin test file, migrated: admin tests change
 * global state (the "fund before review" setting, 100,000 payments, counts)
 * that must not leak into test files running in parallel on the shared one.
 * Same kind as the run's database (PostgreSQL server or embedded PGlite).
 */
export async function isolatedDb(): Promise<{ db: Db; url: string; close(): Promise<void> }> {
  if (inject("databaseKind") === "postgresql") {
    const base = inject("databaseUrl");
    const name = `fundwell_admin_${Date.now()}_${randomBytes(3).toString("hex")}`;
    await adminQuery(base, `CREATE DATABASE "${name}"`);
    const url = withDatabase(base, name);
    await migrate(url);
    const db = createPrismaClient(url, { max: 4 });
    return {
      db,
      url,
      async close() {
        await db.$disconnect();
        await adminQuery(base, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      },
    };
  }
  const embedded = await startEmbeddedDatabase({ dataDir: null });
  await migrate(embedded.url);
  const db = createPrismaClient(embedded.url, { max: 4 });
  return {
    db,
    url: embedded.url,
    async close() {
      await db.$disconnect();
      await embedded.stop();
    },
  };
}

/** A user_custom password: one checking account with these numbers and (optionally) these owners. */
export function customAccount(options: {
  accountNumber: string;
  mask: string;
  owners?: { names: string[]; emails?: string[] };
  current?: number;
}): string {
  return JSON.stringify({
    override_accounts: [
      {
        type: "depository",
        subtype: "checking",
        starting_balance: options.current ?? 5_000,
        meta: { name: "Custom Checking", mask: options.mask },
        numbers: { account: options.accountNumber, ach_routing: "110000000" },
        ...(options.owners
          ? {
              identity: {
                names: options.owners.names,
                emails: (options.owners.emails ?? []).map((data, i) => ({ data, primary: i === 0, type: "primary" })),
                phone_numbers: [],
                addresses: [],
              },
            }
          : {}),
      },
    ],
  });
}

/** A random 12-digit account number ending in 4 digits the caller can use as the mask. */
export function randomAccountNumber(): { accountNumber: string; mask: string } {
  const digits = Array.from({ length: 12 }, () => Math.floor(Math.random() * 10)).join("");
  return { accountNumber: `9${digits.slice(1)}`, mask: digits.slice(-4) };
}

/** A user with one (already linked) bank account, written directly: the admin lists and export only read rows. */
export async function userWithBankAccount(db: Db, label = "payer", mask = "4321") {
  const user = await db.user.create({ data: { email: uniqueEmail(label), name: "Pay Er", emailVerified: new Date() } });
  const item = await db.plaidItem.create({
    data: {
      id: randomUUID(),
      userId: user.id,
      plaidItemId: randomUUID(),
      accessTokenCiphertext: "v1.test.unused",
      institutionName: "First Platypus Bank",
      status: "ACTIVE",
    },
  });
  const bank = await db.bankAccount.create({
    data: {
      userId: user.id,
      itemId: item.id,
      plaidAccountId: randomUUID(),
      name: "Checking",
      mask,
      type: "depository",
      subtype: "checking",
      institutionName: "First Platypus Bank",
      status: "ACTIVE",
    },
  });
  return { user, bank };
}

/** A streamed response body (the CSV export) as text. */
export function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}
