-- 0015_dispatch_index: what the suggestions' pre-filter (store/dispatch.c) asks at 10,000
-- technicians without reading them all (issue 5): who is inside a box around the order, by the
-- position their phone reported or by their base; an order without a position: its city's
-- technicians by outcome score, best first; and how many active technicians a subtree has,
-- from the index alone (the partial index holds exactly the active technicians; its test is
-- dispatch.c's IS_TECHNICIAN, word for word, or SQLite would not use it).
CREATE INDEX tech_profiles_pos ON tech_profiles(tenant_id, pos_lat, pos_lon);
CREATE INDEX tech_profiles_base ON tech_profiles(tenant_id, base_lat, base_lon);
CREATE INDEX tech_profiles_score ON tech_profiles(tenant_id, (COALESCE(score_x100, 7000)));
CREATE INDEX users_technicians ON users(tenant_id, org_id, status, roles)
  WHERE (roles LIKE 'technician' OR roles LIKE 'technician,%' OR roles LIKE '%,technician' OR roles
  LIKE '%,technician,%') AND status = 'active';
