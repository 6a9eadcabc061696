import type { Db, Prisma } from "@/lib/db";
import { applyItemWebhook, type ItemWebhookResult, type PlaidWebhookPayload } from "@/lib/banking/item-status";
import { getPlaid } from "@/lib/plaid/client";
import { describePlaidFailure, plaidErrorOf } from "@/lib/plaid/errors";
import { logger } from "@/lib/log";
import { createKeyCache, verifyPlaidWebhook, type PlaidKeyFetcher, type PlaidWebhookKey } from "./plaid-verification";

/** Fetches a verification key from Plaid; null when Plaid does not know the kid. */
export const fetchPlaidKey: PlaidKeyFetcher = async (kid) => {
  try {
    const { data } = await getPlaid().webhookVerificationKeyGet({ key_id: kid });
    return data.key as PlaidWebhookKey;
  } catch (err) {
    const plaidError = plaidErrorOf(err);
    if (plaidError && (plaidError.error_code === "INVALID_WEBHOOK_VERIFICATION_KEY_ID" || plaidError.error_type === "INVALID_INPUT")) return null;
    // Transport or Plaid-side failure: not the sender's fault; the caller answers 5xx so Plaid retries.
    throw new PlaidKeyUnavailableError(describePlaidFailure(err).code);
  }
};

export class PlaidKeyUnavailableError extends Error {
  constructor(readonly code: string) {
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
  | { kind: "processed"; eventId: string; result: ItemWebhookResult; retry: boolean };

/**
 * Verifies, stores and applies one Plaid webhook. Unknown items are stored
 * and acknowledged (Plaid would retry otherwise); `retry` asks the route to
 * answer 5xx when a transient failure left work undone (Plaid redelivers).
 * Deliveries are not deduplicated on purpose: each one is stored and applied,
 * so a redelivery redoes the undone work (status moves to the current status
 * are no-ops, and refreshing a bank account again is harmless).
 */
export async function handlePlaidWebhook(
  db: Db,
  input: { rawBody: string; verificationHeader: string | null },
  deps: { getKey?: PlaidKeyFetcher; now?: () => number } = {},
): Promise<PlaidWebhookResponse> {
  try {
    await verifyPlaidWebhook({ header: input.verificationHeader, rawBody: input.rawBody, getKey: deps.getKey ?? plaidKeyCache(), now: deps.now });
  } catch (err) {
    if (err instanceof PlaidKeyUnavailableError) {
      logger.warn({ code: err.code }, "plaid webhook: verification key unavailable");
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
  if (typeof payload !== "object" || payload === null || typeof payload.webhook_type !== "string" || typeof payload.webhook_code !== "string") {
    return { kind: "rejected", status: 400, message: "The webhook must have webhook_type and webhook_code." };
  }

  const stored = await db.plaidWebhookEvent.create({
    data: {
      plaidItemId: typeof payload.item_id === "string" ? payload.item_id : null,
      webhookType: payload.webhook_type,
      webhookCode: payload.webhook_code,
      payload: payload as unknown as Prisma.InputJsonObject,
    },
  });
  const result = await applyItemWebhook(db, payload);
  logger.info({
    eventId: stored.id,
    plaidItemId: payload.item_id ?? null,
    webhook: `${payload.webhook_type}:${payload.webhook_code}`,
    outcome: result.outcome,
    status: result.status ?? null,
  }, "plaid webhook processed");
  const retry = result.refresh?.some((r) => r.outcome === "failed" && r.retryable) ?? false;
  return { kind: "processed", eventId: stored.id, result, retry };
}
