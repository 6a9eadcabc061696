-- A disputed ACH debit takes the money back: the ledger gets a signed reversal
-- entry beside the payment's credit (at most one of each per payment).
CREATE TYPE "LedgerEntryKind" AS ENUM ('CREDIT', 'DISPUTE_REVERSAL');

ALTER TABLE "ledger_entries" ADD COLUMN "kind" "LedgerEntryKind" NOT NULL DEFAULT 'CREDIT';

DROP INDEX "ledger_entries_payment_id_key";

CREATE UNIQUE INDEX "ledger_entries_payment_id_kind_key" ON "ledger_entries"("payment_id", "kind");

ALTER TABLE "payments" ADD COLUMN "disputed_at" TIMESTAMP(3);
