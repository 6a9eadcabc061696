import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../lib/db";
import { csvCell, csvRow } from "../../lib/admin/csv";
import { CSV_COLUMNS, exportPaymentsCsv, getAdminPaymentDetail, listAdminPayments, paymentFilterSchema } from "../../lib/admin/payments";
import { getAdminOverview } from "../../lib/admin/overview";
import { uniqueEmail } from "../helpers/db";
import { isolatedDb } from "./admin-support";

let db: Db;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await isolatedDb());
});
afterAll(() => close());

/** A user with one (already linked) bank account, written directly: the list and export only read rows. */
async function userWithAccount(label = "payer", mask = "4321") {
  const user = await db.user.create({ data: { email: uniqueEmail(label), name: "Pay Er" } });
  const item = await db.plaidItem.create({ data: { id: randomUUID(), userId: user.id, plaidItemId: randomUUID(), accessTokenCiphertext: "v1.test.unused", institutionName: "First Platypus Bank", status: "ACTIVE" } });
  const bank = await db.bankAccount.create({
    data: { userId: user.id, itemId: item.id, plaidAccountId: randomUUID(), name: "Checking", mask, type: "depository", subtype: "checking", institutionName: "First Platypus Bank", status: "ACTIVE" },
  });
  return { user, bank };
}

