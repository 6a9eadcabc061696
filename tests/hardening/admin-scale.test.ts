import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { exportPaymentsCsv, listAdminPayments } from "@/lib/admin/payments";
import { paymentFilterSchema } from "@/lib/admin/schemas";
import { getAdminOverview } from "@/lib/admin/overview";
import { isolatedDb, readAll, userWithBankAccount } from "../helpers/admin-support";

/**
 * The admin console at scale: 100,000 payments in a database of its own.
 * A page, a filtered page, a deep page, the overview and the CSV export stay
 * within their time bounds (keyset pages, streamed export).
 */
let db: Db;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await isolatedDb());
});
afterAll(() => close());

describe("admin console at scale", () => {
  it("stays fast with 100,000 payments: a page, a filtered page, a deep page and the export", async () => {
    const { user, bank } = await userWithBankAccount(db, "bulk");
    // One statement, as production would hold them: spread over 90 days, mixed statuses and amounts.
    await db.$executeRawUnsafe(
      `
      INSERT INTO "payments" ("id", "user_id", "bank_account_id", "amount_cents", "status", "request_id", "idempotency_key", "failure_code", "created_at", "updated_at")
      SELECT 'bulk_' || g, $1, $2, 100 + (g * 37) % 50000,
             (ARRAY['SUCCEEDED','SUCCEEDED','SUCCEEDED','FAILED','PROCESSING','CANCELED'])[1 + g % 6]::"PaymentStatus",
             'bulk-req-' || g, 'bulk-key-' || g,
             CASE WHEN g % 6 = 3 THEN 'account_closed' END,
             now() - (g * interval '77 seconds'), now()
      FROM generate_series(1, 100000) AS g`,
      user.id,
      bank.id,
    );
    await db.$executeRawUnsafe(`ANALYZE "payments"`);
    expect(await db.payment.count({ where: { userId: user.id } })).toBe(100_000);

    const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
      await fn(); // warm: first use of a query plan / connection
      const start = performance.now();
      const result = await fn();
      return [result, performance.now() - start];
    };
    const [firstPage, t1] = await timed(() => listAdminPayments(db, paymentFilterSchema.parse({})));
    expect(firstPage.payments).toHaveLength(25);
    expect(t1).toBeLessThan(300);

    const [failedPage, t2] = await timed(() =>
      listAdminPayments(db, paymentFilterSchema.parse({ status: "FAILED", email: user.email, minAmount: "100", maxAmount: "300" })),
    );
    expect(failedPage.payments.length).toBeGreaterThan(0);
    expect(failedPage.payments.every((p) => p.status === "FAILED" && p.amountCents >= 10_000 && p.amountCents <= 30_000)).toBe(true);
    expect(t2).toBeLessThan(300);

    // Deep in the list: keyset, so page 1,000 costs what page 1 costs.
    let cursor: string | null = null;
    const deep = await db.payment.findFirstOrThrow({
      where: { userId: user.id },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      skip: 500,
    });
    cursor = Buffer.from(`${deep.createdAt.toISOString()}|${deep.id}`).toString("base64url");
    const [deepPage, t3] = await timed(() => listAdminPayments(db, paymentFilterSchema.parse({ cursor: cursor! })));
    expect(deepPage.payments).toHaveLength(25);
    expect(t3).toBeLessThan(300);

    const start = performance.now();
    const csv = await readAll(exportPaymentsCsv(db, paymentFilterSchema.parse({ status: "FAILED", email: user.email })));
    const exportMs = performance.now() - start;
    const failedCount = await db.payment.count({ where: { userId: user.id, status: "FAILED" } });
    expect(failedCount).toBe(16_667);
    expect(csv.split("\r\n").filter(Boolean)).toHaveLength(1 + failedCount);
    expect(exportMs).toBeLessThan(15_000);
    const allStart = performance.now();
    const all = await readAll(exportPaymentsCsv(db, paymentFilterSchema.parse({})));
    const allMs = performance.now() - allStart;
    expect(all.split("\r\n").filter(Boolean).length).toBeGreaterThanOrEqual(1 + 100_000);
    expect(allMs).toBeLessThan(30_000);

    const [overview, t4] = await timed(() => getAdminOverview(db));
    expect(overview.paymentsByStatus.FAILED).toBeGreaterThanOrEqual(16_667);
    expect(t4).toBeLessThan(1_000);
    console.info(`[admin perf] full export ${allMs.toFixed(0)} ms, overview ${t4.toFixed(0)} ms`);
    console.info(
      `[admin perf] page ${t1.toFixed(0)} ms, filtered ${t2.toFixed(0)} ms, deep ${t3.toFixed(0)} ms, export of ${failedCount} rows ${exportMs.toFixed(0)} ms`,
    );
  }, 120_000);
});
