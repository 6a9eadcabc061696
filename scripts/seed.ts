/**
 * `npm run db:seed`: creates the demo user and admin (README) when missing.
 * Only where the configuration allows demo accounts (`demoAccounts` in
 * lib/config: local mode, outside production or with SEED_DEMO_ACCOUNTS=true);
 * elsewhere it stops with the reason and changes nothing.
 */
import { createPrismaClient } from "../lib/db/client";
import { migrate } from "../lib/db/migrate";
import { DEMO_ACCOUNTS, seedDemoAccounts } from "@/lib/auth/demo-accounts";
import { loadCommandConfig, openDatabase, runCommand } from "./lib/env";

await runCommand(async () => {
  const config = loadCommandConfig();
  if (!config.demoAccounts) {
    throw new Error(
      config.mode === "remote"
        ? "demo accounts are off: they exist only in local mode (no Plaid or Stripe keys), and these have published passwords"
        : "demo accounts are off in production: set SEED_DEMO_ACCOUNTS=true to create them (published passwords: test and demo servers only)",
    );
  }
  const db = await openDatabase(config);
  // For lib/ modules that read the configuration themselves (the demo admin's sealed two-factor secret).
  process.env.DATABASE_URL = db.url;
  const prisma = createPrismaClient(db.url, { max: 1 });
  try {
    await migrate(db.url);
    const created = await seedDemoAccounts(prisma);
    console.log(created.length ? `Created ${created.join(", ")}.` : "Demo accounts already exist.");
    for (const a of DEMO_ACCOUNTS)
      console.log(`  ${a.role.padEnd(5)} ${a.email} / ${a.password}${a.totpSecret ? ` (two-factor secret ${a.totpSecret})` : ""}`);
  } finally {
    await prisma.$disconnect();
    await db.embedded?.stop();
  }
});
