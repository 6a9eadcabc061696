import "server-only";
import type { Db, Prisma } from "@/lib/db";
import type { ItemStatus } from "@/lib/generated/prisma/enums";
import { recordAudit } from "@/lib/audit";
import { logger } from "@/lib/log";

/**
 * The Plaid item state machine. Every write of PlaidItem.status goes through
 * `moveItemStatus`, which allows only the edges below and records each move
 * in the audit log.
 *
 * For each target status: the causes that may move an item there, each with
 * the statuses it may move it from and the audit action it records. Nothing
 * moves an item back to LINKING (its first status) or out of REMOVED; REVOKED
 * only leads to REMOVED (Plaid's access is gone: reconnecting cannot restore
 * it, the user links the bank again).
 */
export const ITEM_TRANSITIONS = {
  LINKING: {},
  ACTIVE: {
    /** The link flow attached the bank account at Stripe. A webhook may have moved the item on meanwhile: that status stands. */
    link_completed: { from: ["LINKING"], audit: "item.activated" },
    /** Plaid's ITEM LOGIN_REPAIRED webhook. A LINKING item is left to the link flow. */
    login_repaired: { from: ["LOGIN_REQUIRED", "PENDING_DISCONNECT"], audit: "item.login_repaired" },
    /** The user finished Link's update mode and Plaid reports the item healthy (POST /api/plaid/items/:id/reconnected). */
    reconnected: { from: ["LOGIN_REQUIRED", "PENDING_DISCONNECT"], audit: "item.reconnected" },
  },
  LOGIN_REQUIRED: {
    /** Plaid's ITEM ERROR webhook with ITEM_LOGIN_REQUIRED. */
    login_required: { from: ["LINKING", "ACTIVE", "PENDING_DISCONNECT"], audit: "item.login_required" },
    /** The live balance check before a debit got ITEM_LOGIN_REQUIRED from Plaid. */
    balance_check: { from: ["LINKING", "ACTIVE", "PENDING_DISCONNECT"], audit: "item.login_required" },
  },
  PENDING_DISCONNECT: {
    /** Plaid's ITEM PENDING_DISCONNECT / PENDING_EXPIRATION webhooks. */
    pending_disconnect: { from: ["ACTIVE"], audit: "item.pending_disconnect" },
  },
  REVOKED: {
    /** Plaid's ITEM USER_PERMISSION_REVOKED / USER_ACCOUNT_REVOKED webhooks. */
    revoked: { from: ["LINKING", "ACTIVE", "LOGIN_REQUIRED", "PENDING_DISCONNECT"], audit: "item.revoked" },
  },
  REMOVED: {
    /** The user (or an admin) removed the item's last bank account; /item/remove was called. */
    removed: { from: ["LINKING", "ACTIVE", "LOGIN_REQUIRED", "PENDING_DISCONNECT", "REVOKED"], audit: "item.removed" },
    /** A link failed for good and the item was removed at Plaid. */
    link_failed: { from: ["LINKING", "ACTIVE", "LOGIN_REQUIRED", "PENDING_DISCONNECT", "REVOKED"], audit: "item.removed" },
  },
} as const satisfies Record<ItemStatus, Record<string, { from: readonly ItemStatus[]; audit: string }>>;

type Transitions = typeof ITEM_TRANSITIONS;
/** The causes that may move an item to `To`. */
export type ItemMoveCause<To extends ItemStatus = ItemStatus> = To extends ItemStatus ? keyof Transitions[To] & string : never;

function edge(to: ItemStatus, cause: string): { from: readonly ItemStatus[]; audit: string } | undefined {
  return (ITEM_TRANSITIONS[to] as Record<string, { from: readonly ItemStatus[]; audit: string }>)[cause];
}

/** Whether `cause` may move an item from `from` to `to` (a status is never "moved" to itself: that is no change). */
export function canMoveItem(from: ItemStatus, to: ItemStatus, cause: string): boolean {
  return from !== to && (edge(to, cause)?.from.includes(from) ?? false);
}

export type ItemMove =
  | { outcome: "moved"; from: ItemStatus; to: ItemStatus }
  /** Already in the target status: nothing written. */
  | { outcome: "unchanged"; status: ItemStatus }
  /** No edge from the current status for this cause: nothing written. */
  | { outcome: "refused"; status: ItemStatus }
  | { outcome: "missing" };

export interface ItemMoveOptions<To extends ItemStatus> {
  cause: ItemMoveCause<To>;
  /** Who caused it: the user or admin, null for Plaid (webhooks) and the system. */
  actorId?: string | null;
  /** Written with the status; undefined keeps the item's current errorCode. */
  errorCode?: string | null;
  /** Added to the audit entry (ids and codes only, never tokens). */
  metadata?: Prisma.InputJsonObject;
}

type Tx = Prisma.TransactionClient;

/**
 * Moves an item to `to` if the transition table allows it from the item's
 * current status, locking the row (SELECT … FOR UPDATE) so concurrent moves
 * (webhooks, the user, the funding path) are decided one after the other.
 * Writes the status, `errorCode` when given, `removedAt` for REMOVED, and the
 * audit entry, in one transaction: its own when given the client, the
 * caller's when given a transaction client.
 */
export async function moveItemStatus<To extends ItemStatus>(
  db: Db | Tx,
  itemId: string,
  to: To,
  options: ItemMoveOptions<To>,
): Promise<ItemMove> {
  if ("$transaction" in db) return db.$transaction((tx: Tx) => move(tx, itemId, to, options));
  return move(db, itemId, to, options);
}

async function move(
  tx: Tx,
  itemId: string,
  to: ItemStatus,
  options: Omit<ItemMoveOptions<ItemStatus>, "cause"> & { cause: string },
): Promise<ItemMove> {
  const [row] = await tx.$queryRaw<{ status: ItemStatus }[]>`SELECT "status" FROM "plaid_items" WHERE "id" = ${itemId} FOR UPDATE`;
  if (!row) return { outcome: "missing" };
  const from = row.status;
  if (from === to) return { outcome: "unchanged", status: from };
  if (!canMoveItem(from, to, options.cause)) {
    logger.info({ itemId, from, to, cause: options.cause }, "item status move refused");
    return { outcome: "refused", status: from };
  }
  const { errorCode } = options;
  await tx.plaidItem.update({
    where: { id: itemId },
    data: { status: to, ...(errorCode !== undefined ? { errorCode } : {}), ...(to === "REMOVED" ? { removedAt: new Date() } : {}) },
  });
  await recordAudit(tx, {
    actorId: options.actorId ?? null,
    action: edge(to, options.cause)!.audit,
    targetType: "plaid_item",
    targetId: itemId,
    metadata: { from, to, cause: options.cause, ...(errorCode ? { errorCode } : {}), ...options.metadata },
  });
  return { outcome: "moved", from, to };
}
