import "server-only";
import { createHash } from "node:crypto";
import type { Db } from "@/lib/db";
import { MAX_FUTURE_SKEW_SECONDS, MAX_WEBHOOK_AGE_SECONDS } from "./plaid-verification";

/**
 * Replay protection for Plaid webhooks. A Plaid-Verification JWT stays valid
 * for 5 minutes after its `iat`, so a captured delivery could be sent again
 * within them and would verify. Each applied delivery is remembered by
 * (SHA-256 of the body, iat) in PostgreSQL, so every app instance sees it,
 * until its signature would be refused as stale anyway (plus the tolerated
 * clock skew between instances).
 */
export interface PlaidDelivery {
  bodySha256: string;
  iat: number;
}

/** At most this many expired receipts are deleted per claim: every claim stays cheap, and the table stays small. */
const PURGE_BATCH = 100;

export function plaidDelivery(rawBody: string, iat: number): PlaidDelivery {
  // Plaid's iat is whole seconds; a fractional one (still validly signed) is keyed by its second.
  return { bodySha256: createHash("sha256").update(rawBody, "utf8").digest("hex"), iat: Math.floor(iat) };
}

/**
 * Claims a delivery: true the first time it is seen (apply it), false for a
 * replay. Insert-or-ignore and the purge of expired receipts in one
 * statement; two instances purging at once skip each other's rows.
 */
export async function claimPlaidDelivery(db: Db, delivery: PlaidDelivery, now = new Date()): Promise<boolean> {
  const expiresAt = new Date((delivery.iat + MAX_WEBHOOK_AGE_SECONDS + MAX_FUTURE_SKEW_SECONDS) * 1000);
  const rows = await db.$queryRaw<{ claimed: number }[]>`
    WITH purged AS (
      DELETE FROM "plaid_webhook_receipts" WHERE ("body_sha256", "iat") IN (
        SELECT "body_sha256", "iat" FROM "plaid_webhook_receipts" WHERE "expires_at" < ${now}::timestamp(3)
        LIMIT ${PURGE_BATCH} FOR UPDATE SKIP LOCKED
      )
    )
    INSERT INTO "plaid_webhook_receipts" ("body_sha256", "iat", "expires_at")
    VALUES (${delivery.bodySha256}, ${delivery.iat}::integer, ${expiresAt}::timestamp(3))
    ON CONFLICT DO NOTHING
    RETURNING 1 AS claimed`;
  return rows.length === 1;
}

/** Forgets a claimed delivery whose work was left undone, so Plaid's redelivery of it is applied. */
export async function releasePlaidDelivery(db: Db, delivery: PlaidDelivery): Promise<void> {
  await db.plaidWebhookReceipt.deleteMany({ where: { bodySha256: delivery.bodySha256, iat: delivery.iat } });
}
