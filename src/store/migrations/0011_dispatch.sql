-- 0011_dispatch: what dispatch (DOMAIN §4) reads about people and the network (issue 5 items 1
-- and 4): technicians as resources (profile, skills, certificates, brands, weekly shifts,
-- leave), authorisations between a manufacturer or station and an outlet (网签), and the
-- dispatch policy per organisation / order type / priority. Dates are 'YYYY-MM-DD' text like
-- assets.purchase_date; times are epoch milliseconds UTC; minutes of the day are local time.

-- One row per technician, created on the first write about them (reads show the defaults).
CREATE TABLE tech_profiles (
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  team TEXT,
  base_lat DOUBLE PRECISION,               -- where they start the day (home or outlet)
  base_lon DOUBLE PRECISION,
  area_radius_km BIGINT,                   -- service area around the base; NULL = no limit
  area_regions_json TEXT,                  -- JSON array of region codes / city names served
  on_duty BIGINT NOT NULL DEFAULT 1,           -- on duty unless they go off (phone or manager)
  duty_changed_at BIGINT,
  pos_lat DOUBLE PRECISION,                -- last position reported by the phone
  pos_lon DOUBLE PRECISION,
  pos_at BIGINT,
  level BIGINT NOT NULL DEFAULT 1,         -- seniority 1..5 (class A customers → senior)
  score_x100 BIGINT,                       -- outcome score 0..10000, NULL until computed with data
  score_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX tech_profiles_user ON tech_profiles(tenant_id, user_id);
CREATE INDEX tech_profiles_team ON tech_profiles(tenant_id, team);

CREATE TABLE tech_skills (
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  skill TEXT NOT NULL,                     -- a product category: 空调, 洗衣机, 汽车 …
  level BIGINT NOT NULL                    -- 1..5
);
CREATE UNIQUE INDEX tech_skills_user ON tech_skills(tenant_id, user_id, skill);
CREATE INDEX tech_skills_skill ON tech_skills(tenant_id, skill, level);

CREATE TABLE tech_certs (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  number TEXT,
  skill TEXT,                              -- the category it qualifies for, if any
  valid_from TEXT,
  expires_on TEXT,                         -- NULL = does not expire
  created_at BIGINT NOT NULL
);
CREATE INDEX tech_certs_user ON tech_certs(tenant_id, user_id);

-- Brands (and optionally one category of the brand) a technician may serve; none = any.
CREATE TABLE tech_brands (
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  brand TEXT NOT NULL,
  category TEXT                            -- NULL = every category of the brand
);
CREATE INDEX tech_brands_user ON tech_brands(tenant_id, user_id);

-- The weekly pattern, one shift per weekday (1 = Monday), minutes of the local day.
CREATE TABLE tech_shifts (
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  weekday BIGINT NOT NULL,
  start_min BIGINT NOT NULL,
  end_min BIGINT NOT NULL,
  break_start_min BIGINT,
  break_end_min BIGINT
);
CREATE UNIQUE INDEX tech_shifts_day ON tech_shifts(tenant_id, user_id, weekday);

CREATE TABLE tech_leave (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  from_at BIGINT NOT NULL,
  to_at BIGINT NOT NULL,                   -- exclusive
  kind TEXT NOT NULL,                      -- annual | sick | training | other
  reason TEXT,
  created_by BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX tech_leave_user ON tech_leave(tenant_id, user_id, to_at);

-- 网签: a manufacturer or station (principal) authorises an outlet for a brand and category
-- over a period; proposed by one side, active once both accepted.
CREATE TABLE authorizations (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  principal_org_id BIGINT NOT NULL REFERENCES organizations(id),
  outlet_org_id BIGINT NOT NULL REFERENCES organizations(id),
  brand TEXT NOT NULL,
  category TEXT NOT NULL,
  valid_from TEXT NOT NULL,
  valid_to TEXT NOT NULL,
  status TEXT NOT NULL,                    -- proposed | active | suspended | ended
  proposed_by_org_id BIGINT NOT NULL,
  principal_accepted_at BIGINT,
  principal_accepted_by BIGINT,
  outlet_accepted_at BIGINT,
  outlet_accepted_by BIGINT,
  status_reason TEXT,
  created_by BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
-- Dispatch asks "which outlets may take brand X, category Y on day D".
CREATE INDEX authorizations_lookup ON authorizations(tenant_id, brand, category, status, outlet_org_id);
CREATE INDEX authorizations_outlet ON authorizations(tenant_id, outlet_org_id);
CREATE INDEX authorizations_principal ON authorizations(tenant_id, principal_org_id);

-- How orders are dispatched: org_id NULL = the tenant's default, order_type / priority NULL =
-- any; the most specific row matching an order wins (store/authorizations.c).
CREATE TABLE dispatch_policies (
  id @ID@,
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  org_id BIGINT REFERENCES organizations(id),
  order_type TEXT,
  priority TEXT,
  mode TEXT NOT NULL,                      -- manual | suggest | auto
  accept_timeout_min BIGINT NOT NULL,
  weights_json TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX dispatch_policies_org ON dispatch_policies(tenant_id, org_id);
