/** `npm run db:seed`: creates the demo user and admin (README) when missing. */
import { createPrismaClient } from "../lib/db/client";
import { migrate } from "../lib/db/migrate";
import { DEMO_ACCOUNTS, seedDemoAccounts } from "@/lib/auth/demo-accounts";
import { loadCommandConfig, openDatabase, runCommand } from "./lib/env";

await runCommand(async () => {
  const config = loadCommandConfig();
  const db = await openDatabase(config);
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
