import type { Db, Prisma } from "@/lib/db";
import type { ItemStatus } from "@/lib/generated/prisma/enums";
import { recordAudit } from "@/lib/audit";
import { logger } from "@/lib/log";
import { refreshStripeBankAccount, type RefreshDeps, type RefreshResult } from "./refresh-bank-account";

/** The fields of a (verified) Plaid webhook this module reads. */
export interface PlaidWebhookPayload {
  webhook_type: string;
  webhook_code: string;
  item_id?: string | null;
  error?: { error_code?: string | null; error_type?: string | null } | null;
  account_id?: string | null;
  account_ids_with_new_auth?: string[] | null;
  account_ids_with_updated_auth?: Record<string, string[]> | null;
  [key: string]: unknown;
}

export interface ItemWebhookResult {
  outcome: "unknown_item" | "changed" | "unchanged" | "recorded" | "ignored";
  itemId?: string;
  status?: ItemStatus;
  refresh?: RefreshResult[];
}

type Tx = Prisma.TransactionClient;

/** Items that no webhook brings back: removed by the user, or access revoked at the bank. */
const FINAL: ItemStatus[] = ["REMOVED", "REVOKED"];

/**
 * Acts on a verified Plaid webhook for an item: moves PlaidItem.status (with
 * an audit entry per change) or, for AUTH DEFAULT_UPDATE, refreshes the
 * Stripe bank account. Statuses only move along these edges:
 *
 * - ITEM ERROR (ITEM_LOGIN_REQUIRED)            → LOGIN_REQUIRED (+ errorCode)
 * - ITEM ERROR (other codes)                     → errorCode recorded
 * - ITEM LOGIN_REPAIRED                          → ACTIVE (from LOGIN_REQUIRED / PENDING_DISCONNECT)
 * - ITEM PENDING_DISCONNECT / PENDING_EXPIRATION → PENDING_DISCONNECT (from ACTIVE)
 * - ITEM USER_PERMISSION_REVOKED / USER_ACCOUNT_REVOKED → REVOKED
 * - ITEM NEW_ACCOUNTS_AVAILABLE, WEBHOOK_UPDATE_ACKNOWLEDGED → audit entry only
 *
 * REMOVED and REVOKED items never change (a late ERROR must not resurrect a
 * removed item). A LINKING item (not attached at Stripe yet) is not made
 * ACTIVE by LOGIN_REPAIRED: the link flow does that.
 */
