import "server-only";
import type { Db } from "@/lib/db";
import { hashPassword } from "@/lib/auth/password";
import { sealTotpSecret } from "@/lib/secrets";

/**
 * Demo accounts for local mode, so a newcomer can click through at once
 * (README lists them). The admin has two-factor on, as every admin must,
 * with a published secret: `npm run dev` prints it with a current code, and
 * the code step of the sign-in shows the current code for demo accounts in
 * local mode. These accounts exist only in local mode.
 */
export const DEMO_ACCOUNTS = [
  { email: "demo@fundwell.test", name: "Dana Demo", password: "fundwell-demo", role: "USER", totpSecret: null },
  {
    email: "admin@fundwell.test",
    name: "Avery Admin",
    password: "fundwell-admin",
    role: "ADMIN",
    totpSecret: "FUNDWELLDEMOADMINTOTPSECRETKEY23",
  },
] as const;

/** The demo account's published TOTP secret, if `email` is one with two-factor on. */
export function demoTotpSecret(email: string): string | null {
  return DEMO_ACCOUNTS.find((a) => a.email === email)?.totpSecret ?? null;
}

/** Creates the demo accounts that are missing; turns on two-factor where a demo account should have it and does not. */
export async function seedDemoAccounts(db: Db): Promise<string[]> {
  const created: string[] = [];
  for (const account of DEMO_ACCOUNTS) {
    let user = await db.user.findUnique({ where: { email: account.email }, select: { id: true, totpEnabledAt: true } });
    if (!user) {
      user = await db.user.create({
        data: {
          email: account.email,
          name: account.name,
          role: account.role,
          passwordHash: await hashPassword(account.password),
          emailVerified: new Date(),
        },
        select: { id: true, totpEnabledAt: true },
      });
      created.push(account.email);
    }
    if (account.totpSecret && !user.totpEnabledAt) {
      await db.user.update({
        where: { id: user.id },
        data: { totpSecretCiphertext: sealTotpSecret(user.id, account.totpSecret), totpEnabledAt: new Date(), totpLastTimeStep: null },
      });
    }
  }
  return created;
}
