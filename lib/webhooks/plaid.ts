import "server-only";
import type { PlaidApi } from "plaid";
import type { Db, Prisma } from "@/lib/db";
import { applyItemWebhook, type ItemWebhookResult, type PlaidWebhookPayload } from "@/lib/banking/item-status";
import { getPlaid } from "@/lib/plaid/client";
import { describePlaidFailure, isTransientPlaidError, plaidErrorOf } from "@/lib/plaid/errors";
import { logger } from "@/lib/log";
import { claimPlaidDelivery, plaidDelivery, releasePlaidDelivery } from "./plaid-replay";
import {
  createKeyCache,
  KeyLookupLimitedError,
  verifyPlaidWebhook,
  type PlaidKeyFetcher,
  type PlaidWebhookKey,
} from "./plaid-verification";

/**
 * Fetches verification keys from Plaid; null only when Plaid says it does not
 * know the kid (the webhook was not signed by Plaid: 401). Any other failure
 * is not the sender's fault, so the caller answers 503 and Plaid redelivers:
 * a transient one (isTransientPlaidError) as a warning, a permanent one (our
 * credentials or request) as an error someone must fix.
 */
export function plaidKeyFetcher(plaid: () => PlaidApi = getPlaid): PlaidKeyFetcher {
  return async (kid) => {
    try {
      const { data } = await plaid().webhookVerificationKeyGet({ key_id: kid });
      return data.key as PlaidWebhookKey;
    } catch (err) {
      const transient = isTransientPlaidError(err);
      if (!transient && plaidErrorOf(err)?.error_code === "INVALID_WEBHOOK_VERIFICATION_KEY_ID") return null;
      throw new PlaidKeyUnavailableError(describePlaidFailure(err).code, transient);
    }
  };
}

export const fetchPlaidKey: PlaidKeyFetcher = plaidKeyFetcher();

export class PlaidKeyUnavailableError extends Error {
  constructor(
    readonly code: string,
    readonly transient: boolean,
  ) {
    super(`Plaid verification key could not be fetched (${code})`);
  }
}

// One cache per server process (kept on globalThis across Next dev reloads).
const globalForKeys = globalThis as unknown as { fundwellPlaidKeys?: ReturnType<typeof createKeyCache> };
export function plaidKeyCache(): ReturnType<typeof createKeyCache> {
  globalForKeys.fundwellPlaidKeys ??= createKeyCache(fetchPlaidKey);
  return globalForKeys.fundwellPlaidKeys;
}

export type PlaidWebhookResponse =
  | { kind: "rejected"; status: 400 | 401; message: string }
  | { kind: "unavailable"; message: string }
  | { kind: "replayed" }
  | { kind: "processed"; eventId: string; result: ItemWebhookResult; retry: boolean };

/**
 * Verifies, stores and applies one Plaid webhook. Unknown items are stored
 * and acknowledged (Plaid would retry otherwise); `retry` asks the route to
 * answer 5xx when a transient failure left work undone (Plaid redelivers).
 * A delivery already applied (same body and iat: a replay, lib/webhooks/
 * plaid-replay.ts) is acknowledged and neither stored nor applied again; one
 * whose work was left undone is forgotten, so its redelivery is applied
 * (status moves to the current status are no-ops, and refreshing a bank
 * account again is harmless).
 */
export async function handlePlaidWebhook(
  db: Db,
  input: { rawBody: string; verificationHeader: string | null },
  deps: { getKey?: PlaidKeyFetcher; now?: () => number } = {},
): Promise<PlaidWebhookResponse> {
  let verified;
  try {
    verified = await verifyPlaidWebhook({
      header: input.verificationHeader,
      rawBody: input.rawBody,
      getKey: deps.getKey ?? plaidKeyCache(),
      now: deps.now,
    });
  } catch (err) {
    if (err instanceof PlaidKeyUnavailableError) {
      if (err.transient) logger.warn({ code: err.code }, "plaid webhook: verification key unavailable");
      else logger.error({ code: err.code }, "plaid webhook: Plaid refused the verification key request (check the Plaid credentials)");
      return { kind: "unavailable", message: "Webhook verification is temporarily unavailable." };
    }
    if (err instanceof KeyLookupLimitedError) {
      logger.warn("plaid webhook: verification key lookups rate-limited (unknown kids)");
      return { kind: "unavailable", message: "Webhook verification is temporarily unavailable." };
    }
    const reason = (err as { reason?: string }).reason ?? "invalid";
    logger.warn({ reason }, "plaid webhook rejected");
    return { kind: "rejected", status: 401, message: err instanceof Error ? err.message : "Invalid webhook signature." };
  }

  let payload: PlaidWebhookPayload;
  try {
    payload = JSON.parse(input.rawBody) as PlaidWebhookPayload;
  } catch {
    return { kind: "rejected", status: 400, message: "The webhook body must be JSON." };
  }
  if (
    typeof payload !== "object" ||
    payload === null ||
    typeof payload.webhook_type !== "string" ||
    typeof payload.webhook_code !== "string"
  ) {
    return { kind: "rejected", status: 400, message: "The webhook must have webhook_type and webhook_code." };
  }

  const delivery = plaidDelivery(input.rawBody, verified.iat);
  if (!(await claimPlaidDelivery(db, delivery))) {
    logger.info({ webhook: `${payload.webhook_type}:${payload.webhook_code}` }, "plaid webhook replay acknowledged, not applied");
    return { kind: "replayed" };
  }
  try {
    const processed = await storeAndApply(db, payload);
    if (processed.retry) await releasePlaidDelivery(db, delivery);
    return processed;
  } catch (err) {
    await releasePlaidDelivery(db, delivery).catch(() => undefined);
    throw err;
  }
}

async function storeAndApply(db: Db, payload: PlaidWebhookPayload): Promise<Extract<PlaidWebhookResponse, { kind: "processed" }>> {
  const stored = await db.plaidWebhookEvent.create({
    data: {
      plaidItemId: typeof payload.item_id === "string" ? payload.item_id : null,
      webhookType: payload.webhook_type,
      webhookCode: payload.webhook_code,
      payload: payload as unknown as Prisma.InputJsonObject,
    },
  });
  const result = await applyItemWebhook(db, payload);
  logger.info(
    {
      eventId: stored.id,
      plaidItemId: payload.item_id ?? null,
      webhook: `${payload.webhook_type}:${payload.webhook_code}`,
      outcome: result.outcome,
      status: result.status ?? null,
    },
    "plaid webhook processed",
  );
  const retry = result.refresh?.some((r) => r.outcome === "failed" && r.retryable) ?? false;
  return { kind: "processed", eventId: stored.id, result, retry };
}
