-- 0017_dispatch_changes: what changed for dispatch, so that each node's cache of the technicians
-- (src/store/dispatch_cache.c: everything the suggestions rank by, with the spatial index built
-- over it) stays true with several nodes on one database. Triggers note the technician a write
-- touches — a profile or position, skills, certificates, brands, shifts, leave, the user, an
-- order booked to them or taken from them; 0 = everyone (an organisation changed) — and a node
-- reads the notes since its last look before it ranks, reloading only those technicians.
-- xid: the writing transaction's id on PostgreSQL, where ids of a sequence are not committed in
-- order (a reader takes every note of a transaction not finished at its last look); SQLite has
-- one writer, so ids are. The scheduler's dispatch_changes_prune drops notes older than an hour.
CREATE TABLE dispatch_changes (
  id @ID@,
  tenant_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  xid BIGINT NOT NULL DEFAULT 0,
  at BIGINT NOT NULL
);
CREATE INDEX dispatch_changes_tenant ON dispatch_changes(tenant_id, id);
CREATE INDEX dispatch_changes_xid ON dispatch_changes(tenant_id, xid);
CREATE INDEX dispatch_changes_at ON dispatch_changes(at);

@SQLITE@
CREATE TRIGGER dc_t_profiles_i AFTER INSERT ON tech_profiles FOR EACH ROW BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (NEW.tenant_id, NEW.user_id, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_t_profiles_u AFTER UPDATE ON tech_profiles FOR EACH ROW BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (NEW.tenant_id, NEW.user_id, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_t_profiles_d AFTER DELETE ON tech_profiles FOR EACH ROW BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (OLD.tenant_id, OLD.user_id, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_t_skills_i AFTER INSERT ON tech_skills FOR EACH ROW BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (NEW.tenant_id, NEW.user_id, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_t_skills_u AFTER UPDATE ON tech_skills FOR EACH ROW BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (NEW.tenant_id, NEW.user_id, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_t_skills_d AFTER DELETE ON tech_skills FOR EACH ROW BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (OLD.tenant_id, OLD.user_id, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_t_certs_i AFTER INSERT ON tech_certs FOR EACH ROW BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (NEW.tenant_id, NEW.user_id, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_t_certs_u AFTER UPDATE ON tech_certs FOR EACH ROW BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (NEW.tenant_id, NEW.user_id, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_t_certs_d AFTER DELETE ON tech_certs FOR EACH ROW BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (OLD.tenant_id, OLD.user_id, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_t_brands_i AFTER INSERT ON tech_brands FOR EACH ROW BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (NEW.tenant_id, NEW.user_id, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_t_brands_u AFTER UPDATE ON tech_brands FOR EACH ROW BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (NEW.tenant_id, NEW.user_id, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_t_brands_d AFTER DELETE ON tech_brands FOR EACH ROW BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (OLD.tenant_id, OLD.user_id, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_t_shifts_i AFTER INSERT ON tech_shifts FOR EACH ROW BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (NEW.tenant_id, NEW.user_id, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_t_shifts_u AFTER UPDATE ON tech_shifts FOR EACH ROW BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (NEW.tenant_id, NEW.user_id, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_t_shifts_d AFTER DELETE ON tech_shifts FOR EACH ROW BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (OLD.tenant_id, OLD.user_id, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_t_leave_i AFTER INSERT ON tech_leave FOR EACH ROW BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (NEW.tenant_id, NEW.user_id, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_t_leave_u AFTER UPDATE ON tech_leave FOR EACH ROW BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (NEW.tenant_id, NEW.user_id, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_t_leave_d AFTER DELETE ON tech_leave FOR EACH ROW BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (OLD.tenant_id, OLD.user_id, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_users_i AFTER INSERT ON users FOR EACH ROW BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (NEW.tenant_id, NEW.id, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_users_u AFTER UPDATE ON users FOR EACH ROW BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (NEW.tenant_id, NEW.id, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_users_d AFTER DELETE ON users FOR EACH ROW BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (OLD.tenant_id, OLD.id, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_organizations_i AFTER INSERT ON organizations FOR EACH ROW BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (NEW.tenant_id, 0, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_organizations_u AFTER UPDATE ON organizations FOR EACH ROW BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (NEW.tenant_id, 0, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_organizations_d AFTER DELETE ON organizations FOR EACH ROW BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (OLD.tenant_id, 0, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_wo_i AFTER INSERT ON work_orders FOR EACH ROW WHEN NEW.assignee_id IS NOT NULL BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (NEW.tenant_id, NEW.assignee_id, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_wo_d AFTER DELETE ON work_orders FOR EACH ROW WHEN OLD.assignee_id IS NOT NULL BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) VALUES (OLD.tenant_id, OLD.assignee_id, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)); END;
CREATE TRIGGER dc_wo_u AFTER UPDATE OF assignee_id, status, appointment_start, appointment_end, lat, lon, region ON work_orders FOR EACH ROW WHEN OLD.assignee_id IS NOT NEW.assignee_id OR OLD.status IS NOT NEW.status OR OLD.appointment_start IS NOT NEW.appointment_start OR OLD.appointment_end IS NOT NEW.appointment_end OR OLD.lat IS NOT NEW.lat OR OLD.lon IS NOT NEW.lon OR OLD.region IS NOT NEW.region BEGIN INSERT INTO dispatch_changes(tenant_id, user_id, at) SELECT NEW.tenant_id, OLD.assignee_id, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) WHERE OLD.assignee_id IS NOT NULL; INSERT INTO dispatch_changes(tenant_id, user_id, at) SELECT NEW.tenant_id, NEW.assignee_id, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) WHERE NEW.assignee_id IS NOT NULL AND NEW.assignee_id IS NOT OLD.assignee_id; END;
@END@
@PG@
CREATE FUNCTION dispatch_note() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r jsonb;
  u bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN r := to_jsonb(OLD); ELSE r := to_jsonb(NEW); END IF;
  u := CASE WHEN TG_ARGV[0] = '' THEN 0 ELSE (r ->> TG_ARGV[0])::bigint END;
  IF u IS NOT NULL THEN
    INSERT INTO dispatch_changes(tenant_id, user_id, xid, at) VALUES ((r ->> 'tenant_id')::bigint, u,
      pg_current_xact_id()::text::bigint, (extract(epoch FROM clock_timestamp()) * 1000)::bigint);
  END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION dispatch_note_wo() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.assignee_id IS NOT NULL THEN
    INSERT INTO dispatch_changes(tenant_id, user_id, xid, at) VALUES (NEW.tenant_id, OLD.assignee_id,
      pg_current_xact_id()::text::bigint, (extract(epoch FROM clock_timestamp()) * 1000)::bigint);
  END IF;
  IF NEW.assignee_id IS NOT NULL AND NEW.assignee_id IS DISTINCT FROM OLD.assignee_id THEN
    INSERT INTO dispatch_changes(tenant_id, user_id, xid, at) VALUES (NEW.tenant_id, NEW.assignee_id,
      pg_current_xact_id()::text::bigint, (extract(epoch FROM clock_timestamp()) * 1000)::bigint);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER dc_tech_profiles AFTER INSERT OR UPDATE OR DELETE ON tech_profiles FOR EACH ROW EXECUTE FUNCTION dispatch_note('user_id');
CREATE TRIGGER dc_tech_skills AFTER INSERT OR UPDATE OR DELETE ON tech_skills FOR EACH ROW EXECUTE FUNCTION dispatch_note('user_id');
CREATE TRIGGER dc_tech_certs AFTER INSERT OR UPDATE OR DELETE ON tech_certs FOR EACH ROW EXECUTE FUNCTION dispatch_note('user_id');
CREATE TRIGGER dc_tech_brands AFTER INSERT OR UPDATE OR DELETE ON tech_brands FOR EACH ROW EXECUTE FUNCTION dispatch_note('user_id');
CREATE TRIGGER dc_tech_shifts AFTER INSERT OR UPDATE OR DELETE ON tech_shifts FOR EACH ROW EXECUTE FUNCTION dispatch_note('user_id');
CREATE TRIGGER dc_tech_leave AFTER INSERT OR UPDATE OR DELETE ON tech_leave FOR EACH ROW EXECUTE FUNCTION dispatch_note('user_id');
CREATE TRIGGER dc_users AFTER INSERT OR UPDATE OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION dispatch_note('id');
CREATE TRIGGER dc_organizations AFTER INSERT OR UPDATE OR DELETE ON organizations FOR EACH ROW EXECUTE FUNCTION dispatch_note('');
CREATE TRIGGER dc_wo_i AFTER INSERT ON work_orders FOR EACH ROW WHEN (NEW.assignee_id IS NOT NULL) EXECUTE FUNCTION dispatch_note('assignee_id');
CREATE TRIGGER dc_wo_d AFTER DELETE ON work_orders FOR EACH ROW WHEN (OLD.assignee_id IS NOT NULL) EXECUTE FUNCTION dispatch_note('assignee_id');
CREATE TRIGGER dc_wo_u AFTER UPDATE OF assignee_id, status, appointment_start, appointment_end, lat, lon, region ON work_orders FOR EACH ROW WHEN (OLD.assignee_id IS DISTINCT FROM NEW.assignee_id OR OLD.status IS DISTINCT FROM NEW.status OR OLD.appointment_start IS DISTINCT FROM NEW.appointment_start OR OLD.appointment_end IS DISTINCT FROM NEW.appointment_end OR OLD.lat IS DISTINCT FROM NEW.lat OR OLD.lon IS DISTINCT FROM NEW.lon OR OLD.region IS DISTINCT FROM NEW.region) EXECUTE FUNCTION dispatch_note_wo();
@END@
