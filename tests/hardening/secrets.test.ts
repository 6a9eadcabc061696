/**
 * Issue 7.6 (in-process part): access tokens, processor tokens and the
 * Stripe secret key never appear in anything the server code returns, throws
 * or logs, even when Plaid and Stripe fail in every way the sandbox can make
 * them fail (their SDK errors carry the request, and with it the token); and
 * the database holds them only as ciphertexts (every text/json column of
 * every table is scanned, after the other hardening files have run).
 * The e2e part (server output, test-results, reports) is
 * tests/hardening/scan-e2e-output.ts.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { bankingDeps } from "@/lib/banking/deps";
import { linkBankAccount } from "@/lib/banking/link-account";
import { createFundingPayment } from "@/lib/funding/create-payment";
import { MANDATE_TEXT_VERSION } from "@/lib/funding/mandates";
import { reconcilePayments } from "@/lib/funding/reconcile";
import { createProcessorToken, getProcessorTokenPermissions } from "@/lib/admin/processor-tokens";
import { getDb } from "@/lib/db";
import { testDb, uniqueEmail, signedIn } from "../helpers/db";
import { linkResult } from "../helpers/sandbox";
import { sandbox } from "../integration/webhooks-fixtures";
import { captureOutput, findSecrets, report, secretPatterns, shortTimeoutClients } from "./support";

const db = testDb();
afterAll(async () => {
  await sandbox("faults/clear");
  await db.$disconnect();
  await getDb().$disconnect();
});

const FAULTS = [
  { status: 500 },
  { status: 400, code: "INVALID_ACCESS_TOKEN" },
  { code: "ITEM_LOGIN_REQUIRED" },
  { status: 429 },
  { drop: true, times: 3 },
  // Beyond the 1 s SDK timeout, for the first send and both retries.
  { latencyMs: 1_500, times: 3 },
];

describe("secrets never leave the server", () => {
  it("keeps tokens out of results, errors and logs while Plaid and Stripe fail", { timeout: 300_000 }, async () => {
    const output = captureOutput();
    const seen: string[] = [];
    const record = (value: unknown) =>
      seen.push(
        typeof value === "string"
          ? value
          : value instanceof Error
            ? `${value.name}: ${value.message} ${value.stack ?? ""} ${JSON.stringify(value)}`
            : JSON.stringify(value),
      );
    let attempts = 0;
    try {
      const clients = shortTimeoutClients(1_000);
      const deps = { db, plaid: clients.plaid, stripe: clients.stripe };
      const user = await signedIn(
        db,
        await db.user.create({ data: { email: uniqueEmail("secrets"), name: "Sec Rets", emailVerified: new Date() } }),
      );
      const link = await linkResult();
      const bank = await linkBankAccount(bankingDeps(), user, link.input());
      record(bank);
      const admin = { id: user.id, ip: null };
      const fund = () =>
        createFundingPayment(
          { ...deps, limits: { minCents: 100, maxCents: 10_000, dailyMaxCents: 1e9, thirtyDayMaxCents: 1e9 } },
          user,
          {
            requestId: randomUUID(),
            bankAccountId: bank.id,
            amountCents: 500,
            mandate: { accepted: true, textVersion: MANDATE_TEXT_VERSION },
          },
          { ip: null, userAgent: null },
        );
      const permissions = async () => {
        const token = await db.processorToken.findFirst({ where: { bankAccountId: bank.id } });
        return token ? getProcessorTokenPermissions(deps, token.id) : null;
      };
      const calls: Record<string, (() => Promise<unknown>)[]> = {
        "/item/public_token/exchange": [async () => linkBankAccount(deps, user, (await linkResult()).input())],
        "/accounts/balance/get": [fund],
        "/processor/token/create": [() => createProcessorToken(deps, admin, bank.id, "dwolla")],
        "/processor/token/permissions/get": [permissions],
        "/v1/payment_intents": [fund, () => reconcilePayments(db, { olderThanMinutes: 0, userIds: [user.id], stripe: clients.stripe })],
      };
      for (const fault of FAULTS) {
        for (const [route, fns] of Object.entries(calls)) {
          await sandbox("faults", { rules: [{ route, ...fault }] });
          for (const call of fns) {
            attempts++;
            await call().then(record, record);
          }
          // An ITEM_LOGIN_REQUIRED fault marks the item; put it back for the next round.
          await db.plaidItem.updateMany({ where: { userId: user.id }, data: { status: "ACTIVE", errorCode: null } });
        }
      }
      // Control: the raw SDK error under the same faults does carry the token, so the scan can see one.
      await sandbox("faults", { rules: [{ route: "/accounts/balance/get", status: 500 }] });
      const item = await db.plaidItem.findFirstOrThrow({ where: { userId: user.id } });
      const { itemAccessToken } = await import("@/lib/secrets");
      const raw = await clients.plaid
        .accountsBalanceGet({ access_token: itemAccessToken(item) })
        .catch((e: { config?: { data?: string } }) => String(e.config?.data));
      expect(findSecrets(String(raw))).toHaveLength(1);
    } finally {
      await sandbox("faults/clear");
      output.restore();
    }
    const leaks = [...seen, output.text()].flatMap(findSecrets);
    expect(leaks).toEqual([]);
    await report("secrets-in-process", {
      calls: attempts,
      faultKinds: FAULTS.length,
      capturedOutputChars: output.text().length,
      leaks: leaks.length,
    });
  });

  it("stores tokens only as ciphertexts: no text or json column anywhere holds one", async () => {
    const client = new pg.Client({ connectionString: inject("databaseUrl") });
    await client.connect();
    try {
      const { rows: columns } = await client.query<{ table_name: string; column_name: string }>(
        `SELECT table_name, column_name FROM information_schema.columns
          WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY')`,
      );
      expect(columns.length).toBeGreaterThan(20);
      const pattern = secretPatterns()
        .map((re) => re.source)
        .join("|");
      const hits: string[] = [];
      for (const { table_name, column_name } of columns) {
        const { rows } = await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM "${table_name}" WHERE "${column_name}"::text ~ $1`,
          [pattern],
        );
        if (rows[0]!.n > 0) hits.push(`${table_name}.${column_name}: ${rows[0]!.n} rows`);
      }
      expect(hits).toEqual([]);
      // And the sealed columns really are filled (so the scan is not vacuous).
      const { rows: sealed } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM plaid_items WHERE access_token_ciphertext <> ''`,
      );
      expect(sealed[0]!.n).toBeGreaterThan(0);
      await report("secrets-database", { columnsScanned: columns.length, sealedAccessTokens: sealed[0]!.n, hits: hits.length });
    } finally {
      await client.end();
    }
  });
});
