-- 0005_archive_care: the rest of issue 3 — pinyin-initials search, the maintenance-due list
-- at a million assets, ABC contact plans with their contact tasks. Same text on both engines.

-- Pinyin initials of the customer's name ("zw" for 张伟, util/pinyin.c), kept by the store on
-- create, update, merge and import; rows written before are filled in on first use.
ALTER TABLE customers ADD COLUMN name_initials TEXT;
CREATE INDEX customers_initials ON customers(tenant_id, name_initials);

-- The next service's due day of each asset (domain/maint.c), kept by the store when what it
-- depends on changes (purchase date, readings, the model's schedule) and refreshed by
-- store_maint_refresh() for finished maintenance orders: the due list reads an index
-- instead of computing two million assets. Completing a service only moves the day later, so a
-- cached day is early, never late (candidates are recomputed exactly when listed); a reopened
-- order is caught by store_maint_refresh().
-- due_org_id is the owner's organisation as of that computation, so the list of one outlet walks
-- this index alone in due order (id included for the page order) instead of reading every asset
-- and customer row on the way.
ALTER TABLE assets ADD COLUMN next_due_on TEXT;
ALTER TABLE assets ADD COLUMN due_org_id BIGINT;
CREATE INDEX assets_next_due ON assets(tenant_id, next_due_on, id, due_org_id);

-- The customer's last visit (churn, ABC plans, every customer list row): max(created_at) of their
-- work orders in one seek; without it SQLite walked work_orders_created backwards per row.
CREATE INDEX work_orders_customer_created ON work_orders(tenant_id, customer_id, created_at);

-- ABC contact plans (DOMAIN §6: A weekly, B monthly, C at least every six months) as tenant
-- data; no row = the default of domain/care.c.
CREATE TABLE care_plans (
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  class TEXT NOT NULL,
  every_days BIGINT NOT NULL DEFAULT 0,
  every_months BIGINT NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, class)
);

-- Contact tasks the plans generate: at most one open task per customer (the partial unique
-- index makes the generator idempotent even when two nodes run it at once).
CREATE TABLE contact_tasks (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  org_id BIGINT REFERENCES organizations(id),
  owner_id BIGINT REFERENCES users(id),
  class TEXT NOT NULL,
  due_on TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'open',
  outcome TEXT,
  note TEXT,
  done_at BIGINT,
  done_by BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX contact_tasks_open ON contact_tasks(tenant_id, customer_id) WHERE status = 'open';
CREATE INDEX contact_tasks_due ON contact_tasks(tenant_id, status, due_on, id);
CREATE INDEX contact_tasks_customer ON contact_tasks(tenant_id, customer_id, id);
CREATE INDEX contact_tasks_owner ON contact_tasks(tenant_id, owner_id, status);
