-- The automatic review rules (lib/banking/review-rules.ts): the signals
-- they read besides those already stored, and their outcome. An account
-- whose rules never ran (rule_decision NULL) stays as it was: PENDING
-- accounts remain held for review.
ALTER TABLE "bank_account_reviews"
    ADD COLUMN "earlier_returns" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "earlier_blocks" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "rule_decision" TEXT,
    ADD COLUMN "rule_reasons" JSONB NOT NULL DEFAULT '[]',
    ADD COLUMN "rules_applied_at" TIMESTAMP(3);
