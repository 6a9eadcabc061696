import "server-only";
import type { Db, Prisma } from "@/lib/db";
import type { ItemStatus } from "@/lib/generated/prisma/enums";
import { recordAudit } from "@/lib/audit";
import { logger } from "@/lib/log";
import { moveItemStatus, type ItemMoveOptions } from "@/lib/plaid/item-state";
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
 * Acts on a verified Plaid webhook for an item: moves PlaidItem.status
 * through the item state machine (lib/plaid/item-state.ts, which holds
 * the allowed edges and writes the audit entry) or, for AUTH DEFAULT_UPDATE,
 * refreshes the Stripe bank account.
 *
 * - ITEM ERROR (ITEM_LOGIN_REQUIRED)            → LOGIN_REQUIRED (+ errorCode)
 * - ITEM ERROR (other codes)                     → errorCode recorded
 * - ITEM LOGIN_REPAIRED                          → ACTIVE
 * - ITEM PENDING_DISCONNECT / PENDING_EXPIRATION → PENDING_DISCONNECT
 * - ITEM USER_PERMISSION_REVOKED / USER_ACCOUNT_REVOKED → REVOKED
 * - ITEM NEW_ACCOUNTS_AVAILABLE, WEBHOOK_UPDATE_ACKNOWLEDGED → audit entry only
 *
 * A move the state machine refuses (a late ERROR for a removed item, …) is
 * answered "unchanged".
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
        return move(db, item.id, "LOGIN_REQUIRED", { cause: "login_required", errorCode, metadata: { webhook } });
      }
      return recordError(db, item.id, errorCode, webhook);
    case "ITEM:LOGIN_REPAIRED":
      return move(db, item.id, "ACTIVE", { cause: "login_repaired", errorCode: null, metadata: { webhook } });
    case "ITEM:PENDING_DISCONNECT":
    case "ITEM:PENDING_EXPIRATION":
      return move(db, item.id, "PENDING_DISCONNECT", { cause: "pending_disconnect", metadata: { webhook } });
    case "ITEM:USER_PERMISSION_REVOKED":
    case "ITEM:USER_ACCOUNT_REVOKED":
      return move(db, item.id, "REVOKED", {
        cause: "revoked",
        errorCode: errorCode ?? payload.webhook_code,
        metadata: { webhook, ...(payload.account_id ? { plaidAccountId: payload.account_id } : {}) },
      });
    case "ITEM:NEW_ACCOUNTS_AVAILABLE":
    case "ITEM:WEBHOOK_UPDATE_ACKNOWLEDGED":
      await recordAudit(db, {
        actorId: null,
        action: `item.${payload.webhook_code.toLowerCase()}`,
        targetType: "plaid_item",
        targetId: item.id,
        metadata: { webhook },
      });
      return { outcome: "recorded", itemId: item.id, status: item.status };
    case "AUTH:DEFAULT_UPDATE": {
      if (FINAL.includes(item.status)) return { outcome: "unchanged", itemId: item.id, status: item.status };
      // Only the accounts Plaid names (when it names any); otherwise every active account of the item.
      const named = [...(payload.account_ids_with_new_auth ?? []), ...Object.keys(payload.account_ids_with_updated_auth ?? {})];
      const refresh = await refreshStripeBankAccount(db, item, {
        ...deps,
        plaidAccountIds: named.length > 0 ? named : null,
        reason: "auth_default_update",
      });
      return {
        outcome: refresh.some((r) => r.outcome === "refreshed") ? "changed" : "unchanged",
        itemId: item.id,
        status: item.status,
        refresh,
      };
    }
    default:
      logger.info({ plaidItemId, webhook }, "plaid webhook not acted on");
      return { outcome: "ignored", itemId: item.id, status: item.status };
  }
}

/** A webhook's status move, as the webhook result reports it. */
async function move<To extends ItemStatus>(db: Db, itemId: string, to: To, options: ItemMoveOptions<To>): Promise<ItemWebhookResult> {
  const moved = await moveItemStatus(db, itemId, to, options);
  switch (moved.outcome) {
    case "moved":
      return { outcome: "changed", itemId, status: moved.to };
    case "missing":
      return { outcome: "unknown_item" };
    default:
      return { outcome: "unchanged", itemId, status: moved.status };
  }
}

async function recordError(db: Db, itemId: string, errorCode: string | null, webhook: string): Promise<ItemWebhookResult> {
  return db.$transaction(async (tx: Tx) => {
    const item = await tx.plaidItem.update({ where: { id: itemId }, data: { errorCode } });
    await recordAudit(tx, {
      actorId: null,
      action: "item.error",
      targetType: "plaid_item",
      targetId: itemId,
      metadata: { webhook, ...(errorCode ? { errorCode } : {}) },
    });
    return { outcome: "recorded" as const, itemId, status: item.status };
  });
}
