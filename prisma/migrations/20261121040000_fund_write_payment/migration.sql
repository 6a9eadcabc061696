-- Writes a funding payment down, within the user's rolling limits, in ONE
-- round trip (lib/funding/write-payment.ts). Called as a single statement, so
-- it is its own transaction. In a VOLATILE function every statement takes a
-- fresh snapshot (READ COMMITTED): the totals are read AFTER the user's row
-- lock is granted and so include a payment committed by whoever held it.
-- A plain CTE cannot do that (one statement, one snapshot).
--
-- Returns the totals it saw and whether it wrote; a second payment with the
-- same (user, request id) raises the unique violation (a concurrent twin).
CREATE FUNCTION "fund_write_payment"(
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
    p_now                TIMESTAMP(3)
) RETURNS TABLE ("day" BIGINT, "thirty_day" BIGINT, "written" BOOLEAN)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    -- One funding write per user at a time: the limits are per user.
    PERFORM 1 FROM "users" WHERE "id" = p_user_id FOR UPDATE;

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
