-- CreateEnum
CREATE TYPE "ItemStatus" AS ENUM ('LINKING', 'ACTIVE', 'LOGIN_REQUIRED', 'PENDING_DISCONNECT', 'REVOKED', 'REMOVED');

-- CreateEnum
CREATE TYPE "BankAccountStatus" AS ENUM ('LINKING', 'ACTIVE', 'REMOVED');

-- CreateEnum
CREATE TYPE "ReviewStatus" AS ENUM ('PENDING', 'APPROVED', 'BLOCKED');

-- CreateEnum
CREATE TYPE "LinkAttemptStatus" AS ENUM ('IN_PROGRESS', 'FAILED', 'COMPLETED');

-- CreateEnum
CREATE TYPE "PaymentStatus" AS ENUM ('PENDING', 'PROCESSING', 'SUCCEEDED', 'FAILED', 'CANCELED');

-- AlterTable
ALTER TABLE "users" ADD COLUMN "stripe_customer_id" TEXT;

-- CreateTable
CREATE TABLE "plaid_items" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "plaid_item_id" TEXT NOT NULL,
    "access_token_ciphertext" TEXT NOT NULL,
    "institution_id" TEXT,
    "institution_name" TEXT,
    "status" "ItemStatus" NOT NULL DEFAULT 'LINKING',
    "error_code" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    "removed_at" TIMESTAMP(3),

    CONSTRAINT "plaid_items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bank_accounts" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "item_id" TEXT NOT NULL,
    "plaid_account_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "mask" TEXT,
    "type" TEXT NOT NULL,
    "subtype" TEXT,
    "institution_id" TEXT,
    "institution_name" TEXT,
    "stripe_bank_account_id" TEXT,
    "status" "BankAccountStatus" NOT NULL DEFAULT 'LINKING',
    "review_status" "ReviewStatus" NOT NULL DEFAULT 'PENDING',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    "removed_at" TIMESTAMP(3),

    CONSTRAINT "bank_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "link_attempts" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "public_token_hash" TEXT NOT NULL,
    "plaid_account_id" TEXT NOT NULL,
    "institution_id" TEXT,
    "institution_name" TEXT,
    "link_session_id" TEXT,
    "status" "LinkAttemptStatus" NOT NULL DEFAULT 'IN_PROGRESS',
    "step" TEXT NOT NULL DEFAULT 'started',
    "item_id" TEXT,
    "bank_account_id" TEXT,
    "error_code" TEXT,
    "error_message" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "link_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "mandate_acceptances" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "bank_account_id" TEXT NOT NULL,
    "text_version" TEXT NOT NULL,
    "accepted_at" TIMESTAMP(3) NOT NULL,
    "ip_address" TEXT,
    "user_agent" TEXT,
    "stripe_mandate_id" TEXT,
    "revoked_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "mandate_acceptances_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payments" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "bank_account_id" TEXT NOT NULL,
    "amount_cents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'usd',
    "status" "PaymentStatus" NOT NULL DEFAULT 'PENDING',
    "request_id" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "stripe_payment_intent_id" TEXT,
    "stripe_charge_id" TEXT,
    "mandate_acceptance_id" TEXT,
    "failure_code" TEXT,
    "failure_message" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    "settled_at" TIMESTAMP(3),

    CONSTRAINT "payments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_entries" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "payment_id" TEXT NOT NULL,
    "amount_cents" INTEGER NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stripe_events" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "object_id" TEXT,
    "payload" JSONB NOT NULL,
    "received_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMP(3),

    CONSTRAINT "stripe_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "plaid_webhook_events" (
    "id" TEXT NOT NULL,
    "plaid_item_id" TEXT,
    "webhook_type" TEXT NOT NULL,
    "webhook_code" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "received_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "plaid_webhook_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_stripe_customer_id_key" ON "users"("stripe_customer_id");

-- CreateIndex
CREATE UNIQUE INDEX "plaid_items_plaid_item_id_key" ON "plaid_items"("plaid_item_id");

