-- 0003_wo_indexes: with a million orders the unfiltered list, ?priority= and ?q= searches
-- sorted every row for ORDER BY id DESC (measured 0.3–2.5 s, docs/benchmarks.md). With
-- (tenant_id, id) they walk the newest rows and stop after a page; status + priority gets its
-- own index for the dispatcher's common filter.
CREATE INDEX work_orders_newest ON work_orders(tenant_id, id);
CREATE INDEX work_orders_status_priority ON work_orders(tenant_id, status, priority, id);
