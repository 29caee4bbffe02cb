-- 0012_appointments: appointments and capacity (DOMAIN §2 预约, §4 "walk-in shops: dispatch goes
-- to bays (工位) and technicians with capacity per day (预约看板)"; issue 5 item 6). An
-- appointment is the order's appointment_start/appointment_end (epoch ms) and, in a workshop,
-- the bay it books; free time comes from technicians' shifts, leave and bookings, or from the
-- bays' hours and daily capacity (store/appointments.c).

-- A workshop bay: where a car is worked on, with its equipment and how many orders it takes a day.
CREATE TABLE bays (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  org_id BIGINT NOT NULL REFERENCES organizations(id),
  name TEXT NOT NULL,
  kind TEXT NOT NULL,                      -- mechanical | bodywork | paint | quick | wash | other
  equipment_json TEXT,                     -- JSON array of names: 举升机, 四轮定位仪 …
  daily_capacity BIGINT NOT NULL,          -- orders per day
  open_min BIGINT,                         -- own opening hours (local minutes of the day);
  close_min BIGINT,                        -- NULL: the tenant's working calendar
  active BIGINT NOT NULL DEFAULT 1,
  note TEXT,
  deleted_at BIGINT,                       -- removed (past orders keep pointing at it)
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX bays_org ON bays(tenant_id, org_id);
CREATE UNIQUE INDEX bays_name ON bays(tenant_id, org_id, name) WHERE deleted_at IS NULL;

ALTER TABLE work_orders ADD COLUMN bay_id BIGINT;
ALTER TABLE work_orders ADD COLUMN no_show_at BIGINT;
ALTER TABLE customers ADD COLUMN no_show_count BIGINT NOT NULL DEFAULT 0;
CREATE INDEX work_orders_appointment ON work_orders(tenant_id, appointment_start);
CREATE INDEX work_orders_bay ON work_orders(tenant_id, bay_id, appointment_start);

-- One reminder per order and appointment time: the row is taken before the message is written,
-- so two runs (or two nodes) never send it twice, and a moved appointment is reminded again.
CREATE TABLE appointment_reminders (
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  order_id BIGINT NOT NULL REFERENCES work_orders(id),
  appointment_start BIGINT NOT NULL,
  sent_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX appointment_reminders_key ON appointment_reminders(tenant_id, order_id, appointment_start);
