-- Admin console: review signals, app settings, processor tokens, list indexes.

-- CreateTable
CREATE TABLE "bank_account_reviews" (
    "bank_account_id" TEXT NOT NULL,
    "identity_verdict" TEXT NOT NULL,
    "owner_names" JSONB NOT NULL DEFAULT '[]',
    "name_matched" BOOLEAN NOT NULL DEFAULT false,
    "email_matched" BOOLEAN NOT NULL DEFAULT false,
    "first_seen_institution" BOOLEAN NOT NULL DEFAULT false,
    "stripe_fingerprint" TEXT,
    "duplicate_user_count" INTEGER NOT NULL DEFAULT 0,
    "identity_error" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reviewed_by_id" TEXT,
    "reviewed_at" TIMESTAMP(3),

    CONSTRAINT "bank_account_reviews_pkey" PRIMARY KEY ("bank_account_id")
);

-- CreateTable
CREATE TABLE "app_settings" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updated_by_id" TEXT,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "app_settings_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "processor_tokens" (
    "id" TEXT NOT NULL,
    "bank_account_id" TEXT NOT NULL,
    "processor" TEXT NOT NULL,
    "token_ciphertext" TEXT NOT NULL,
    "token_hint" TEXT NOT NULL,
    "created_by_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processor_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "bank_accounts_review_status_created_at_idx" ON "bank_accounts"("review_status", "created_at");

-- CreateIndex
CREATE INDEX "payments_created_at_id_idx" ON "payments"("created_at", "id");

-- CreateIndex
CREATE INDEX "payments_status_created_at_idx" ON "payments"("status", "created_at");

-- CreateIndex
CREATE INDEX "payments_stripe_charge_id_idx" ON "payments"("stripe_charge_id");

-- CreateIndex
CREATE INDEX "bank_account_reviews_stripe_fingerprint_idx" ON "bank_account_reviews"("stripe_fingerprint");

-- CreateIndex
CREATE INDEX "processor_tokens_bank_account_id_created_at_idx" ON "processor_tokens"("bank_account_id", "created_at");

-- AddForeignKey
ALTER TABLE "bank_account_reviews" ADD CONSTRAINT "bank_account_reviews_bank_account_id_fkey" FOREIGN KEY ("bank_account_id") REFERENCES "bank_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "processor_tokens" ADD CONSTRAINT "processor_tokens_bank_account_id_fkey" FOREIGN KEY ("bank_account_id") REFERENCES "bank_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Default: new accounts may fund before review.
INSERT INTO "app_settings" ("key", "value") VALUES ('funding.allowBeforeReview', 'true');
