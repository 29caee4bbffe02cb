-- 0007_live: the list header's counts per state and the "late" figure (issue 4 item 11), read
-- without counting a million orders. Same text on both engines.

-- Orders per tenant, organisation and status, moved in the same transaction as every create
-- and transition (store/live.c wo_counts_move); the summary of a subtree sums a few rows.
CREATE TABLE wo_state_counts (
  tenant_id BIGINT NOT NULL,
  org_id BIGINT NOT NULL,
  status TEXT NOT NULL,
  n BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX wo_state_counts_key ON wo_state_counts(tenant_id, org_id, status);
INSERT INTO wo_state_counts(tenant_id, org_id, status, n)
  SELECT tenant_id, org_id, status, count(*) FROM work_orders GROUP BY tenant_id, org_id, status;

-- Late = still open (before completion) with the resolution deadline or the promised time
-- passed. Partial indexes hold only the open orders, so counting the late ones reads a few
-- thousand index entries however many closed orders lie behind them; by organisation first,
-- so an outlet reads only its own, and covering (no table row is read). The status list is
-- the one store/live.c queries with (SQLite uses a partial index only for the same terms).
CREATE INDEX work_orders_open_sla ON work_orders(tenant_id, org_id, sla_resolve_due, status)
  WHERE status IN ('new', 'accepted', 'dispatched', 'taken', 'on_the_way', 'in_service', 'waiting_parts', 'waiting_customer')
  AND sla_resolve_due IS NOT NULL;
CREATE INDEX work_orders_open_promised ON work_orders(tenant_id, org_id, promised_at, sla_resolve_due, status)
  WHERE status IN ('new', 'accepted', 'dispatched', 'taken', 'on_the_way', 'in_service', 'waiting_parts', 'waiting_customer')
  AND promised_at IS NOT NULL;
