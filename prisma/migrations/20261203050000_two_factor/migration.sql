-- Two-factor sign-in with TOTP (lib/auth/two-factor.ts). The secret is
-- sealed with lib/secrets (AAD "users.totp_secret:<id>"); it is set at the
-- start of enrolment and counts once totp_enabled_at is set. The last
-- accepted time step makes every code single-use.
ALTER TABLE "users" ADD COLUMN "totp_secret_ciphertext" TEXT;
ALTER TABLE "users" ADD COLUMN "totp_enabled_at" TIMESTAMP(3);
ALTER TABLE "users" ADD COLUMN "totp_last_time_step" INTEGER;

-- When this session last proved the second factor: required before a
-- session of a user with TOTP may act, and within 10 minutes for an
-- admin's sensitive actions (step-up).
ALTER TABLE "user_sessions" ADD COLUMN "second_factor_at" TIMESTAMP(3);

-- Single-use recovery codes, stored as SHA-256 hashes.
CREATE TABLE "totp_recovery_codes" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "code_hash" TEXT NOT NULL,
    "used_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "totp_recovery_codes_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "totp_recovery_codes_code_hash_key" ON "totp_recovery_codes"("code_hash");

CREATE INDEX "totp_recovery_codes_user_id_idx" ON "totp_recovery_codes"("user_id");

ALTER TABLE "totp_recovery_codes" ADD CONSTRAINT "totp_recovery_codes_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
