-- 0009_exec: execution on the order (issue 4 items 7 and 8; src/store/wo_exec.c).
-- A user has at most one running work-log entry across all orders: the store answers a
-- second start with a 409 naming the running order, and this index makes it hold under
-- concurrent requests on several nodes too.
CREATE UNIQUE INDEX wo_worklog_running ON wo_worklog(tenant_id, user_id) WHERE stopped_at IS NULL;
-- Photos of an order listed by kind (photo | signature) without reading their data.
CREATE INDEX attachments_order_kind ON attachments(tenant_id, order_id, kind, id);
-- The rework report reads completed orders per technician in a period.
CREATE INDEX work_orders_completed ON work_orders(tenant_id, completed_at);
