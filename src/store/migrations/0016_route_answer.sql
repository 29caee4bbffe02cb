-- 0016_route_answer: an outlet answers a network hand-over (DOMAIN §4 two-level dispatch; issue 5
-- item 5 "the assignee (technician or outlet) accepts or declines"). A station's hand-over to an
-- outlet waits for the outlet until route_due_at (the policy's accept_timeout_min); the outlet
-- accepts (or dispatches to its technician), or declines with a reason: the order goes back to
-- route_from_org_id and, under an auto policy or on timeout, on to the next authorised outlet.
-- Outlets that declined or let it time out are rows of dispatch_attempts (org_id).
ALTER TABLE work_orders ADD COLUMN route_due_at BIGINT;       -- epoch ms; NULL: no answer awaited
ALTER TABLE work_orders ADD COLUMN route_from_org_id BIGINT;  -- who handed it on (to hand it back)
CREATE INDEX work_orders_route_due ON work_orders(route_due_at) WHERE route_due_at IS NOT NULL;
