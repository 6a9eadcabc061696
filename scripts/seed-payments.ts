/**
 * `tsx scripts/seed-payments.ts [count]`: fills the local database with demo
 * payments for the admin console (default 100,000), spread over 90 days with
 * mixed statuses and amounts, in one INSERT … SELECT generate_series. They
 * belong to a "bulk" demo user with a bank account row that was never linked
 * at Plaid or Stripe (status REMOVED, so nothing tries to use it) and are all
 * final (succeeded / failed / canceled), so reconciliation leaves them alone.
 */
import { randomUUID } from "node:crypto";
import { createPrismaClient } from "../lib/db/client";
import { migrate } from "../lib/db/migrate";
import { loadCommandConfig, openDatabase, runCommand } from "./lib/env";

await runCommand(async () => {
  const count = Number(process.argv[2] ?? 100_000);
  if (!Number.isInteger(count) || count < 1 || count > 5_000_000) throw new Error("count must be a whole number from 1 to 5,000,000");
  const config = loadCommandConfig();
  const db = await openDatabase(config);
  const prisma = createPrismaClient(db.url, { max: 1 });
  try {
    await migrate(db.url);
    const email = "bulk-payments@fundwell.test";
    const user = await prisma.user.upsert({ where: { email }, create: { email, name: "Bulk Payments Demo" }, update: {} });
    let bank = await prisma.bankAccount.findFirst({ where: { userId: user.id } });
    if (!bank) {
      const item = await prisma.plaidItem.create({
        data: {
          id: randomUUID(),
          userId: user.id,
          plaidItemId: `seed-${randomUUID()}`,
          accessTokenCiphertext: "seed-not-a-token",
          institutionId: "ins_109508",
          institutionName: "First Platypus Bank",
          status: "REMOVED",
          removedAt: new Date(),
        },
      });
      bank = await prisma.bankAccount.create({
        data: {
          userId: user.id,
          itemId: item.id,
          plaidAccountId: "seed-account",
          name: "Seeded Checking",
          mask: "4242",
          type: "depository",
          subtype: "checking",
          institutionId: "ins_109508",
          institutionName: "First Platypus Bank",
          status: "REMOVED",
          removedAt: new Date(),
          reviewStatus: "APPROVED",
        },
      });
    }
    const batch = randomUUID().slice(0, 8);
    const started = Date.now();
    const inserted = await prisma.$executeRawUnsafe(
      `INSERT INTO "payments" ("id", "user_id", "bank_account_id", "amount_cents", "status", "request_id", "idempotency_key", "failure_code", "failure_message", "created_at", "updated_at", "settled_at")
       SELECT 'seed_' || $3 || '_' || g, $1, $2, 100 + (g * 37) % 50000,
              (ARRAY['SUCCEEDED','SUCCEEDED','SUCCEEDED','SUCCEEDED','FAILED','CANCELED'])[1 + g % 6]::"PaymentStatus",
              'seed-' || $3 || '-' || g, 'seed:' || $3 || ':' || g,
              CASE WHEN g % 6 = 4 THEN 'insufficient_funds' END,
              CASE WHEN g % 6 = 4 THEN 'Insufficient funds in the bank account.' END,
              now() - ((g::bigint * 7776000 / $4::int) * interval '1 second'), now(),
              CASE WHEN g % 6 < 4 THEN now() - ((g::bigint * 7776000 / $4::int) * interval '1 second') + interval '3 days' END
       FROM generate_series(1, $4::int) AS g`,
      user.id,
      bank.id,
      batch,
      count,
    );
    await prisma.$executeRawUnsafe(`ANALYZE "payments"`);
    console.log(`Inserted ${inserted} payments for ${email} in ${Date.now() - started} ms.`);
  } finally {
    await prisma.$disconnect();
    await db.embedded?.stop();
  }
});