-- CreateIndex
CREATE INDEX "plaid_items_user_id_status_idx" ON "plaid_items"("user_id", "status");

-- CreateIndex
CREATE INDEX "plaid_items_status_idx" ON "plaid_items"("status");

-- CreateIndex
CREATE UNIQUE INDEX "bank_accounts_stripe_bank_account_id_key" ON "bank_accounts"("stripe_bank_account_id");

-- CreateIndex
CREATE INDEX "bank_accounts_user_id_status_idx" ON "bank_accounts"("user_id", "status");

-- CreateIndex
CREATE INDEX "bank_accounts_institution_id_mask_idx" ON "bank_accounts"("institution_id", "mask");

-- CreateIndex
CREATE UNIQUE INDEX "bank_accounts_item_id_plaid_account_id_key" ON "bank_accounts"("item_id", "plaid_account_id");

-- CreateIndex
CREATE UNIQUE INDEX "link_attempts_public_token_hash_key" ON "link_attempts"("public_token_hash");

-- CreateIndex
CREATE INDEX "link_attempts_user_id_created_at_idx" ON "link_attempts"("user_id", "created_at");

-- CreateIndex
CREATE INDEX "link_attempts_status_updated_at_idx" ON "link_attempts"("status", "updated_at");

-- CreateIndex
CREATE UNIQUE INDEX "mandate_acceptances_stripe_mandate_id_key" ON "mandate_acceptances"("stripe_mandate_id");

-- CreateIndex
CREATE INDEX "mandate_acceptances_bank_account_id_created_at_idx" ON "mandate_acceptances"("bank_account_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "payments_idempotency_key_key" ON "payments"("idempotency_key");

-- CreateIndex
CREATE UNIQUE INDEX "payments_stripe_payment_intent_id_key" ON "payments"("stripe_payment_intent_id");

-- CreateIndex
CREATE INDEX "payments_user_id_created_at_idx" ON "payments"("user_id", "created_at");

-- CreateIndex
CREATE INDEX "payments_status_updated_at_idx" ON "payments"("status", "updated_at");

-- CreateIndex
CREATE INDEX "payments_bank_account_id_created_at_idx" ON "payments"("bank_account_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "payments_user_id_request_id_key" ON "payments"("user_id", "request_id");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_entries_payment_id_key" ON "ledger_entries"("payment_id");

-- CreateIndex
CREATE INDEX "ledger_entries_user_id_created_at_idx" ON "ledger_entries"("user_id", "created_at");

-- CreateIndex
CREATE INDEX "stripe_events_object_id_idx" ON "stripe_events"("object_id");

-- CreateIndex
CREATE INDEX "stripe_events_type_received_at_idx" ON "stripe_events"("type", "received_at");

-- CreateIndex
CREATE INDEX "plaid_webhook_events_plaid_item_id_received_at_idx" ON "plaid_webhook_events"("plaid_item_id", "received_at");

-- AddForeignKey
ALTER TABLE "plaid_items" ADD CONSTRAINT "plaid_items_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bank_accounts" ADD CONSTRAINT "bank_accounts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bank_accounts" ADD CONSTRAINT "bank_accounts_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "plaid_items"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "link_attempts" ADD CONSTRAINT "link_attempts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mandate_acceptances" ADD CONSTRAINT "mandate_acceptances_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mandate_acceptances" ADD CONSTRAINT "mandate_acceptances_bank_account_id_fkey" FOREIGN KEY ("bank_account_id") REFERENCES "bank_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payments" ADD CONSTRAINT "payments_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payments" ADD CONSTRAINT "payments_bank_account_id_fkey" FOREIGN KEY ("bank_account_id") REFERENCES "bank_accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payments" ADD CONSTRAINT "payments_mandate_acceptance_id_fkey" FOREIGN KEY ("mandate_acceptance_id") REFERENCES "mandate_acceptances"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_payment_id_fkey" FOREIGN KEY ("payment_id") REFERENCES "payments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
