-- ACH returns decide whether a bank account stays usable
-- (lib/funding/ach-returns.ts): a return other than insufficient funds
-- moves the account to UNUSABLE, with the return that did it; a failed
-- payment keeps its ACH return code for the admin. fund_write_payment
-- refuses an UNUSABLE account, in the order of lib/funding/policy.ts
-- accountRefusal (same signature: replaced in place).
ALTER TYPE "BankAccountStatus" ADD VALUE 'UNUSABLE';

ALTER TABLE "bank_accounts" ADD COLUMN "unusable_at" TIMESTAMP(3),
ADD COLUMN "unusable_payment_id" TEXT,
ADD COLUMN "unusable_failure_code" TEXT,
ADD COLUMN "unusable_return_code" TEXT;

ALTER TABLE "payments" ADD COLUMN "return_code" TEXT;

CREATE OR REPLACE FUNCTION "fund_write_payment"(
    p_payment_id         TEXT,
    p_user_id            TEXT,
    p_bank_account_id    TEXT,
    p_amount_cents       INTEGER,
    p_request_id         TEXT,
    p_idempotency_key    TEXT,
    p_mandate_id         TEXT,    -- the active authorization, or the id for the one accepted now
    p_accept_mandate     BOOLEAN, -- true: insert that authorization
    p_mandate_version    TEXT,
    p_mandate_ip         TEXT,
    p_mandate_user_agent TEXT,
    p_audit_id           TEXT,
    p_audit_metadata     JSONB,
    p_ip                 TEXT,
    p_day_start          TIMESTAMP(3),
    p_thirty_day_start   TIMESTAMP(3),
    p_daily_max_cents    BIGINT,
    p_thirty_day_max_cents BIGINT,
    p_now                TIMESTAMP(3),
    p_session_version    INTEGER, -- the actor's session (lib/auth/actor.ts)
    p_session_id         TEXT,
    p_setting_key        TEXT,    -- the "fund before review" setting and its default
    p_before_review_default BOOLEAN
) RETURNS TABLE ("day" BIGINT, "thirty_day" BIGINT, "written" BOOLEAN, "refusal" TEXT)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_user RECORD;
    v_account RECORD;
    v_before_review BOOLEAN;
BEGIN
    "day" := 0;
    "thirty_day" := 0;
    "written" := FALSE;

    -- One funding write per user at a time: the limits are per user, and
    -- block, disable and remove take this lock too.
    SELECT u."disabled", u."session_version", u."email_verified", u."totp_enabled_at"
    INTO v_user FROM "users" u WHERE u."id" = p_user_id FOR UPDATE;

    IF NOT FOUND OR v_user."disabled" OR v_user."session_version" <> p_session_version OR NOT EXISTS (
        SELECT 1 FROM "user_sessions" s
        WHERE s."id" = p_session_id AND s."user_id" = p_user_id AND s."revoked_at" IS NULL
          AND (v_user."totp_enabled_at" IS NULL OR s."second_factor_at" IS NOT NULL)
    ) THEN
        "refusal" := 'SIGNED_OUT';
        RETURN NEXT;
        RETURN;
    END IF;
    IF v_user."email_verified" IS NULL THEN
        "refusal" := 'EMAIL_NOT_VERIFIED';
        RETURN NEXT;
        RETURN;
    END IF;

    SELECT a."status"::TEXT AS "status", a."review_status"::TEXT AS "review_status", i."status"::TEXT AS "item_status"
    INTO v_account
    FROM "bank_accounts" a JOIN "plaid_items" i ON i."id" = a."item_id"
    WHERE a."id" = p_bank_account_id AND a."user_id" = p_user_id;

    SELECT CASE WHEN jsonb_typeof(st."value") = 'boolean' THEN (st."value" #>> '{}')::BOOLEAN END
    INTO v_before_review FROM "app_settings" st WHERE st."key" = p_setting_key;
    v_before_review := COALESCE(v_before_review, p_before_review_default);

    -- The order of lib/funding/policy.ts accountRefusal.
    "refusal" := CASE
        WHEN v_account IS NULL OR v_account."status" = 'REMOVED' THEN 'NOT_FOUND'
        WHEN v_account."status" = 'UNUSABLE' THEN 'ACCOUNT_UNUSABLE'
        WHEN v_account."review_status" = 'BLOCKED' THEN 'ACCOUNT_BLOCKED'
        WHEN v_account."review_status" = 'PENDING' AND NOT v_before_review THEN 'ACCOUNT_UNDER_REVIEW'
        WHEN v_account."status" <> 'ACTIVE' THEN 'ACCOUNT_NOT_ACTIVE'
        WHEN v_account."item_status" IN ('LOGIN_REQUIRED', 'REVOKED', 'REMOVED') THEN 'ITEM_NEEDS_ATTENTION'
    END;
    IF "refusal" IS NOT NULL THEN
        RETURN NEXT;
        RETURN;
    END IF;

    SELECT
        COALESCE(SUM(p."amount_cents") FILTER (WHERE p."created_at" > p_day_start), 0)::BIGINT,
        COALESCE(SUM(p."amount_cents"), 0)::BIGINT
    INTO "day", "thirty_day"
    FROM "payments" p
    WHERE p."user_id" = p_user_id AND p."status" NOT IN ('FAILED', 'CANCELED') AND p."created_at" > p_thirty_day_start;

    "written" := "day" + p_amount_cents <= p_daily_max_cents AND "thirty_day" + p_amount_cents <= p_thirty_day_max_cents;
    IF NOT "written" THEN
        RETURN NEXT;
        RETURN;
    END IF;

    IF p_accept_mandate THEN
        INSERT INTO "mandate_acceptances" ("id", "user_id", "bank_account_id", "text_version", "accepted_at", "ip_address", "user_agent", "created_at")
        VALUES (p_mandate_id, p_user_id, p_bank_account_id, p_mandate_version, p_now, p_mandate_ip, p_mandate_user_agent, p_now);
    END IF;

    INSERT INTO "payments" ("id", "user_id", "bank_account_id", "amount_cents", "currency", "status", "request_id", "idempotency_key", "mandate_acceptance_id", "created_at", "updated_at")
    VALUES (p_payment_id, p_user_id, p_bank_account_id, p_amount_cents, 'usd', 'PENDING', p_request_id, p_idempotency_key, p_mandate_id, p_now, p_now);

    INSERT INTO "audit_logs" ("id", "actor_id", "action", "target_type", "target_id", "metadata", "ip", "created_at")
    VALUES (p_audit_id, p_user_id, 'payment.created', 'payment', p_payment_id, p_audit_metadata, p_ip, p_now);

    RETURN NEXT;
END;
$$;
