import "server-only";
import type { PlaidApi } from "plaid";
import type { Db } from "@/lib/db";
import { itemAccessToken } from "@/lib/secrets";
import { createLinkToken } from "@/lib/plaid/link-token";
import { describePlaidFailure, isTransientPlaidError } from "@/lib/plaid/errors";
import { AppError, notFound, providerCode, upstreamUnavailable } from "@/lib/errors";
import type { ItemStatus } from "@/lib/generated/prisma/enums";
import { canMoveItem, moveItemStatus } from "@/lib/plaid/item-state";

async function ownedItem(db: Db, userId: string, itemId: string) {
  const item = await db.plaidItem.findFirst({ where: { id: itemId, userId, status: { not: "REMOVED" } } });
  if (!item) throw notFound("Bank connection");
  return item;
}

/** A link token in update mode for one of the user's items (reconnect). */
export async function createUpdateModeLinkToken(db: Db, userId: string, itemId: string): Promise<string> {
  const item = await ownedItem(db, userId, itemId);
  return createLinkToken({ id: userId }, { accessToken: itemAccessToken(item) });
}

/**
 * After Link's update mode succeeds: ask Plaid whether the item is healthy
 * and, if so, mark it active again (the access token does not change).
 * Only LOGIN_REQUIRED and PENDING_DISCONNECT items can be reconnected (the
 * item state machine's `reconnected` edge); an ACTIVE one is left as it is.
 * A REVOKED item cannot: Plaid's access is gone, the user links the bank again.
 */
export async function markItemReconnected(deps: { db: Db; plaid: PlaidApi }, userId: string, itemId: string): Promise<void> {
  const item = await ownedItem(deps.db, userId, itemId);
  // Checked before asking Plaid, and again under the row lock when moving.
  if (item.status !== "ACTIVE" && !canMoveItem(item.status, "ACTIVE", "reconnected")) throw notReconnectable(item.status);
  let error: string | null;
  try {
    const { data } = await deps.plaid.itemGet({ access_token: itemAccessToken(item) });
    error = data.item.error?.error_code ?? null;
  } catch (err) {
    if (isTransientPlaidError(err)) throw upstreamUnavailable("bank");
    const failure = describePlaidFailure(err);
    throw new AppError(
      502,
      providerCode(failure.code),
      failure.displayMessage ?? "We couldn't confirm the reconnection with your bank. Please try again.",
    );
  }
  if (error) throw new AppError(409, providerCode(error), "Your bank still needs you to sign in again. Please reconnect.");
  const moved = await moveItemStatus(deps.db, item.id, "ACTIVE", { cause: "reconnected", actorId: userId, errorCode: null });
  if (moved.outcome === "refused") throw notReconnectable(moved.status);
  if (moved.outcome === "missing") throw notFound("Bank connection");
}

function notReconnectable(status: ItemStatus): AppError {
  const message =
    status === "LINKING"
      ? "This bank is still being linked. Please finish linking it first."
      : "Access to this bank connection has ended. Please remove it and link your bank again.";
  return new AppError(409, "ITEM_NOT_RECONNECTABLE", message);
}
