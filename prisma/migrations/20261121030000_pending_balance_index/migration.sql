-- CreateIndex
CREATE INDEX "payments_user_id_status_idx" ON "payments"("user_id", "status");
