-- 0002_archive: the customer and asset archive (issue 3). Extends the customers, phones,
-- addresses, product models and assets of 0001 (the demo loader and work orders use them)
-- and adds asset transfers, mileage readings and electronic warranty registrations.
-- Same text on both engines; dates of the customer's calendar are TEXT "YYYY-MM-DD".

ALTER TABLE customers ADD COLUMN tags_json TEXT;
ALTER TABLE customers ADD COLUMN consent_json TEXT;
ALTER TABLE customers ADD COLUMN notes TEXT;
-- Set on the customer merged away (kept for the audit trail, hidden from lists).
ALTER TABLE customers ADD COLUMN merged_into BIGINT;
CREATE INDEX customers_merged ON customers(tenant_id, merged_into);

ALTER TABLE customer_phones ADD COLUMN kind TEXT;
-- Lookup by the last digits of a phone (?phone=5678): an index on the last four characters,
-- an expression both engines know, so rows written by any module are covered.
CREATE INDEX customer_phones_tail ON customer_phones(tenant_id, (substr(phone, length(phone) - 3)));

-- Warranty policy of a model: every number is data (DOMAIN: defaults an administrator changes).
ALTER TABLE product_models ADD COLUMN main_part_months BIGINT;
ALTER TABLE product_models ADD COLUMN refund_days BIGINT NOT NULL DEFAULT 7;
ALTER TABLE product_models ADD COLUMN exchange_days BIGINT NOT NULL DEFAULT 15;
ALTER TABLE product_models ADD COLUMN repairs_before_exchange BIGINT NOT NULL DEFAULT 2;
ALTER TABLE product_models ADD COLUMN warranty_km BIGINT;
ALTER TABLE product_models ADD COLUMN covers_json TEXT;
-- Maintenance schedule: [{"name","km","months","operations":[…]}] in order (DOMAIN §6).
ALTER TABLE product_models ADD COLUMN maintenance_json TEXT;
CREATE INDEX product_models_category ON product_models(tenant_id, category, id);

ALTER TABLE assets ADD COLUMN engine_no TEXT;
ALTER TABLE assets ADD COLUMN plate TEXT;
ALTER TABLE assets ADD COLUMN purchase_place TEXT;
ALTER TABLE assets ADD COLUMN invoice_no TEXT;
ALTER TABLE assets ADD COLUMN install_date TEXT;
ALTER TABLE assets ADD COLUMN warranty_end TEXT;
ALTER TABLE assets ADD COLUMN warranty_end_reason TEXT;
ALTER TABLE assets ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE assets ADD COLUMN registered_at BIGINT;
CREATE INDEX assets_serial_any ON assets(tenant_id, serial);
CREATE INDEX assets_plate ON assets(tenant_id, plate);

-- Repairs of the same fault count towards an exchange (三包); work orders may carry a fault code.
ALTER TABLE work_orders ADD COLUMN fault_code TEXT;
CREATE INDEX work_orders_asset ON work_orders(tenant_id, asset_id);

-- An asset moving from one customer to another: the history is kept.
CREATE TABLE asset_transfers (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  asset_id BIGINT NOT NULL REFERENCES assets(id),
  from_customer_id BIGINT NOT NULL REFERENCES customers(id),
  to_customer_id BIGINT NOT NULL REFERENCES customers(id),
  reason TEXT,
  actor_id BIGINT,
  at BIGINT NOT NULL
);
CREATE INDEX asset_transfers_asset ON asset_transfers(tenant_id, asset_id, id);

-- Mileage readings (vehicles); a lower reading than the last is refused unless it is an
-- odometer change with its reason.
CREATE TABLE asset_readings (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  asset_id BIGINT NOT NULL REFERENCES assets(id),
  read_on TEXT NOT NULL,
  km BIGINT NOT NULL,
  odometer_change BIGINT NOT NULL DEFAULT 0,
  reason TEXT,
  actor_id BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX asset_readings_asset ON asset_readings(tenant_id, asset_id, id);

-- Electronic warranty registration (三包电子注册): one per serial and tenant.
CREATE TABLE warranty_registrations (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  serial TEXT NOT NULL,
  asset_id BIGINT NOT NULL REFERENCES assets(id),
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  model_id BIGINT NOT NULL REFERENCES product_models(id),
  purchase_date TEXT NOT NULL,
  channel TEXT NOT NULL DEFAULT 'api',
  created_by BIGINT,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX warranty_registrations_serial ON warranty_registrations(tenant_id, serial);

-- Standard labour operations (标准工时): a code with its standard hours (in thousandths),
-- for every model (model_id NULL) or one model.
CREATE TABLE labour_operations (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  model_id BIGINT REFERENCES product_models(id),
  category TEXT,
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  std_hours_milli BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX labour_operations_code ON labour_operations(tenant_id, code);
CREATE INDEX labour_operations_model ON labour_operations(tenant_id, model_id);

-- Customer care campaigns (活动, DOMAIN §6): customers picked by a rule, the message queued
-- for each (a later issue's notification outbox sends it), and who came back afterwards.
CREATE TABLE campaigns (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  name TEXT NOT NULL,
  channel TEXT NOT NULL,
  message TEXT NOT NULL,
  rule_json TEXT NOT NULL,
  created_by BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX campaigns_tenant ON campaigns(tenant_id, id);

CREATE TABLE campaign_targets (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  address TEXT,
  status TEXT NOT NULL DEFAULT 'queued',
  queued_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX campaign_targets_customer ON campaign_targets(tenant_id, campaign_id, customer_id);
