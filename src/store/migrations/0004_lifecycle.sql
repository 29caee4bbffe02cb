-- 0004_lifecycle: the work-order flow of DOMAIN §3 (issue 4): states with holds and rework,
-- classification and SLA deadlines on the tenant's working calendar, estimate and actual
-- lines, approvals and consents, car reception, execution (work log, photos, checklists),
-- QC, bills with payments and refunds, delivery and the customer's rating, the notification
-- outbox and saved list filters. Money is integer fen, hours in hundredths, quantities in
-- thousandths, times epoch milliseconds UTC.

-- The order itself.
ALTER TABLE work_orders ADD COLUMN fault_category_id BIGINT;
ALTER TABLE work_orders ADD COLUMN work_class TEXT;            -- major | medium | minor (vehicles)
ALTER TABLE work_orders ADD COLUMN payment_type TEXT;          -- self_pay | warranty | claim | insurance
ALTER TABLE work_orders ADD COLUMN contract TEXT;              -- the customer's service contract, if any
ALTER TABLE work_orders ADD COLUMN region TEXT;                -- city of the service address, for SLA and dispatch
ALTER TABLE work_orders ADD COLUMN lat DOUBLE PRECISION;
ALTER TABLE work_orders ADD COLUMN lon DOUBLE PRECISION;
ALTER TABLE work_orders ADD COLUMN state_since BIGINT;         -- when the current status was entered
ALTER TABLE work_orders ADD COLUMN hold_parts_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE work_orders ADD COLUMN hold_customer_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE work_orders ADD COLUMN rework_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE work_orders ADD COLUMN cancel_reason TEXT;
ALTER TABLE work_orders ADD COLUMN completed_at BIGINT;
ALTER TABLE work_orders ADD COLUMN closed_at BIGINT;
ALTER TABLE work_orders ADD COLUMN promised_at BIGINT;         -- promised completion time
ALTER TABLE work_orders ADD COLUMN approval_limit_fen BIGINT;  -- "above this amount, call me first"
ALTER TABLE work_orders ADD COLUMN approved_total_fen BIGINT;  -- the estimate total the customer approved
ALTER TABLE work_orders ADD COLUMN approved_at BIGINT;
ALTER TABLE work_orders ADD COLUMN appointment_start BIGINT;
ALTER TABLE work_orders ADD COLUMN appointment_end BIGINT;
ALTER TABLE work_orders ADD COLUMN mileage BIGINT;             -- at reception (vehicles)
-- SLA deadlines (computed at create on the tenant's calendar) and when each was met.
ALTER TABLE work_orders ADD COLUMN sla_response_due BIGINT;
ALTER TABLE work_orders ADD COLUMN sla_answer_due BIGINT;
ALTER TABLE work_orders ADD COLUMN sla_onsite_due BIGINT;
ALTER TABLE work_orders ADD COLUMN sla_resolve_due BIGINT;
ALTER TABLE work_orders ADD COLUMN responded_at BIGINT;
ALTER TABLE work_orders ADD COLUMN answered_at BIGINT;
ALTER TABLE work_orders ADD COLUMN onsite_at BIGINT;
ALTER TABLE work_orders ADD COLUMN resolved_at BIGINT;
ALTER TABLE work_orders ADD COLUMN sla_breached TEXT;          -- comma list: response,answer,onsite,resolve
-- Delivery and the customer's confirmation.
ALTER TABLE work_orders ADD COLUMN delivery_json TEXT;
ALTER TABLE work_orders ADD COLUMN confirmed_at BIGINT;
ALTER TABLE work_orders ADD COLUMN confirm_channel TEXT;
ALTER TABLE work_orders ADD COLUMN rating BIGINT;
ALTER TABLE work_orders ADD COLUMN rating_comment TEXT;
CREATE INDEX work_orders_assignee ON work_orders(tenant_id, assignee_id, status);
CREATE INDEX work_orders_sla ON work_orders(tenant_id, sla_resolve_due);

-- Timeline rows visible to the customer (notes) vs internal comments.
ALTER TABLE wo_events ADD COLUMN public BIGINT NOT NULL DEFAULT 0;

-- Per-tenant settings (key → JSON value): labour rate, reopen period, discount limits per role,
-- QC required, company name and terms printed on the estimate …
CREATE TABLE tenant_settings (
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  key TEXT NOT NULL,
  value_json TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX tenant_settings_key ON tenant_settings(tenant_id, key);

-- Fault categories: a tree (materialised path like organisations) with the defaults the
-- intake suggests.
CREATE TABLE fault_categories (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  parent_id BIGINT REFERENCES fault_categories(id),
  path TEXT NOT NULL,
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  name_en TEXT,
  default_priority TEXT,
  default_type TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX fault_categories_code ON fault_categories(tenant_id, code);

-- SLA policy: minutes per deadline for a priority, optionally narrowed to a contract and/or
-- region; the most specific match wins. calendar: working (tenant calendar) | 24x7.
CREATE TABLE sla_policies (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  priority TEXT NOT NULL,
  contract TEXT,
  region TEXT,
  response_min BIGINT NOT NULL,
  answer_min BIGINT NOT NULL,
  onsite_min BIGINT NOT NULL,
  resolve_min BIGINT NOT NULL,
  calendar TEXT NOT NULL DEFAULT 'working',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX sla_policies_priority ON sla_policies(tenant_id, priority);

-- Working calendar: one row per tenant for the week, one per exceptional day
-- (holiday = closed, workday = an extra working day such as a 调休 Saturday).
CREATE TABLE work_calendars (
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  weekdays BIGINT NOT NULL DEFAULT 31,     -- bit 0 = Monday … bit 6 = Sunday
  start_min BIGINT NOT NULL DEFAULT 540,   -- 09:00 local
  end_min BIGINT NOT NULL DEFAULT 1080,    -- 18:00 local
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX work_calendars_tenant ON work_calendars(tenant_id);
CREATE TABLE calendar_days (
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  day TEXT NOT NULL,                       -- YYYY-MM-DD local
  kind TEXT NOT NULL,                      -- holiday | workday
  name TEXT
);
CREATE UNIQUE INDEX calendar_days_day ON calendar_days(tenant_id, day);

-- Lines, as estimate and as actual (an actual line may point at the estimate line it carries out).
CREATE TABLE wo_lines (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  order_id BIGINT NOT NULL REFERENCES work_orders(id),
  stage TEXT NOT NULL,                     -- estimate | actual
  kind TEXT NOT NULL,                      -- labour | part | fee
  operation_id BIGINT,                     -- labour: labour_operations.id
  code TEXT,                               -- operation code or part number
  name TEXT NOT NULL,
  hours_x100 BIGINT,                       -- labour: standard hours × 100
  rate_fen BIGINT,                         -- labour: hourly rate
  coefficient_milli BIGINT,                -- labour: the model's complexity coefficient × 1000
  qty_milli BIGINT NOT NULL DEFAULT 1000,  -- parts and fees: quantity × 1000
  unit_price_fen BIGINT,                   -- parts and fees
  amount_fen BIGINT NOT NULL,
  pay_type TEXT NOT NULL,                  -- warranty | self_pay | claim | insurance
  additional BIGINT NOT NULL DEFAULT 0,    -- an additional item found during work (追加项目)
  consent_at BIGINT,
  consent_by TEXT,
  consent_channel TEXT,                    -- phone | in_person | online | signature
  done BIGINT NOT NULL DEFAULT 0,
  estimate_line_id BIGINT,
  created_by BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX wo_lines_order ON wo_lines(tenant_id, order_id, stage, id);

-- Customer approvals: of the estimate (signed on screen, online, by phone) and of additional items.
CREATE TABLE wo_approvals (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  order_id BIGINT NOT NULL REFERENCES work_orders(id),
  kind TEXT NOT NULL,                      -- estimate | additional | reception | delivery
  total_fen BIGINT,
  by_name TEXT NOT NULL,
  channel TEXT NOT NULL,                   -- signature | online | phone | in_person
  signature_id BIGINT,                     -- attachments.id of the signature image
  line_ids_json TEXT,
  actor_id BIGINT,
  at BIGINT NOT NULL
);
CREATE INDEX wo_approvals_order ON wo_approvals(tenant_id, order_id, id);

-- Photos and signature images, stored in the database so every node sees them (base64 text).
CREATE TABLE attachments (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  order_id BIGINT REFERENCES work_orders(id),
  kind TEXT NOT NULL,                      -- photo | signature
  name TEXT,
  mime TEXT NOT NULL,
  size BIGINT NOT NULL,
  width BIGINT,
  height BIGINT,
  data_b64 TEXT NOT NULL,
  thumb_b64 TEXT,
  caption TEXT,
  created_by BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX attachments_order ON attachments(tenant_id, order_id, id);

-- Car reception (接车): the walk-around sheet, one per order.
CREATE TABLE wo_receptions (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  order_id BIGINT NOT NULL REFERENCES work_orders(id),
  sheet_json TEXT NOT NULL,                -- damage marks, fuel, valuables, old parts, wash, payment method
  mileage BIGINT,
  signature_id BIGINT,
  signed_at BIGINT,
  created_by BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX wo_receptions_order ON wo_receptions(tenant_id, order_id);

-- The technician's work log.
CREATE TABLE wo_worklog (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  order_id BIGINT NOT NULL REFERENCES work_orders(id),
  user_id BIGINT NOT NULL,
  started_at BIGINT NOT NULL,
  stopped_at BIGINT,
  note TEXT
);
CREATE INDEX wo_worklog_order ON wo_worklog(tenant_id, order_id, id);
CREATE INDEX wo_worklog_user ON wo_worklog(tenant_id, user_id, started_at);

-- Checklists: execution (per order type, maintenance from the model's schedule) and QC.
CREATE TABLE wo_checklists (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  order_id BIGINT NOT NULL REFERENCES work_orders(id),
  kind TEXT NOT NULL,                      -- execution | qc
  items_json TEXT NOT NULL,                -- [{"key","label","checked","note"}]
  result TEXT,                             -- qc: pass | fail
  note TEXT,
  by_id BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX wo_checklists_order ON wo_checklists(tenant_id, order_id, kind, id);

-- Rework: each QC failure or reopening, per order and technician.
CREATE TABLE wo_reworks (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  order_id BIGINT NOT NULL REFERENCES work_orders(id),
  technician_id BIGINT,
  cause TEXT NOT NULL,                     -- qc_fail | reopen
  reason TEXT NOT NULL,
  actor_id BIGINT,
  at BIGINT NOT NULL
);
CREATE INDEX wo_reworks_order ON wo_reworks(tenant_id, order_id);
CREATE INDEX wo_reworks_tech ON wo_reworks(tenant_id, technician_id, at);

-- Bills from the actual lines; a credit note is a bill of kind credit pointing at the one it corrects.
CREATE TABLE bills (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  order_id BIGINT NOT NULL REFERENCES work_orders(id),
  number TEXT NOT NULL,
  kind TEXT NOT NULL DEFAULT 'bill',       -- bill | credit
  credit_of BIGINT,
  state TEXT NOT NULL,                     -- open | paid | void
  labour_fen BIGINT NOT NULL,
  parts_fen BIGINT NOT NULL,
  fees_fen BIGINT NOT NULL,
  warranty_fen BIGINT NOT NULL,            -- at zero to the customer, recorded for the claim
  claim_fen BIGINT NOT NULL DEFAULT 0,
  insurance_fen BIGINT NOT NULL DEFAULT 0,
  discount_fen BIGINT NOT NULL DEFAULT 0,
  discount_reason TEXT,
  total_fen BIGINT NOT NULL,               -- what the customer pays
  paid_fen BIGINT NOT NULL DEFAULT 0,
  refunded_fen BIGINT NOT NULL DEFAULT 0,
  lines_json TEXT NOT NULL,                -- the actual lines as billed
  created_by BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX bills_order ON bills(tenant_id, order_id, id);
CREATE UNIQUE INDEX bills_number ON bills(tenant_id, number);

CREATE TABLE payments (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  bill_id BIGINT NOT NULL REFERENCES bills(id),
  order_id BIGINT NOT NULL REFERENCES work_orders(id),
  kind TEXT NOT NULL,                      -- payment | refund
  method TEXT NOT NULL,                    -- cash | card | wechat | alipay | transfer
  amount_fen BIGINT NOT NULL,              -- positive; a refund's kind says which way
  reference TEXT,
  reason TEXT,
  actor_id BIGINT,
  at BIGINT NOT NULL
);
CREATE INDEX payments_bill ON payments(tenant_id, bill_id, id);
CREATE INDEX payments_order ON payments(tenant_id, order_id, id);

-- The notification outbox: every message to a customer or user is written here in the same
-- transaction as the event that causes it; a sender (a later issue) delivers it.
CREATE TABLE outbox (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  channel TEXT NOT NULL,                   -- sms | email | wechat | wecom
  recipient TEXT NOT NULL,
  template TEXT NOT NULL,
  data_json TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',   -- pending | sent | failed
  attempts BIGINT NOT NULL DEFAULT 0,
  order_id BIGINT,
  customer_id BIGINT,
  created_at BIGINT NOT NULL,
  next_try_at BIGINT,
  sent_at BIGINT,
  last_error TEXT
);
CREATE INDEX outbox_pending ON outbox(state, next_try_at, id);
CREATE INDEX outbox_order ON outbox(tenant_id, order_id);

-- A user's saved work-order list filters.
CREATE TABLE saved_filters (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  user_id BIGINT NOT NULL,
  name TEXT NOT NULL,
  query_json TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX saved_filters_user ON saved_filters(tenant_id, user_id, id);

-- Leases for work only one node may do at a time (the scheduler).
CREATE TABLE leases (
  name TEXT NOT NULL,
  holder TEXT NOT NULL,
  until_ms BIGINT NOT NULL
);
CREATE UNIQUE INDEX leases_name ON leases(name);
