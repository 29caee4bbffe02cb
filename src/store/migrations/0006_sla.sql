-- 0006_sla: indexes for the SLA breach sweep and the fault-category tree (issue 4 item 3).
-- The sweep (src/store/sla.c, run by the scheduler every 30 s on one node) asks for deadlines
-- that have passed unmet on orders that are not cancelled. Each partial index holds only the
-- orders whose deadline of that kind is still unmet — the open ones — so a sweep reads a few
-- rows however many closed orders the tenant has. Same text on both engines.
CREATE INDEX work_orders_sla_response_open ON work_orders(sla_response_due)
  WHERE responded_at IS NULL AND status <> 'cancelled';
CREATE INDEX work_orders_sla_answer_open ON work_orders(sla_answer_due)
  WHERE answered_at IS NULL AND status <> 'cancelled';
CREATE INDEX work_orders_sla_onsite_open ON work_orders(sla_onsite_due)
  WHERE onsite_at IS NULL AND status <> 'cancelled';
CREATE INDEX work_orders_sla_resolve_open ON work_orders(sla_resolve_due)
  WHERE resolved_at IS NULL AND status <> 'cancelled';

-- Children of a category (the tree editor, and the delete check).
CREATE INDEX fault_categories_parent ON fault_categories(tenant_id, parent_id);
