import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { CSV_COLUMNS, exportPaymentsCsv, getAdminPaymentDetail, listAdminPayments } from "@/lib/admin/payments";
import { paymentFilterSchema } from "@/lib/admin/schemas";
import { isolatedDb, readAll, userWithBankAccount } from "../helpers/admin-support";
import { rejection } from "../helpers/app-error";

let db: Db;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await isolatedDb());
});
afterAll(() => close());

let seq = 0;
function payment(
  user: { id: string },
  bank: { id: string },
  data: Partial<{
    amountCents: number;
    status: "PENDING" | "PROCESSING" | "SUCCEEDED" | "FAILED" | "CANCELED";
    createdAt: Date;
    failureCode: string;
    failureMessage: string;
    stripePaymentIntentId: string;
  }> = {},
) {
  const requestId = randomUUID();
  return db.payment.create({
    data: { userId: user.id, bankAccountId: bank.id, amountCents: 1_000, requestId, idempotencyKey: `t:${requestId}:${seq++}`, ...data },
  });
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

describe("admin payments", () => {
  it("filters by status, user email, date range and amount, newest first with keyset pages", async () => {
    const { user, bank } = await userWithBankAccount(db, "filtered");
    const other = await userWithBankAccount(db, "other");
    const day = (d: string) => new Date(`${d}T12:00:00Z`);
    await payment(user, bank, { amountCents: 500, status: "SUCCEEDED", createdAt: day("2026-10-01") });
    await payment(user, bank, { amountCents: 2_500, status: "FAILED", createdAt: day("2026-10-02"), failureCode: "account_closed" });
    await payment(user, bank, { amountCents: 7_500, status: "SUCCEEDED", createdAt: day("2026-10-03") });
    await payment(other.user, other.bank, { amountCents: 2_500, status: "FAILED", createdAt: day("2026-10-02") });

    const q = (raw: Record<string, string>) => listAdminPayments(db, paymentFilterSchema.parse(raw));
    expect((await q({ email: user.email })).payments.map((p) => p.amountCents)).toEqual([7_500, 2_500, 500]);
    expect((await q({ email: user.email.toUpperCase(), status: "FAILED" })).payments).toMatchObject([
      { amountCents: 2_500, failureCode: "account_closed", bankLabel: "First Platypus Bank ····4321" },
    ]);
    expect((await q({ email: user.email, from: "2026-10-02", to: "2026-10-02" })).payments.map((p) => p.amountCents)).toEqual([2_500]);
    expect((await q({ email: user.email, minAmount: "10", maxAmount: "75.00" })).payments.map((p) => p.amountCents)).toEqual([
      7_500, 2_500,
    ]);
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
    const { user, bank } = await userWithBankAccount(db, "csv", "0042");
    const nasty = '=HYPERLINK("http://evil.example","click"), then\n"more"';
    await payment(user, bank, {
      amountCents: 1_234,
      status: "FAILED",
      failureCode: "debit_not_authorized",
      failureMessage: nasty,
      stripePaymentIntentId: `pi_${randomUUID()}`,
    });
    await payment(user, bank, { amountCents: 99, status: "SUCCEEDED" });
    for (let i = 0; i < 30; i++) await payment(user, bank, { amountCents: 100 + i, status: "PROCESSING" });

    const text = await readAll(exportPaymentsCsv(db, paymentFilterSchema.parse({ email: user.email }), { batchSize: 7 }));
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(1 + 32);
    expect(new Set(rows.slice(1).map((r) => r[0])).size).toBe(32);
    const failed = rows.find((r) => r[5] === "FAILED")!;
    expect(failed).toMatchObject({
      2: user.email,
      3: "12.34",
      4: "usd",
      6: "First Platypus Bank ····0042",
      9: "debit_not_authorized",
      10: "",
      11: `'${nasty}`,
    });
    expect(failed[7]).toMatch(/^pi_/);
    // No cell begins with a formula character once read back.
    for (const r of rows) for (const cell of r) expect(cell).not.toMatch(/^[=+@\t]/);

    const onlyFailed = parseCsv(await readAll(exportPaymentsCsv(db, paymentFilterSchema.parse({ email: user.email, status: "FAILED" }))));
    expect(onlyFailed).toHaveLength(2);
  });

  it("shows a payment's Stripe ids, webhook timeline, audit entries and failure reason", async () => {
    const { user, bank } = await userWithBankAccount(db, "detail");
    const pi = `pi_${randomUUID().replace(/-/g, "")}`;
    const ch = `py_${randomUUID().replace(/-/g, "")}`;
    const p = await payment(user, bank, {
      amountCents: 4_200,
      status: "FAILED",
      failureCode: "insufficient_funds",
      failureMessage: "Insufficient funds in the bank account.",
      stripePaymentIntentId: pi,
    });
    await db.payment.update({ where: { id: p.id }, data: { stripeChargeId: ch } });
    const t0 = Date.now();
    await db.stripeEvent.createMany({
      data: [
        {
          id: `evt_${randomUUID()}`,
          type: "payment_intent.processing",
          objectId: pi,
          payload: { data: { object: { id: pi, status: "processing" } } },
          receivedAt: new Date(t0 + 1_000),
        },
        {
          id: `evt_${randomUUID()}`,
          type: "charge.failed",
          objectId: ch,
          payload: {
            data: { object: { id: ch, status: "failed", failure_code: "insufficient_funds", failure_message: "Insufficient funds" } },
          },
          receivedAt: new Date(t0 + 2_000),
        },
        { id: `evt_${randomUUID()}`, type: "charge.succeeded", objectId: "py_someone_else", payload: {}, receivedAt: new Date(t0 + 3_000) },
      ],
    });
    await db.auditLog.create({
      data: {
        actorId: user.id,
        action: "payment.created",
        targetType: "payment",
        targetId: p.id,
        metadata: { amountCents: 4_200 },
        createdAt: new Date(t0 + 500),
      },
    });

    const detail = await getAdminPaymentDetail(db, p.id);
    expect(detail.payment).toMatchObject({
      stripePaymentIntentId: pi,
      stripeChargeId: ch,
      failureCode: "insufficient_funds",
      failureMessage: "Insufficient funds in the bank account.",
      userEmail: user.email,
      credited: false,
    });
    expect(detail.stripeEvents.map((e) => e.type)).toEqual(["payment_intent.processing", "charge.failed"]);
    expect(detail.stripeEvents[1]!.detail).toBe("status failed, failure insufficient_funds: Insufficient funds");
    expect(detail.audit.map((a) => a.action)).toEqual(["payment.created"]);
    expect(detail.timeline.map((t) => t.label)).toEqual([
      "payment row written",
      "payment.created",
      "payment_intent.processing",
      "charge.failed",
    ]);
    expect(await rejection(getAdminPaymentDetail(db, "missing"))).toMatchObject({ status: 404 });
  });
});
