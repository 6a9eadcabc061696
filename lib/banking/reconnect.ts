import type { PlaidApi } from "plaid";
import type { Db } from "@/lib/db";
import { recordAudit } from "@/lib/audit";
import { itemAccessToken } from "@/lib/secrets";
import { createLinkToken } from "@/lib/plaid/link-token";
import { describePlaidFailure, isTransientPlaidError } from "@/lib/plaid/errors";
import { AppError, notFound, providerCode, upstreamUnavailable } from "@/lib/errors";

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
 * and, if so, mark it active again. The access token does not change.
 */
export async function markItemReconnected(deps: { db: Db; plaid: PlaidApi }, userId: string, itemId: string): Promise<void> {
  const item = await ownedItem(deps.db, userId, itemId);
  let error: string | null;
  try {
    const { data } = await deps.plaid.itemGet({ access_token: itemAccessToken(item) });
    error = data.item.error?.error_code ?? null;
  } catch (err) {
    if (isTransientPlaidError(err)) throw upstreamUnavailable("bank");
    const failure = describePlaidFailure(err);
    throw new AppError(502, providerCode(failure.code), failure.displayMessage ?? "We couldn't confirm the reconnection with your bank. Please try again.");
  }
  if (error) throw new AppError(409, providerCode(error), "Your bank still needs you to sign in again. Please reconnect.");
  await deps.db.plaidItem.update({ where: { id: item.id }, data: { status: "ACTIVE", errorCode: null } });
  await recordAudit(deps.db, { actorId: userId, action: "item.reconnected", targetType: "plaid_item", targetId: item.id });
}
