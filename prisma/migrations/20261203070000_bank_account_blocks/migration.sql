-- A block on a bank account, recorded by what identifies the account beyond
-- its row (lib/banking/blocks.ts): Stripe's fingerprint of its numbers, the
-- institution and mask, and the user. A new link that matches an active
-- block lands blocked; an admin lifts a block with a reason.
CREATE TABLE "bank_account_blocks" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "bank_account_id" TEXT NOT NULL,
    "stripe_fingerprint" TEXT,
    "institution_id" TEXT,
    "mask" TEXT,
    "created_by_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lifted_at" TIMESTAMP(3),
    "lifted_by_id" TEXT,
    "lift_reason" TEXT,

    CONSTRAINT "bank_account_blocks_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "bank_account_blocks_stripe_fingerprint_idx" ON "bank_account_blocks"("stripe_fingerprint");

CREATE INDEX "bank_account_blocks_user_id_institution_id_mask_idx" ON "bank_account_blocks"("user_id", "institution_id", "mask");

CREATE INDEX "bank_account_blocks_bank_account_id_idx" ON "bank_account_blocks"("bank_account_id");

ALTER TABLE "bank_account_blocks" ADD CONSTRAINT "bank_account_blocks_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "bank_account_blocks" ADD CONSTRAINT "bank_account_blocks_bank_account_id_fkey" FOREIGN KEY ("bank_account_id") REFERENCES "bank_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
