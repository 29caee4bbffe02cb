-- 0010_billing: what a bill needs beyond 0004 (issue 4 item 9): why and by whom it was voided
-- (a manager, after the payments were refunded), and the reason of a credit note.
ALTER TABLE bills ADD COLUMN reason TEXT;            -- credit note: why the amount is credited
ALTER TABLE bills ADD COLUMN void_reason TEXT;
ALTER TABLE bills ADD COLUMN voided_at BIGINT;
ALTER TABLE bills ADD COLUMN voided_by BIGINT;
CREATE INDEX bills_credit ON bills(tenant_id, credit_of);