let seq = 0;
function payment(user: { id: string }, bank: { id: string }, data: Partial<{ amountCents: number; status: "PENDING" | "PROCESSING" | "SUCCEEDED" | "FAILED" | "CANCELED"; createdAt: Date; failureCode: string; failureMessage: string; stripePaymentIntentId: string }> = {}) {
  const requestId = randomUUID();
  return db.payment.create({ data: { userId: user.id, bankAccountId: bank.id, amountCents: 1_000, requestId, idempotencyKey: `t:${requestId}:${seq++}`, ...data } });
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

/** A small RFC 4180 parser, to check the CSV reads back to the same values. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += c;
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

describe("CSV cells", () => {
  it("quotes commas, quotes and line breaks, and defuses formulas", () => {
    expect(csvCell('a "quoted", text')).toBe('"a ""quoted"", text"');
    expect(csvCell("line\nbreak")).toBe('"line\nbreak"');
    expect(csvCell("=HYPERLINK(\"http://x\")")).toBe(`"'=HYPERLINK(""http://x"")"`);
    for (const lead of ["=", "+", "-", "@", "\t"]) expect(csvCell(`${lead}1+1`).replace(/^"/, "")).toMatch(/^'/);
    expect(csvCell(-5)).toBe("-5");
    expect(csvCell(null)).toBe("");
    expect(csvRow(["a", 1, null])).toBe("a,1,\r\n");
  });
});

describe("admin payments", () => {
  it("filters by status, user email, date range and amount, newest first with keyset pages", async () => {
    const { user, bank } = await userWithAccount("filtered");
    const other = await userWithAccount("other");
    const day = (d: string) => new Date(`${d}T12:00:00Z`);
    await payment(user, bank, { amountCents: 500, status: "SUCCEEDED", createdAt: day("2026-10-01") });
    await payment(user, bank, { amountCents: 2_500, status: "FAILED", createdAt: day("2026-10-02"), failureCode: "account_closed" });
    await payment(user, bank, { amountCents: 7_500, status: "SUCCEEDED", createdAt: day("2026-10-03") });
    await payment(other.user, other.bank, { amountCents: 2_500, status: "FAILED", createdAt: day("2026-10-02") });

    const q = (raw: Record<string, string>) => listAdminPayments(db, paymentFilterSchema.parse(raw));
    expect((await q({ email: user.email })).payments.map((p) => p.amountCents)).toEqual([7_500, 2_500, 500]);
    expect((await q({ email: user.email.toUpperCase(), status: "FAILED" })).payments).toMatchObject([{ amountCents: 2_500, failureCode: "account_closed", bankLabel: "First Platypus Bank ····4321" }]);
    expect((await q({ email: user.email, from: "2026-10-02", to: "2026-10-02" })).payments.map((p) => p.amountCents)).toEqual([2_500]);
    expect((await q({ email: user.email, minAmount: "10", maxAmount: "75.00" })).payments.map((p) => p.amountCents)).toEqual([7_500, 2_500]);
    expect((await q({ email: "nobody-at-all@example.test" })).payments).toEqual([]);
    expect(paymentFilterSchema.safeParse({ minAmount: "ten" }).success).toBe(false);
    expect(paymentFilterSchema.safeParse({ from: "2026-13-45" }).success).toBe(false);
    expect(paymentFilterSchema.parse({ status: "", email: " " })).toEqual({});

    const first = await listAdminPayments(db, paymentFilterSchema.parse({ email: user.email }), 2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await listAdminPayments(db, paymentFilterSchema.parse({ email: user.email, cursor: first.nextCursor! }), 2);
    expect([...first.payments, ...second.payments].map((p) => p.amountCents)).toEqual([7_500, 2_500, 500]);
    expect(second.nextCursor).toBeNull();
  });

  it("exports the filtered list as CSV: every row, escaped, formula-safe", async () => {
    const { user, bank } = await userWithAccount("csv", "0042");
    const nasty = '=HYPERLINK("http://evil.example","click"), then\n"more"';
    await payment(user, bank, { amountCents: 1_234, status: "FAILED", failureCode: "debit_not_authorized", failureMessage: nasty, stripePaymentIntentId: `pi_${randomUUID()}` });
    await payment(user, bank, { amountCents: 99, status: "SUCCEEDED" });
    for (let i = 0; i < 30; i++) await payment(user, bank, { amountCents: 100 + i, status: "PROCESSING" });

    const text = await readAll(exportPaymentsCsv(db, paymentFilterSchema.parse({ email: user.email }), { batchSize: 7 }));
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(1 + 32);
    expect(new Set(rows.slice(1).map((r) => r[0])).size).toBe(32);
    const failed = rows.find((r) => r[5] === "FAILED")!;
    expect(failed).toMatchObject({ 2: user.email, 3: "12.34", 4: "usd", 6: "First Platypus Bank ····0042", 9: "debit_not_authorized", 10: `'${nasty}` });
    expect(failed[7]).toMatch(/^pi_/);
    // No cell begins with a formula character once read back.
    for (const r of rows) for (const cell of r) expect(cell).not.toMatch(/^[=+@\t]/);

    const onlyFailed = parseCsv(await readAll(exportPaymentsCsv(db, paymentFilterSchema.parse({ email: user.email, status: "FAILED" }))));
    expect(onlyFailed).toHaveLength(2);
  });

  it("shows a payment's Stripe ids, webhook timeline, audit entries and failure reason", async () => {
    const { user, bank } = await userWithAccount("detail");
    const pi = `pi_${randomUUID().replace(/-/g, "")}`;
    const ch = `py_${randomUUID().replace(/-/g, "")}`;
    const p = await payment(user, bank, { amountCents: 4_200, status: "FAILED", failureCode: "insufficient_funds", failureMessage: "Insufficient funds in the bank account.", stripePaymentIntentId: pi });
    await db.payment.update({ where: { id: p.id }, data: { stripeChargeId: ch } });
    const t0 = Date.now();
    await db.stripeEvent.createMany({
      data: [
        { id: `evt_${randomUUID()}`, type: "payment_intent.processing", objectId: pi, payload: { data: { object: { id: pi, status: "processing" } } }, receivedAt: new Date(t0 + 1_000) },
        { id: `evt_${randomUUID()}`, type: "charge.failed", objectId: ch, payload: { data: { object: { id: ch, status: "failed", failure_code: "insufficient_funds", failure_message: "Insufficient funds" } } }, receivedAt: new Date(t0 + 2_000) },
        { id: `evt_${randomUUID()}`, type: "charge.succeeded", objectId: "py_someone_else", payload: {}, receivedAt: new Date(t0 + 3_000) },
      ],
    });
    await db.auditLog.create({ data: { actorId: user.id, action: "payment.created", targetType: "payment", targetId: p.id, metadata: { amountCents: 4_200 }, createdAt: new Date(t0 + 500) } });

    const detail = await getAdminPaymentDetail(db, p.id);
    expect(detail.payment).toMatchObject({ stripePaymentIntentId: pi, stripeChargeId: ch, failureCode: "insufficient_funds", failureMessage: "Insufficient funds in the bank account.", userEmail: user.email, credited: false });
    expect(detail.stripeEvents.map((e) => e.type)).toEqual(["payment_intent.processing", "charge.failed"]);
    expect(detail.stripeEvents[1]!.detail).toBe("status failed, failure insufficient_funds: Insufficient funds");
    expect(detail.audit.map((a) => a.action)).toEqual(["payment.created"]);
    expect(detail.timeline.map((t) => t.label)).toEqual(["payment row written", "payment.created", "payment_intent.processing", "charge.failed"]);
    await expect(getAdminPaymentDetail(db, "missing")).rejects.toMatchObject({ status: 404 });
  });

  it("stays fast with 100,000 payments: a page, a filtered page, a deep page and the export", async () => {
    const { user, bank } = await userWithAccount("bulk");
    // One statement, as production would hold them: spread over 90 days, mixed statuses and amounts.
    await db.$executeRawUnsafe(`
      INSERT INTO "payments" ("id", "user_id", "bank_account_id", "amount_cents", "status", "request_id", "idempotency_key", "failure_code", "created_at", "updated_at")
      SELECT 'bulk_' || g, $1, $2, 100 + (g * 37) % 50000,
             (ARRAY['SUCCEEDED','SUCCEEDED','SUCCEEDED','FAILED','PROCESSING','CANCELED'])[1 + g % 6]::"PaymentStatus",
             'bulk-req-' || g, 'bulk-key-' || g,
             CASE WHEN g % 6 = 3 THEN 'account_closed' END,
             now() - (g * interval '77 seconds'), now()
      FROM generate_series(1, 100000) AS g`, user.id, bank.id);
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

    const [failedPage, t2] = await timed(() => listAdminPayments(db, paymentFilterSchema.parse({ status: "FAILED", email: user.email, minAmount: "100", maxAmount: "300" })));
    expect(failedPage.payments.length).toBeGreaterThan(0);
    expect(failedPage.payments.every((p) => p.status === "FAILED" && p.amountCents >= 10_000 && p.amountCents <= 30_000)).toBe(true);
    expect(t2).toBeLessThan(300);

    // Deep in the list: keyset, so page 1,000 costs what page 1 costs.
    let cursor: string | null = null;
    const deep = await db.payment.findFirstOrThrow({ where: { userId: user.id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], skip: 500 });
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
    console.info(`[admin perf] page ${t1.toFixed(0)} ms, filtered ${t2.toFixed(0)} ms, deep ${t3.toFixed(0)} ms, export of ${failedCount} rows ${exportMs.toFixed(0)} ms`);
  }, 120_000);
});
