-- Refunds from the admin console (lib/funding/refunds.ts), what disputes
-- and Stripe's fees took (balance transactions), and reconciliation's
-- listing cursors (lib/funding/reconcile-lists.ts).
ALTER TYPE "LedgerEntryKind" ADD VALUE 'REFUND_REVERSAL';
ALTER TYPE "LedgerEntryKind" ADD VALUE 'REFUND_RESTORED';

CREATE TYPE "RefundStatus" AS ENUM ('REQUESTED', 'PENDING', 'SUCCEEDED', 'FAILED', 'CANCELED');

ALTER TABLE "payments" ADD COLUMN "stripe_dispute_id" TEXT,
ADD COLUMN "dispute_reason" TEXT,
ADD COLUMN "dispute_fee_cents" INTEGER,
ADD COLUMN "fee_cents" INTEGER,
ADD COLUMN "net_cents" INTEGER;

CREATE TABLE "refunds" (
    "id" TEXT NOT NULL,
    "payment_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "amount_cents" INTEGER NOT NULL,
    "status" "RefundStatus" NOT NULL DEFAULT 'REQUESTED',
    "reason" TEXT,
    "idempotency_key" TEXT NOT NULL,
    "stripe_refund_id" TEXT,
    "failure_reason" TEXT,
    "created_by_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    "settled_at" TIMESTAMP(3),

    CONSTRAINT "refunds_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "refunds_idempotency_key_key" ON "refunds"("idempotency_key");
CREATE UNIQUE INDEX "refunds_stripe_refund_id_key" ON "refunds"("stripe_refund_id");
CREATE INDEX "refunds_payment_id_idx" ON "refunds"("payment_id");
CREATE INDEX "refunds_user_id_status_idx" ON "refunds"("user_id", "status");
CREATE INDEX "refunds_status_updated_at_idx" ON "refunds"("status", "updated_at");

ALTER TABLE "refunds" ADD CONSTRAINT "refunds_payment_id_fkey" FOREIGN KEY ("payment_id") REFERENCES "payments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "reconcile_cursors" (
    "name" TEXT NOT NULL,
    "listed_to" TIMESTAMP(3) NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reconcile_cursors_pkey" PRIMARY KEY ("name")
);