export async function applyItemWebhook(db: Db, payload: PlaidWebhookPayload, deps: RefreshDeps = {}): Promise<ItemWebhookResult> {
  const plaidItemId = payload.item_id;
  if (!plaidItemId) return { outcome: "ignored" };
  const item = await db.plaidItem.findUnique({ where: { plaidItemId } });
  if (!item) {
    logger.info({ plaidItemId, webhook: `${payload.webhook_type}:${payload.webhook_code}` }, "plaid webhook for an unknown item");
    return { outcome: "unknown_item" };
  }
  const webhook = `${payload.webhook_type}:${payload.webhook_code}`;
  const errorCode = payload.error?.error_code ?? null;

  switch (webhook) {
    case "ITEM:ERROR":
      if (errorCode === "ITEM_LOGIN_REQUIRED") {
        return transition(db, item.id, { from: notIn(FINAL), to: "LOGIN_REQUIRED", errorCode, action: "item.login_required", webhook });
      }
      return recordError(db, item.id, errorCode, webhook);
    case "ITEM:LOGIN_REPAIRED":
      return transition(db, item.id, { from: ["LOGIN_REQUIRED", "PENDING_DISCONNECT"], to: "ACTIVE", errorCode: null, action: "item.login_repaired", webhook });
    case "ITEM:PENDING_DISCONNECT":
    case "ITEM:PENDING_EXPIRATION":
      return transition(db, item.id, { from: ["ACTIVE"], to: "PENDING_DISCONNECT", errorCode: item.errorCode, action: "item.pending_disconnect", webhook });
    case "ITEM:USER_PERMISSION_REVOKED":
    case "ITEM:USER_ACCOUNT_REVOKED":
      return transition(db, item.id, {
        from: notIn(["REMOVED", "REVOKED"]),
        to: "REVOKED",
        errorCode: errorCode ?? payload.webhook_code,
        action: "item.revoked",
        webhook,
        extra: payload.account_id ? { plaidAccountId: payload.account_id } : {},
      });
    case "ITEM:NEW_ACCOUNTS_AVAILABLE":
    case "ITEM:WEBHOOK_UPDATE_ACKNOWLEDGED":
      await recordAudit(db, { actorId: null, action: `item.${payload.webhook_code.toLowerCase()}`, targetType: "plaid_item", targetId: item.id, metadata: { webhook } });
      return { outcome: "recorded", itemId: item.id, status: item.status };
    case "AUTH:DEFAULT_UPDATE": {
      if (FINAL.includes(item.status)) return { outcome: "unchanged", itemId: item.id, status: item.status };
      // Only the accounts Plaid names (when it names any); otherwise every active account of the item.
      const named = [...(payload.account_ids_with_new_auth ?? []), ...Object.keys(payload.account_ids_with_updated_auth ?? {})];
      const refresh = await refreshStripeBankAccount(db, item, { ...deps, plaidAccountIds: named.length > 0 ? named : null, reason: "auth_default_update" });
      return { outcome: refresh.some((r) => r.outcome === "refreshed") ? "changed" : "unchanged", itemId: item.id, status: item.status, refresh };
    }
    default:
      logger.info({ plaidItemId, webhook }, "plaid webhook not acted on");
      return { outcome: "ignored", itemId: item.id, status: item.status };
  }
}

const ALL: ItemStatus[] = ["LINKING", "ACTIVE", "LOGIN_REQUIRED", "PENDING_DISCONNECT", "REVOKED", "REMOVED"];
function notIn(excluded: ItemStatus[]): ItemStatus[] {
  return ALL.filter((s) => !excluded.includes(s));
}

async function transition(
  db: Db,
  itemId: string,
  t: { from: ItemStatus[]; to: ItemStatus; errorCode: string | null; action: string; webhook: string; extra?: Prisma.InputJsonObject },
): Promise<ItemWebhookResult> {
  return db.$transaction(async (tx: Tx) => {
    const [locked] = await tx.$queryRaw<{ status: ItemStatus }[]>`SELECT "status" FROM "plaid_items" WHERE "id" = ${itemId} FOR UPDATE`;
    if (!locked) return { outcome: "unknown_item" as const };
    if (locked.status === t.to || !t.from.includes(locked.status)) return { outcome: "unchanged" as const, itemId, status: locked.status };
    await tx.plaidItem.update({ where: { id: itemId }, data: { status: t.to, errorCode: t.errorCode } });
    await recordAudit(tx, {
      actorId: null,
      action: t.action,
      targetType: "plaid_item",
      targetId: itemId,
      metadata: { from: locked.status, to: t.to, webhook: t.webhook, ...(t.errorCode ? { errorCode: t.errorCode } : {}), ...t.extra },
    });
    return { outcome: "changed" as const, itemId, status: t.to };
  });
}

async function recordError(db: Db, itemId: string, errorCode: string | null, webhook: string): Promise<ItemWebhookResult> {
  return db.$transaction(async (tx: Tx) => {
    const item = await tx.plaidItem.update({ where: { id: itemId }, data: { errorCode } });
    await recordAudit(tx, { actorId: null, action: "item.error", targetType: "plaid_item", targetId: itemId, metadata: { webhook, ...(errorCode ? { errorCode } : {}) } });
    return { outcome: "recorded" as const, itemId, status: item.status };
  });
}
