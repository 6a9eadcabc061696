-- Plaid deliveries already applied, by (SHA-256 of the body, the JWT's iat):
-- a replay within the signature's 5 minutes is acknowledged, not applied
-- (lib/webhooks/plaid-replay.ts). Expired rows are purged as new ones come.
CREATE TABLE "plaid_webhook_receipts" (
    "body_sha256" TEXT NOT NULL,
    "iat" INTEGER NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "plaid_webhook_receipts_pkey" PRIMARY KEY ("body_sha256","iat")
);

CREATE INDEX "plaid_webhook_receipts_expires_at_idx" ON "plaid_webhook_receipts"("expires_at");
