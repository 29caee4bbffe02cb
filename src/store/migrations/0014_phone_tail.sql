-- 0014_phone_tail: the lookup by the last digits of a phone (?phone=5678) at a million
-- customers (issue 3, docs/benchmarks.md). Four digits match about a hundred phones; with
-- only (tenant_id, last four) in the index each match cost a read of its customer_phones row
-- (for customer_id and the other digits), and the page's phones another row each. Both
-- indexes now carry what those queries read, so they answer from the index alone.
DROP INDEX customer_phones_tail;
CREATE INDEX customer_phones_tail ON customer_phones(tenant_id, (substr(phone, length(phone) - 3)), customer_id, phone);
DROP INDEX customer_phones_customer;
CREATE INDEX customer_phones_customer ON customer_phones(tenant_id, customer_id, phone);
