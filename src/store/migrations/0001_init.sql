-- 0001_init: tenants, organisations, users, sessions, tokens, audit, work orders and the
-- archive tables the demo data needs. Written once for both engines: @ID@ becomes the
-- engine's auto-increment primary key; times are BIGINT epoch milliseconds (UTC);
-- every table carries tenant_id and every index leads with it.

CREATE TABLE tenants (
  id @ID@,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  tz TEXT NOT NULL DEFAULT 'Asia/Shanghai',
  tz_offset_min BIGINT NOT NULL DEFAULT 480,
  created_at BIGINT NOT NULL
);

CREATE TABLE organizations (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  parent_id BIGINT REFERENCES organizations(id),
  type TEXT NOT NULL,
  name TEXT NOT NULL,
  code TEXT,
  province TEXT,
  city TEXT,
  district TEXT,
  address TEXT,
  lat DOUBLE PRECISION,
  lon DOUBLE PRECISION,
  path TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX organizations_code ON organizations(tenant_id, code);
CREATE INDEX organizations_path ON organizations(tenant_id, path);
CREATE INDEX organizations_parent ON organizations(tenant_id, parent_id);

CREATE TABLE customers (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  org_id BIGINT REFERENCES organizations(id),
  kind TEXT NOT NULL DEFAULT 'person',
  name TEXT NOT NULL,
  class TEXT NOT NULL DEFAULT 'C',
  source TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX customers_name ON customers(tenant_id, name);

CREATE TABLE customer_phones (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  phone TEXT NOT NULL
);
CREATE UNIQUE INDEX customer_phones_phone ON customer_phones(tenant_id, phone);
CREATE INDEX customer_phones_customer ON customer_phones(tenant_id, customer_id);

CREATE TABLE customer_addresses (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  province TEXT,
  city TEXT,
  district TEXT,
  text TEXT NOT NULL,
  lat DOUBLE PRECISION,
  lon DOUBLE PRECISION
);
CREATE INDEX customer_addresses_customer ON customer_addresses(tenant_id, customer_id);

CREATE TABLE users (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  org_id BIGINT NOT NULL REFERENCES organizations(id),
  login TEXT NOT NULL,
  name TEXT NOT NULL,
  phone TEXT,
  email TEXT,
  password_hash TEXT NOT NULL,
  roles TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active',
  customer_id BIGINT REFERENCES customers(id),
  skills TEXT,
  lat DOUBLE PRECISION,
  lon DOUBLE PRECISION,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX users_login ON users(tenant_id, login);
CREATE INDEX users_org ON users(tenant_id, org_id);

CREATE TABLE sessions (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  token_hash TEXT NOT NULL,
  csrf TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX sessions_token ON sessions(token_hash);
CREATE INDEX sessions_user ON sessions(tenant_id, user_id);

CREATE TABLE api_tokens (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  created_by BIGINT,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE UNIQUE INDEX api_tokens_token ON api_tokens(token_hash);
CREATE INDEX api_tokens_tenant ON api_tokens(tenant_id, id);

CREATE TABLE login_failures (
  id @ID@,
  tenant_id BIGINT NOT NULL,
  key TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(tenant_id, key, at);

CREATE TABLE audit_log (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  at BIGINT NOT NULL,
  user_id BIGINT,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id BIGINT,
  before_json TEXT,
  after_json TEXT,
  request_id TEXT
);
CREATE INDEX audit_log_tenant ON audit_log(tenant_id, id);
CREATE INDEX audit_log_entity ON audit_log(tenant_id, entity, entity_id);

CREATE TABLE counters (
  tenant_id BIGINT NOT NULL,
  name TEXT NOT NULL,
  value BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, name)
);

CREATE TABLE idempotency_keys (
  id @ID@,
  tenant_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status BIGINT NOT NULL,
  response TEXT NOT NULL,
  location TEXT,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX idempotency_keys_key ON idempotency_keys(tenant_id, user_id, key);

CREATE TABLE product_models (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  brand TEXT NOT NULL,
  category TEXT NOT NULL,
  model TEXT NOT NULL,
  warranty_months BIGINT NOT NULL DEFAULT 12,
  complexity_milli BIGINT NOT NULL DEFAULT 1000,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX product_models_model ON product_models(tenant_id, brand, model);

CREATE TABLE assets (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  customer_id BIGINT NOT NULL REFERENCES customers(id),
  model_id BIGINT NOT NULL REFERENCES product_models(id),
  serial TEXT NOT NULL,
  purchase_date TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX assets_serial ON assets(tenant_id, model_id, serial);
CREATE INDEX assets_customer ON assets(tenant_id, customer_id);

CREATE TABLE work_orders (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  org_id BIGINT NOT NULL REFERENCES organizations(id),
  number TEXT NOT NULL,
  type TEXT NOT NULL,
  priority TEXT NOT NULL,
  channel TEXT NOT NULL,
  status TEXT NOT NULL,
  customer_id BIGINT REFERENCES customers(id),
  customer_name TEXT NOT NULL,
  customer_phone TEXT,
  asset_id BIGINT REFERENCES assets(id),
  address TEXT,
  fault_description TEXT NOT NULL,
  assignee_id BIGINT REFERENCES users(id),
  created_by BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX work_orders_number ON work_orders(tenant_id, number);
CREATE INDEX work_orders_status ON work_orders(tenant_id, status, id);
CREATE INDEX work_orders_created ON work_orders(tenant_id, created_at);
CREATE INDEX work_orders_org ON work_orders(tenant_id, org_id, id);
CREATE INDEX work_orders_customer ON work_orders(tenant_id, customer_id);

CREATE TABLE wo_events (
  id @ID@,
  tenant_id BIGINT NOT NULL,
  order_id BIGINT NOT NULL REFERENCES work_orders(id),
  at BIGINT NOT NULL,
  actor_id BIGINT,
  event TEXT NOT NULL,
  data TEXT
);
CREATE INDEX wo_events_order ON wo_events(tenant_id, order_id, id);
