import "server-only";
import type { Db } from "@/lib/db";
import { hashPassword } from "@/lib/auth/password";

/** Demo accounts for local mode, so a newcomer can click through at once (README lists them). */
export const DEMO_ACCOUNTS = [
  { email: "demo@fundwell.test", name: "Dana Demo", password: "fundwell-demo", role: "USER" },
  { email: "admin@fundwell.test", name: "Avery Admin", password: "fundwell-admin", role: "ADMIN" },
] as const;

/** Creates the demo accounts that are missing; leaves existing ones untouched. */
export async function seedDemoAccounts(db: Db): Promise<string[]> {
  const created: string[] = [];
  for (const account of DEMO_ACCOUNTS) {
    const exists = await db.user.findUnique({ where: { email: account.email }, select: { id: true } });
    if (exists) continue;
    await db.user.create({
      data: {
        email: account.email,
        name: account.name,
        role: account.role,
        passwordHash: await hashPassword(account.password),
        // Ready to link and fund at once: as if the address had been verified.
        emailVerified: new Date(),
      },
    });
    created.push(account.email);
  }
  return created;
}
