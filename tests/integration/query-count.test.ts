import { randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { bankingDeps } from "@/lib/banking/deps";
import { linkBankAccount } from "@/lib/banking/link-account";
import { createFundingPayment } from "@/lib/funding/create-payment";
import { getDashboardData, loadDashboard } from "@/lib/funding/dashboard";
import { MANDATE_TEXT_VERSION } from "@/lib/funding/mandates";
import { instrumentAdapterFactory } from "@/lib/observability/clients";
import { testDb, uniqueEmail, signedIn } from "../helpers/db";
import { customUserPassword, linkResult } from "../helpers/sandbox";

/**
 * No N+1: the SQL statements a dashboard load and a funding request send
 * (every round trip, BEGIN/COMMIT included, counted at the driver adapter as
 * the benchmark does) must not grow with the user's payments or bank accounts.
 * Their first statement also confirms the session's user (actorMayAct), so
 * for the funding route and the dashboard poll these are the whole request;
 * the dashboard page adds the header's user read.
 */
let statements: string[] | null = null;
const counted = new PrismaClient({
  adapter: instrumentAdapterFactory(new PrismaPg({ connectionString: inject("databaseUrl"), max: 4 }), (run, sql) => {
    statements?.push(sql);
    return run();
  }),
});
const db = testDb();
afterAll(() => Promise.all([db.$disconnect(), counted.$disconnect()]));

const LIMITS = { minCents: 100, maxCents: 50_000, dailyMaxCents: 100_000_000, thirtyDayMaxCents: 100_000_000 };
const ctx = { ip: "198.51.100.7", userAgent: "vitest" };

/** A statement without its parameter list sizes (IN ($1, $2) vs IN ($1)), to compare which queries ran. */
const shape = (sql: string) => sql.replace(/\$\d+(,\s*\$\d+)*/g, "$n");

async function countQueries(fn: () => Promise<unknown>): Promise<string[]> {
  statements = [];
  try {
    await fn();
    return statements;
  } finally {
    statements = null;
  }
}

/** A user with a linked, funded (mandate accepted) bank account. */
async function fundedUser() {
  const user = await signedIn(
    db,
    await db.user.create({ data: { email: uniqueEmail("counter"), name: "Query Counter", emailVerified: new Date() } }),
  );
  const password = customUserPassword({
    accountNumber: `0001${Math.floor(Math.random() * 1e8)
      .toString()
      .padStart(8, "0")}`,
    mask: "4321",
    available: 1_000_000,
  });
  const link = await linkResult({ username: "user_custom", password });
  const bank = await linkBankAccount(bankingDeps(), user, link.input("Custom Checking"));
  await createFundingPayment(
    { ...bankingDeps(), db, limits: LIMITS },
    user,
    { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 100, mandate: { accepted: true, textVersion: MANDATE_TEXT_VERSION } },
    ctx,
  );
  return { user, bank };
}

/** Grows the user's history: `payments` settled payments (with ledger credits) and `accounts` more linked bank accounts. */
async function grow(userId: string, bankAccountId: string, payments: number, accounts: number) {
  const tag = randomUUID().slice(0, 8);
  await db.payment.createMany({
    data: Array.from({ length: payments }, (_, i) => ({
      id: `qc_${tag}_${i}`,
      userId,
      bankAccountId,
      amountCents: 100 + i,
      status: "SUCCEEDED" as const,
      requestId: `qc-${tag}-${i}`,
      idempotencyKey: `qc:${tag}:${i}`,
      createdAt: new Date(Date.now() - (i + 1) * 60_000),
    })),
  });
  await db.ledgerEntry.createMany({
    data: Array.from({ length: payments }, (_, i) => ({ userId, paymentId: `qc_${tag}_${i}`, amountCents: 100 + i })),
  });
  for (let i = 0; i < accounts; i++) {
    const itemId = randomUUID();
    await db.plaidItem.create({
      data: {
        id: itemId,
        userId,
        plaidItemId: `qc-${itemId}`,
        accessTokenCiphertext: "not-a-token",
        institutionId: "ins_qc",
        institutionName: "Query Bank",
        status: "ACTIVE",
      },
    });
    const account = await db.bankAccount.create({
      data: {
        userId,
        itemId,
        plaidAccountId: `qc-acc-${i}`,
        name: "Extra Checking",
        mask: String(1000 + i),
        type: "depository",
        subtype: "checking",
        institutionId: "ins_qc",
        institutionName: "Query Bank",
        status: "ACTIVE",
        reviewStatus: "APPROVED",
      },
    });
    await db.mandateAcceptance.create({
      data: { userId, bankAccountId: account.id, textVersion: MANDATE_TEXT_VERSION, acceptedAt: new Date() },
    });
  }
}

describe("queries per request do not grow with the data (no N+1)", () => {
  it("dashboard load: the same statements with 1 or 60 payments and 1 or 6 bank accounts", async () => {
    const { user, bank } = await fundedUser();
    const small = await countQueries(() => getDashboardData(counted, user));
    await grow(user.id, bank.id, 60, 5);
    const large = await countQueries(() => getDashboardData(counted, user));
    const data = (await getDashboardData(db, user))!;
    // The page's header shows the user the same statement confirmed.
    expect((await loadDashboard(db, user))!.viewer).toEqual({ email: user.email, name: user.name, role: "USER" });
    expect(data.payments).toHaveLength(25);
    expect(data.bankAccounts).toHaveLength(6);
    // One statement: the session check, balances, bank accounts (item status, mandate) and the latest payments together.
    expect(small).toHaveLength(1);
    expect(large.map(shape)).toEqual(small.map(shape));
    // What that one statement returns matches the rows it summarises.
    const newest = await db.payment.findFirstOrThrow({ where: { userId: user.id }, orderBy: { createdAt: "desc" } });
    expect(data.payments[0]).toMatchObject({
      id: newest.id,
      createdAt: newest.createdAt.toISOString(),
      amountCents: newest.amountCents,
      bankLabel: `${bank.institutionName ?? "Bank"} ····4321`,
    });
    expect(data.payments.map((p) => p.createdAt)).toEqual([...data.payments.map((p) => p.createdAt)].sort().reverse());
    const ledger = await db.ledgerEntry.aggregate({ where: { userId: user.id }, _sum: { amountCents: true } });
    expect(data.balances.availableCents).toBe(ledger._sum.amountCents);
    expect(data.bankAccounts.filter((a) => a.needsMandate)).toEqual([]);
  });

  it("funding request: the same statements with 1 or 60 earlier payments and 1 or 6 bank accounts", async () => {
    const { user, bank } = await fundedUser();
    const deps = { ...bankingDeps(), db: counted, limits: LIMITS };
    const fund = () => createFundingPayment(deps, user, { requestId: randomUUID(), bankAccountId: bank.id, amountCents: 100 }, ctx);
    await fund(); // first with counting: warm
    const small = await countQueries(fund);
    await grow(user.id, bank.id, 60, 5);
    const large = await countQueries(fund);
    // The whole request, session check included: 1 read for every check (the actor may still act, replay,
    // account, item, mandate, customer, setting, rolling totals); 1 write (fund_write_payment: user lock,
    // the same checks again, totals, inserts); 1 last check before sending (send-check: account, user);
    // 1 outcome (payment lock + update + ledger + audit in one statement).
    expect(small).toHaveLength(4);
    expect(small[1]).toContain("fund_write_payment");
    expect(large.map(shape)).toEqual(small.map(shape));
  });
});
