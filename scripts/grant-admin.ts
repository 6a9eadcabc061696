/** `npm run admin:grant -- someone@example.com`: makes an existing user an admin. */
import { createPrismaClient } from "../lib/db/client";
import { normalizeEmail } from "../lib/auth/email";
import { recordAudit } from "../lib/audit";
import { loadCommandConfig, openDatabase, runCommand } from "./lib/env";

await runCommand(async () => {
  const email = process.argv[2];
  if (!email) throw new Error("usage: npm run admin:grant -- <email>");
  const config = loadCommandConfig();
  const db = await openDatabase(config);
  const prisma = createPrismaClient(db.url, { max: 1 });
  try {
    const user = await prisma.user.findUnique({ where: { email: normalizeEmail(email) } });
    if (!user) throw new Error(`no user with email ${normalizeEmail(email)}; they must sign up first`);
    await prisma.user.update({ where: { id: user.id }, data: { role: "ADMIN" } });
    await recordAudit(prisma, {
      actorId: null,
      action: "user.role.granted",
      targetType: "user",
      targetId: user.id,
      metadata: { role: "ADMIN", via: "admin:grant" },
    });
    console.log(`${user.email} is now an admin.`);
  } finally {
    await prisma.$disconnect();
    await db.embedded?.stop();
  }
});
