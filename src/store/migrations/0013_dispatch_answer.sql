-- 0013_dispatch_answer: accept, decline, timeout and reassignment (DOMAIN §4; issue 5 item 5).
-- A dispatched order waits for its technician's answer until accept_due_at (the dispatch
-- policy's accept_timeout_min after the dispatch); the scheduler's dispatch_answers job
-- re-dispatches an unanswered order to the next candidate. Every technician who declined an
-- order, let it time out, or handed it back as late is remembered so that automatic dispatch
-- does not offer it to them again.
ALTER TABLE work_orders ADD COLUMN accept_due_at BIGINT;      -- epoch ms; NULL: no answer awaited
ALTER TABLE work_orders ADD COLUMN auto_next_at BIGINT;       -- auto policy found nobody: retry after
ALTER TABLE work_orders ADD COLUMN late_eta_at BIGINT;        -- the technician's announced new arrival

CREATE INDEX work_orders_accept_due ON work_orders(accept_due_at) WHERE accept_due_at IS NOT NULL;
CREATE INDEX work_orders_unassigned ON work_orders(tenant_id, status) WHERE assignee_id IS NULL;

CREATE TABLE dispatch_attempts (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  order_id BIGINT NOT NULL REFERENCES work_orders(id),
  tech_id BIGINT REFERENCES users(id),     -- a technician who did not take the order
  org_id BIGINT REFERENCES organizations(id), -- or an outlet that handed it back
  outcome TEXT NOT NULL,                   -- declined | timeout | late
  reason TEXT,
  at BIGINT NOT NULL
);
CREATE INDEX dispatch_attempts_order ON dispatch_attempts(tenant_id, order_id);
