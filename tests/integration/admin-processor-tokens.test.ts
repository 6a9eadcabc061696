import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { bankingDeps } from "@/lib/banking/deps";
import { linkBankAccount } from "@/lib/banking/link-account";
import {
  createProcessorToken,
  createProcessorTokenSchema,
  getProcessorTokenPermissions,
  listProcessorTokens,
  setPermissionsSchema,
  setProcessorTokenPermissions,
  truncateToken,
} from "@/lib/admin/processor-tokens";
import { removeAccountAsAdmin } from "@/lib/admin/review";
import { ENCRYPTED_COLUMNS, openProcessorToken, openSecret } from "@/lib/secrets";
import { uniqueEmail } from "../helpers/db";
import { linkResult, sandboxControl } from "../helpers/sandbox";
import { isolatedDb } from "../helpers/admin-support";
import { rejection } from "../helpers/app-error";

let db: Db;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await isolatedDb());
});
afterAll(() => close());
const deps = () => ({ ...bankingDeps(), db });

async function linked() {
  const admin = await db.user.create({ data: { email: uniqueEmail("admin"), role: "ADMIN" } });
  const user = await db.user.create({ data: { email: uniqueEmail("partnered"), name: "Par Tner", emailVerified: new Date() } });
  const bank = await linkBankAccount(deps(), user, (await linkResult()).input());
  return { admin, user, bank };
}

describe("processor tokens", () => {
  it("creates a token at Plaid, stores it sealed and shows it truncated; the call is audited", async () => {
    const { admin, bank } = await linked();
    const view = await createProcessorToken(deps(), { id: admin.id, ip: "203.0.113.1" }, bank.id, "dwolla");
    expect(view).toMatchObject({ bankAccountId: bank.id, processor: "dwolla", createdById: admin.id });
    expect(view.tokenHint).toMatch(/^processor-sandbox-…[0-9a-f]{4}$/);

    const row = await db.processorToken.findUniqueOrThrow({ where: { id: view.id } });
    expect(row.tokenCiphertext).toMatch(/^v1\./);
    expect(row.tokenCiphertext).not.toContain("processor-sandbox");
    const token = openProcessorToken(row);
    // The stored context is fixed: changing it would make every stored token unreadable.
    expect(openSecret(row.tokenCiphertext, `processor_tokens.token:${row.id}`)).toBe(token);
    expect(token).toMatch(/^processor-sandbox-[0-9a-f-]{36}$/);
    expect(truncateToken(token)).toBe(view.tokenHint);
    expect(JSON.stringify(await listProcessorTokens(db, bank.id))).not.toContain(token);

    // The sandbox holds the token for this account and processor.
    const state = await fetch(`${process.env.SANDBOX_URL}/__sandbox/state`).then(
      (r) => r.json() as Promise<{ counts: Record<string, number> }>,
    );
    expect(state.counts.plaid_processor_tokens).toBeGreaterThan(0);

    // Key rotation knows the new secret column, with the same AAD.
    const column = ENCRYPTED_COLUMNS.find((c) => c.table === "processor_tokens");
    expect(column).toMatchObject({ idColumn: "id", column: "token_ciphertext" });
    expect(column!.aad(row.id)).toBe(`processor_tokens.token:${row.id}`);

    expect(await db.auditLog.findFirst({ where: { action: "admin.processor_token.created", targetId: bank.id } })).toMatchObject({
      actorId: admin.id,
      ip: "203.0.113.1",
      metadata: { processorTokenId: view.id, processor: "dwolla" },
    });
  });

  it("reads and sets the token's product permissions", async () => {
    const { admin, bank } = await linked();
    const { id } = await createProcessorToken(deps(), { id: admin.id }, bank.id, "modern_treasury");
    expect(await getProcessorTokenPermissions(deps(), id)).toEqual({ products: [] });
    expect(await setProcessorTokenPermissions(deps(), { id: admin.id }, id, ["auth", "balance"])).toEqual({
      products: ["auth", "balance"],
    });
    expect(await getProcessorTokenPermissions(deps(), id)).toEqual({ products: ["auth", "balance"] });
    expect(await db.auditLog.findFirst({ where: { action: "admin.processor_token.permissions_set", targetId: bank.id } })).toMatchObject({
      metadata: { processorTokenId: id, products: ["auth", "balance"] },
    });
  });

  it("validates the processor and products against Plaid's enums, and answers Plaid errors and missing rows", async () => {
    expect(createProcessorTokenSchema.safeParse({ processor: "dwolla" }).success).toBe(true);
    expect(createProcessorTokenSchema.safeParse({ processor: "not-a-processor" }).success).toBe(false);
    expect(setPermissionsSchema.safeParse({ products: ["auth", "identity"] }).success).toBe(true);
    expect(setPermissionsSchema.safeParse({ products: ["teleport"] }).success).toBe(false);

    const { admin, bank } = await linked();
    expect(await rejection(createProcessorToken(deps(), { id: admin.id }, "missing", "dwolla"))).toMatchObject({ status: 404 });
    expect(await rejection(getProcessorTokenPermissions(deps(), "missing"))).toMatchObject({ status: 404 });

    await sandboxControl("faults", { rules: [{ route: "/processor/token/create", status: 500, times: 1 }] });
    try {
      expect(await rejection(createProcessorToken(deps(), { id: admin.id }, bank.id, "dwolla"))).toMatchObject({ status: 502 });
    } finally {
      await sandboxControl("faults/clear");
    }
    expect(await db.processorToken.count({ where: { bankAccountId: bank.id } })).toBe(0);

    // Once the item is removed, Plaid drops its processor tokens.
    const { id } = await createProcessorToken(deps(), { id: admin.id }, bank.id, "dwolla");
    await removeAccountAsAdmin(deps(), { id: admin.id }, bank.id);
    expect(await rejection(getProcessorTokenPermissions(deps(), id))).toMatchObject({ code: "INVALID_PROCESSOR_TOKEN" });
    expect(await rejection(createProcessorToken(deps(), { id: admin.id }, bank.id, "dwolla"))).toMatchObject({ status: 404 });
  });
});
