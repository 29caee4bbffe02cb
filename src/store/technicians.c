/*
 * technicians.c — technicians as resources for dispatch (DOMAIN §4, issue 5 item 1): a user
 * with the role technician plus a profile (team, base and service area, seniority level,
 * duty, last position, outcome score), skills per product category, certificates, brands
 * served, a weekly shift pattern and leave. Scope is the users': the caller's organisation
 * subtree. The profile row appears on the first write; its version covers every list of the
 * technician, so one If-Match guards the whole record.
 */
#include "store/store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TECH_COLS                                                                                                 \
	"u.id, u.name, u.phone, u.org_id, o.name AS org_name, u.status, p.team, COALESCE(p.level, 1) AS level, "  \
	"COALESCE(p.on_duty, 1) AS on_duty, p.duty_changed_at, p.base_lat, p.base_lon, p.area_radius_km, "         \
	"p.area_regions_json, p.pos_lat, p.pos_lon, p.pos_at, p.score_x100, p.score_at, COALESCE(p.version, 1) AS version"
#define TECH_FROM                                                                                                  \
	" FROM users u JOIN organizations o ON o.id = u.org_id LEFT JOIN tech_profiles p ON p.tenant_id = u.tenant_id " \
	"AND p.user_id = u.id WHERE u.tenant_id = ? AND o.path LIKE ? || '%' AND (',' || u.roles || ',') LIKE "          \
	"'%,technician,%'"

/* Columns row_json cannot type by their name. */
static const struct {
	const char *name;
	char kind; /* i: integer, b: boolean, r: real */
} col_types[] = {
	{"level", 'i'},    {"weekday", 'i'},  {"on_duty", 'b'},  {"expired", 'b'},
	{"base_lat", 'r'}, {"base_lon", 'r'}, {"pos_lat", 'r'}, {"pos_lon", 'r'},
};

static json_t *tech_row(const db_res *r, int row)
{
	json_t *o = row_json(r, row);
	for (int c = 0; c < db_cols(r); c++) {
		if (db_isnull(r, row, c))
			continue;
		for (size_t i = 0; i < ARRAY_LEN(col_types); i++) {
			if (strcmp(db_colname(r, c), col_types[i].name))
				continue;
			json_t *v = col_types[i].kind == 'i'   ? json_integer(db_int(r, row, c))
				    : col_types[i].kind == 'b' ? json_boolean(db_int(r, row, c) != 0)
							       : json_real(db_real(r, row, c));
			json_object_set_new(o, col_types[i].name, v);
		}
	}
	return o;
}

struct tech_ctx {
	const principal *who;
	const actor *a;
	const tech_filter *f;
	int64_t id, sub_id, if_match, cursor, next;
	int limit;
	double lat, lon;
	bool on;
	json_t *in, *out;
	st_info *info;
};

static int fail(st_info *info, int rc, const char *field, const char *detail)
{
	snprintf(info->field, sizeof info->field, "%s", field);
	snprintf(info->detail, sizeof info->detail, "%s", detail);
	return rc;
}

/* Rows of one query into o[key] as an array. */
static int rows_into(db_tx *tx, json_t *o, const char *key, const char *sql, const dbv *p, int n)
{
	db_res *r;
	if (db_query(tx, sql, p, n, &r) != DB_OK)
		return ST_DB;
	json_t *arr = json_array();
	for (int i = 0; i < db_rows(r); i++)
		json_array_append_new(arr, tech_row(r, i));
	db_res_free(r);
	json_object_set_new(o, key, arr);
	return ST_OK;
}

/* The tenant's today as 'YYYY-MM-DD' (certificates expire by the local calendar). */
static void today_text(const principal *who, char out[11])
{
	char iso[32];
	iso_from_ms(now_ms() + (int64_t)who->tz_offset_min * 60000, iso);
	snprintf(out, 11, "%.10s", iso);
}

/* The technician in scope: the list form, with certs, brands, shifts and leave when detail. */
static int tech_load_tx(db_tx *tx, const principal *who, int64_t id, bool detail, json_t **out)
{
	dbv p[] = {VI(who->tenant_id), VT(who->org_path), VI(id)};
	db_res *r;
	if (db_query(tx, "SELECT " TECH_COLS TECH_FROM " AND u.id = ?", p, 3, &r) != DB_OK)
		return ST_DB;
	json_t *o = db_rows(r) ? tech_row(r, 0) : NULL;
	db_res_free(r);
	if (!o)
		return ST_NOT_FOUND;
	char today[11];
	today_text(who, today);
	dbv pu[] = {VI(who->tenant_id), VI(id)};
	dbv pc[] = {VT(today), VI(who->tenant_id), VI(id)};
	dbv pl[] = {VI(who->tenant_id), VI(id), VI(now_ms())};
	int rc = rows_into(tx, o, "skills", "SELECT skill, level FROM tech_skills WHERE tenant_id = ? AND user_id = ? "
					    "ORDER BY level DESC, skill", pu, 2);
	if (rc == ST_OK && detail)
		rc = rows_into(tx, o, "certs",
			       "SELECT id, name, number, skill, valid_from, expires_on, CASE WHEN expires_on IS NOT NULL "
			       "AND expires_on < ? THEN 1 ELSE 0 END AS expired FROM tech_certs WHERE tenant_id = ? AND "
			       "user_id = ? ORDER BY id",
			       pc, 3);
	if (rc == ST_OK && detail)
		rc = rows_into(tx, o, "brands", "SELECT brand, category FROM tech_brands WHERE tenant_id = ? AND user_id = ? "
						"ORDER BY brand, category", pu, 2);
	if (rc == ST_OK && detail)
		rc = rows_into(tx, o, "shifts", "SELECT weekday, start_min, end_min, break_start_min, break_end_min FROM "
						"tech_shifts WHERE tenant_id = ? AND user_id = ? ORDER BY weekday", pu, 2);
	if (rc == ST_OK && detail)
		rc = rows_into(tx, o, "leave", "SELECT id, from_at, to_at, kind, reason, created_by, created_at FROM "
					       "tech_leave WHERE tenant_id = ? AND user_id = ? AND to_at > ? ORDER BY from_at",
			       pl, 3);
	if (rc != ST_OK) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return ST_OK;
}

/* --- list ------------------------------------------------------------------------------ */

/* Skills of every listed technician in one query. */
static int attach_skills(db_tx *tx, int64_t tenant, json_t *items)
{
	if (!json_array_size(items))
		return ST_OK;
	buf sql;
	buf_init(&sql, 0);
	buf_puts(&sql, "SELECT user_id AS _user, skill, level FROM tech_skills WHERE tenant_id = ? AND user_id IN (");
	size_t i;
	json_t *t;
	json_array_foreach(items, i, t) {
		json_object_set_new(t, "skills", json_array());
		buf_printf(&sql, "%s%lld", i ? ", " : "", (long long)json_integer_value(json_object_get(t, "id")));
	}
	buf_puts(&sql, ") ORDER BY level DESC, skill");
	dbv p[] = {VI(tenant)};
	db_res *r;
	int rc = db_query(tx, sql.data, p, 1, &r) == DB_OK ? ST_OK : ST_DB;
	buf_free(&sql);
	if (rc != ST_OK)
		return rc;
	for (int row = 0; row < db_rows(r); row++)
		json_array_foreach(items, i, t) if (json_integer_value(json_object_get(t, "id")) == db_int(r, row, 0))
			json_array_append_new(json_object_get(t, "skills"), tech_row(r, row));
	db_res_free(r);
	return ST_OK;
}

static int list_fn(db_tx *tx, void *arg)
{
	struct tech_ctx *c = arg;
	const tech_filter *f = c->f;
	buf sql;
	buf_init(&sql, 0);
	dbv p[12];
	int n = 0;
	buf_puts(&sql, "SELECT " TECH_COLS TECH_FROM " AND u.status = 'active'");
	p[n++] = VI(c->who->tenant_id);
	p[n++] = VT(c->who->org_path);
	char *like = NULL;
	if (f->q) {
		like = like_escape(f->q, false);
		buf_puts(&sql, " AND (u.login LIKE ? ESCAPE '\\' OR u.name LIKE ? ESCAPE '\\' OR u.phone LIKE ? ESCAPE '\\')");
		p[n++] = VT(like);
		p[n++] = VT(like);
		p[n++] = VT(like);
	}
	if (f->org_id) {
		buf_puts(&sql, " AND u.org_id = ?");
		p[n++] = VI(f->org_id);
	}
	if (f->skill) {
		buf_puts(&sql, " AND EXISTS (SELECT 1 FROM tech_skills s WHERE s.tenant_id = u.tenant_id AND s.user_id = u.id "
			       "AND s.skill = ?)");
		p[n++] = VT(f->skill);
	}
	if (f->team) {
		buf_puts(&sql, " AND p.team = ?");
		p[n++] = VT(f->team);
	}
	if (f->on_duty >= 0) {
		buf_puts(&sql, " AND COALESCE(p.on_duty, 1) = ?");
		p[n++] = VI(f->on_duty);
	}
	if (c->cursor) {
		buf_puts(&sql, " AND u.id < ?");
		p[n++] = VI(c->cursor);
	}
	buf_printf(&sql, " ORDER BY u.id DESC LIMIT %d", c->limit + 1);
	int rc = page_query(tx, sql.data, p, n, c->limit, tech_row, &c->out, &c->next);
	buf_free(&sql);
	free(like);
	if (rc == ST_OK)
		rc = attach_skills(tx, c->who->tenant_id, c->out);
	return rc;
}

int store_tech_list(db *d, const principal *who, const tech_filter *f, int limit, int64_t cursor, json_t **items,
		    int64_t *next)
{
	struct tech_ctx c = {.who = who, .f = f, .limit = limit, .cursor = cursor};
	int rc = db_read(d, list_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*items = c.out;
	*next = c.next;
	return rc;
}

static int get_fn(db_tx *tx, void *arg)
{
	struct tech_ctx *c = arg;
	return tech_load_tx(tx, c->who, c->id, true, &c->out);
}

int store_tech_get(db *d, const principal *who, int64_t id, json_t **out)
{
	struct tech_ctx c = {.who = who, .id = id};
	int rc = db_read(d, get_fn, &c);
	*out = c.out;
	return rc;
}

/* --- writes ------------------------------------------------------------------------------ */

static int profile_ensure(db_tx *tx, int64_t tenant, int64_t user)
{
	int64_t now = now_ms();
	dbv p[] = {VI(tenant), VI(user), VI(now), VI(now)};
	return db_exec(tx,
		       "INSERT INTO tech_profiles(tenant_id, user_id, created_at, updated_at) VALUES (?, ?, ?, ?) "
		       "ON CONFLICT (tenant_id, user_id) DO NOTHING",
		       p, 4) == DB_OK
		       ? ST_OK
		       : ST_DB;
}

/* Every write starts here: the technician in scope (*before, the detail), at version
 * if_match (0 = any), with a profile row whose version is bumped now. On PostgreSQL the
 * bump also locks the row, so writes about one technician (leave overlap checks) queue. */
static int write_begin(db_tx *tx, struct tech_ctx *c, json_t **before)
{
	const principal *who = c->a->who;
	int rc = tech_load_tx(tx, who, c->id, true, before);
	if (rc != ST_OK)
		return rc;
	int64_t version = json_integer_value(json_object_get(*before, "version"));
	if (c->if_match && c->if_match != version) {
		c->info->current_version = version;
		c->info->current = json_deep_copy(*before);
		rc = ST_STALE;
	}
	if (rc == ST_OK)
		rc = profile_ensure(tx, who->tenant_id, c->id);
	dbv p[] = {VI(now_ms()), VI(who->tenant_id), VI(c->id), VI(version)};
	if (rc == ST_OK && db_exec(tx,
				   "UPDATE tech_profiles SET version = version + 1, updated_at = ? WHERE tenant_id = ? "
				   "AND user_id = ? AND version = ?",
				   p, 4) != DB_OK)
		rc = ST_DB;
	if (rc == ST_OK && db_changes(tx) == 0)
		rc = ST_STALE; /* changed between our read and the bump */
	if (rc != ST_OK) {
		json_decref(*before);
		*before = NULL;
	}
	return rc;
}

/* Every write ends here: the record as it is now into c->out, and the audit row. */
static int write_end(db_tx *tx, struct tech_ctx *c, const char *action, json_t *before)
{
	int rc = tech_load_tx(tx, c->a->who, c->id, true, &c->out);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, action, "technician", c->id, before, c->out);
	json_decref(before);
	return rc;
}

static dbv num_or_null(json_t *o, const char *k)
{
	json_t *x = json_object_get(o, k);
	return json_is_number(x) ? VR(json_number_value(x)) : VN;
}

static dbv int_or_null(json_t *o, const char *k)
{
	json_t *x = json_object_get(o, k);
	return json_is_integer(x) ? VI(json_integer_value(x)) : VN;
}

static const char *blank_null(json_t *o, const char *k)
{
	const char *s = jstr(o, k);
	return s && *s ? s : NULL;
}

static int profile_save(db_tx *tx, struct tech_ctx *c, json_t *before)
{
	json_t *m = json_deep_copy(before);
	json_object_update(m, c->in);
	json_t *regions = json_object_get(m, "area_regions");
	char *rj = json_is_array(regions) ? json_dumps(regions, JSON_COMPACT) : NULL;
	int64_t on = json_is_true(json_object_get(m, "on_duty"));
	int64_t now = now_ms();
	dbv p[] = {VT(blank_null(m, "team")),	    int_or_null(m, "level"),    VI(on),
		   VI(now),		    VI(on),			num_or_null(m, "base_lat"),
		   num_or_null(m, "base_lon"), int_or_null(m, "area_radius_km"), VT(rj),
		   VI(c->a->who->tenant_id), VI(c->id)};
	/* SET expressions read the old row: duty_changed_at moves only when on_duty changes. */
	int rc = db_exec(tx,
			 "UPDATE tech_profiles SET team = ?, level = ?, duty_changed_at = CASE WHEN on_duty <> ? THEN ? "
			 "ELSE duty_changed_at END, on_duty = ?, base_lat = ?, base_lon = ?, area_radius_km = ?, "
			 "area_regions_json = ? WHERE tenant_id = ? AND user_id = ?",
			 p, 11) == DB_OK
			 ? ST_OK
			 : ST_DB;
	free(rj);
	json_decref(m);
	return rc;
}

typedef int (*row_insert_fn)(db_tx *tx, int64_t tenant, int64_t user, json_t *item);

static int skill_insert(db_tx *tx, int64_t tenant, int64_t user, json_t *s)
{
	dbv p[] = {VI(tenant), VI(user), VT(jstr(s, "skill")), VI(json_integer_value(json_object_get(s, "level")))};
	return db_exec(tx, "INSERT INTO tech_skills(tenant_id, user_id, skill, level) VALUES (?, ?, ?, ?)", p, 4);
}

static int cert_insert(db_tx *tx, int64_t tenant, int64_t user, json_t *s)
{
	dbv p[] = {VI(tenant),
		   VI(user),
		   VT(jstr(s, "name")),
		   VT(blank_null(s, "number")),
		   VT(blank_null(s, "skill")),
		   VT(blank_null(s, "valid_from")),
		   VT(blank_null(s, "expires_on")),
		   VI(now_ms())};
	return db_exec(tx,
		       "INSERT INTO tech_certs(tenant_id, user_id, name, number, skill, valid_from, expires_on, created_at) "
		       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		       p, 8);
}

static int brand_insert(db_tx *tx, int64_t tenant, int64_t user, json_t *s)
{
	dbv p[] = {VI(tenant), VI(user), VT(jstr(s, "brand")), VT(blank_null(s, "category"))};
	return db_exec(tx, "INSERT INTO tech_brands(tenant_id, user_id, brand, category) VALUES (?, ?, ?, ?)", p, 4);
}

static int shift_insert(db_tx *tx, int64_t tenant, int64_t user, json_t *s)
{
	dbv p[] = {VI(tenant),
		   VI(user),
		   VI(json_integer_value(json_object_get(s, "weekday"))),
		   VI(json_integer_value(json_object_get(s, "start_min"))),
		   VI(json_integer_value(json_object_get(s, "end_min"))),
		   int_or_null(s, "break_start_min"),
		   int_or_null(s, "break_end_min")};
	return db_exec(tx,
		       "INSERT INTO tech_shifts(tenant_id, user_id, weekday, start_min, end_min, break_start_min, "
		       "break_end_min) VALUES (?, ?, ?, ?, ?, ?, ?)",
		       p, 7);
}

/* Replace one list of the technician (table is one of ours, never user input). */
static int replace_list(db_tx *tx, struct tech_ctx *c, const char *table, json_t *items, row_insert_fn ins)
{
	if (!json_is_array(items))
		return ST_OK; /* absent: the list stays */
	int64_t tenant = c->a->who->tenant_id;
	char sql[96];
	snprintf(sql, sizeof sql, "DELETE FROM %s WHERE tenant_id = ? AND user_id = ?", table);
	dbv p[] = {VI(tenant), VI(c->id)};
	if (db_exec(tx, sql, p, 2) != DB_OK)
		return ST_DB;
	size_t i;
	json_t *x;
	json_array_foreach(items, i, x) if (ins(tx, tenant, c->id, x) != DB_OK) return ST_DB;
	return ST_OK;
}

static int update_fn(db_tx *tx, void *arg)
{
	struct tech_ctx *c = arg;
	json_t *before = NULL;
	int rc = write_begin(tx, c, &before);
	if (rc == ST_OK)
		rc = profile_save(tx, c, before);
	if (rc == ST_OK)
		rc = replace_list(tx, c, "tech_skills", json_object_get(c->in, "skills"), skill_insert);
	if (rc == ST_OK)
		rc = replace_list(tx, c, "tech_certs", json_object_get(c->in, "certs"), cert_insert);
	if (rc == ST_OK)
		rc = replace_list(tx, c, "tech_brands", json_object_get(c->in, "brands"), brand_insert);
	if (rc == ST_OK)
		return write_end(tx, c, "update", before);
	json_decref(before);
	return rc;
}

/* Run a write and hand out its result (NULL on failure). */
static int run_write(db *d, db_fn fn, struct tech_ctx *c, json_t **out)
{
	int rc = db_write(d, fn, c);
	if (rc != ST_OK) {
		json_decref(c->out);
		c->out = NULL;
	}
	*out = c->out;
	return rc;
}

int store_tech_update(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info)
{
	struct tech_ctx c = {.a = a, .id = id, .if_match = if_match, .in = in, .info = info};
	return run_write(d, update_fn, &c, out);
}

static int shifts_fn(db_tx *tx, void *arg)
{
	struct tech_ctx *c = arg;
	json_t *before = NULL;
	int rc = write_begin(tx, c, &before);
	if (rc == ST_OK)
		rc = replace_list(tx, c, "tech_shifts", json_object_get(c->in, "shifts"), shift_insert);
	if (rc == ST_OK)
		return write_end(tx, c, "shifts", before);
	json_decref(before);
	return rc;
}

int store_tech_shifts_put(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out,
			  st_info *info)
{
	struct tech_ctx c = {.a = a, .id = id, .if_match = if_match, .in = in, .info = info};
	return run_write(d, shifts_fn, &c, out);
}

/* --- leave ------------------------------------------------------------------------------- */

static int leave_row_tx(db_tx *tx, int64_t tenant, int64_t id, json_t **out)
{
	dbv p[] = {VI(tenant), VI(id)};
	db_res *r;
	if (db_query(tx, "SELECT id, user_id, from_at, to_at, kind, reason, created_by, created_at FROM tech_leave "
			 "WHERE tenant_id = ? AND id = ?",
		     p, 2, &r) != DB_OK)
		return ST_DB;
	*out = db_rows(r) ? tech_row(r, 0) : NULL;
	db_res_free(r);
	return *out ? ST_OK : ST_NOT_FOUND;
}

static int leave_add_fn(db_tx *tx, void *arg)
{
	struct tech_ctx *c = arg;
	int64_t tenant = c->a->who->tenant_id;
	int64_t from = json_integer_value(json_object_get(c->in, "_from_ms"));
	int64_t to = json_integer_value(json_object_get(c->in, "_to_ms"));
	json_t *before = NULL;
	int rc = write_begin(tx, c, &before);
	json_decref(before); /* the leave row itself is the audit's "after" */
	if (rc != ST_OK)
		return rc;
	dbv po[] = {VI(tenant), VI(c->id), VI(to), VI(from)};
	if (db_query_int(tx, "SELECT id FROM tech_leave WHERE tenant_id = ? AND user_id = ? AND from_at < ? AND to_at > ? "
			     "ORDER BY from_at LIMIT 1",
			 po, 4, &c->info->existing_id) == ST_OK)
		return fail(c->info, ST_CONFLICT, "from_at", "this leave overlaps leave already booked");
	c->info->existing_id = 0;
	int64_t id = 0;
	dbv p[] = {VI(tenant), VI(c->id), VI(from), VI(to), VT(jstr(c->in, "kind")), VT(blank_null(c->in, "reason")),
		   VI(c->a->who->user_id), VI(now_ms())};
	if (db_query_int(tx,
			 "INSERT INTO tech_leave(tenant_id, user_id, from_at, to_at, kind, reason, created_by, created_at) "
			 "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			 p, 8, &id) != ST_OK)
		return ST_DB;
	rc = leave_row_tx(tx, tenant, id, &c->out);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "leave_add", "technician", c->id, NULL, c->out);
	if (rc == ST_OK) {
		char loc[96];
		snprintf(loc, sizeof loc, "/api/v1/technicians/%lld/leave/%lld", (long long)c->id, (long long)id);
		rc = idem_save(tx, c->a, 201, c->out, loc);
	}
	return rc;
}

int store_tech_leave_add(db *d, const actor *a, int64_t id, json_t *in, json_t **out, st_info *info)
{
	struct tech_ctx c = {.a = a, .id = id, .in = in, .info = info};
	return run_write(d, leave_add_fn, &c, out);
}

static int leave_delete_fn(db_tx *tx, void *arg)
{
	struct tech_ctx *c = arg;
	int64_t tenant = c->a->who->tenant_id;
	json_t *before = NULL, *row = NULL;
	int rc = write_begin(tx, c, &before);
	json_decref(before);
	if (rc == ST_OK)
		rc = leave_row_tx(tx, tenant, c->sub_id, &row);
	if (rc == ST_OK && json_integer_value(json_object_get(row, "user_id")) != c->id)
		rc = ST_NOT_FOUND; /* another technician's leave */
	dbv p[] = {VI(tenant), VI(c->sub_id)};
	if (rc == ST_OK && db_exec(tx, "DELETE FROM tech_leave WHERE tenant_id = ? AND id = ?", p, 2) != DB_OK)
		rc = ST_DB;
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "leave_delete", "technician", c->id, row, NULL);
	json_decref(row);
	return rc;
}

int store_tech_leave_delete(db *d, const actor *a, int64_t id, int64_t leave_id, st_info *info)
{
	struct tech_ctx c = {.a = a, .id = id, .sub_id = leave_id, .info = info};
	return db_write(d, leave_delete_fn, &c);
}

int tech_on_leave_tx(db_tx *tx, int64_t tenant_id, int64_t user_id, int64_t at, bool *on_leave)
{
	int64_t n = 0;
	dbv p[] = {VI(tenant_id), VI(user_id), VI(at), VI(at)};
	int rc = db_query_int(tx, "SELECT count(*) FROM tech_leave WHERE tenant_id = ? AND user_id = ? AND from_at <= ? "
				  "AND to_at > ?",
			      p, 4, &n);
	*on_leave = n > 0;
	return rc;
}

/* --- the technician's own phone: position and duty ---------------------------------------- */

/* A position report is telemetry, sent every few minutes: it bumps no version (a dispatcher's
 * If-Match would go stale all day) and writes no audit row (the audit log would be mostly
 * positions); pos_at says when it was reported. */
static int position_fn(db_tx *tx, void *arg)
{
	struct tech_ctx *c = arg;
	const principal *who = c->a->who;
	int rc = profile_ensure(tx, who->tenant_id, who->user_id);
	dbv p[] = {VR(c->lat), VR(c->lon), VI(now_ms()), VI(who->tenant_id), VI(who->user_id)};
	if (rc == ST_OK && db_exec(tx,
				   "UPDATE tech_profiles SET pos_lat = ?, pos_lon = ?, pos_at = ? WHERE tenant_id = ? AND "
				   "user_id = ?",
				   p, 5) != DB_OK)
		rc = ST_DB;
	if (rc == ST_OK)
		rc = tech_load_tx(tx, who, who->user_id, false, &c->out);
	return rc;
}

int store_tech_position(db *d, const actor *a, double lat, double lon, json_t **out)
{
	struct tech_ctx c = {.a = a, .lat = lat, .lon = lon};
	return run_write(d, position_fn, &c, out);
}

static int duty_fn(db_tx *tx, void *arg)
{
	struct tech_ctx *c = arg;
	json_t *before = NULL;
	int rc = write_begin(tx, c, &before);
	dbv p[] = {VI(c->on), VI(now_ms()), VI(c->on), VI(c->a->who->tenant_id), VI(c->id)};
	if (rc == ST_OK && db_exec(tx,
				   "UPDATE tech_profiles SET duty_changed_at = CASE WHEN on_duty <> ? THEN ? ELSE "
				   "duty_changed_at END, on_duty = ? WHERE tenant_id = ? AND user_id = ?",
				   p, 5) != DB_OK)
		rc = ST_DB;
	if (rc == ST_OK)
		return write_end(tx, c, "duty", before);
	json_decref(before);
	return rc;
}

int store_tech_duty(db *d, const actor *a, bool on_duty, json_t **out)
{
	st_info info = {0};
	struct tech_ctx c = {.a = a, .id = a->who->user_id, .on = on_duty, .info = &info};
	return run_write(d, duty_fn, &c, out);
}

/* --- the outcome score ----------------------------------------------------------------------
 * Over the orders the technician completed in the last 90 days (cancelled ones aside):
 *   first-time fix  F = orders with rework_count 0 / orders          weight 40
 *   rating          R = (average rating − 1) / 4, rated orders only  weight 30
 *   SLA kept        S = orders with an SLA whose onsite and resolve deadlines were not
 *                       breached / orders with an SLA                 weight 30
 *   score = 100 × Σ weight × part / Σ weight of the parts that have data (0..100, two
 *   decimals kept as score_x100). No completed order → no score (NULL: dispatch treats the
 *   technician as average). Reworks (the sum of rework_count) are shown, and counted in F. */
#define SCORE_DAYS 90

static double ratio(int64_t num, int64_t den)
{
	return den ? (double)num / (double)den : 0.0;
}

int tech_score_tx(db_tx *tx, int64_t tenant_id, int64_t user_id, int64_t now, json_t **out)
{
	int64_t since = now - (int64_t)SCORE_DAYS * 86400000;
	dbv p[] = {VI(tenant_id), VI(user_id), VI(since)};
	db_res *r;
	if (db_query(tx,
		     "SELECT count(*), COALESCE(sum(CASE WHEN rework_count = 0 THEN 1 ELSE 0 END), 0), "
		     "COALESCE(sum(rework_count), 0), count(rating), COALESCE(sum(rating), 0), "
		     "COALESCE(sum(CASE WHEN sla_resolve_due IS NOT NULL THEN 1 ELSE 0 END), 0), "
		     "COALESCE(sum(CASE WHEN sla_resolve_due IS NOT NULL AND (',' || COALESCE(sla_breached, '') || ',') "
		     "NOT LIKE '%,onsite,%' AND (',' || COALESCE(sla_breached, '') || ',') NOT LIKE '%,resolve,%' "
		     "THEN 1 ELSE 0 END), 0) FROM work_orders WHERE tenant_id = ? AND assignee_id = ? AND "
		     "completed_at >= ? AND status <> 'cancelled'",
		     p, 3, &r) != DB_OK)
		return ST_DB;
	int64_t orders = db_int(r, 0, 0), ftf = db_int(r, 0, 1), reworks = db_int(r, 0, 2), rated = db_int(r, 0, 3),
		rating_sum = db_int(r, 0, 4), sla = db_int(r, 0, 5), kept = db_int(r, 0, 6);
	db_res_free(r);
	double f = ratio(ftf, orders), rt = rated ? ((double)rating_sum / (double)rated - 1.0) / 4.0 : 0.0,
	       s = ratio(kept, sla);
	double wsum = (orders ? 40 : 0) + (rated ? 30 : 0) + (sla ? 30 : 0);
	double score = wsum > 0 ? 100.0 * ((orders ? 40 * f : 0) + (rated ? 30 * rt : 0) + (sla ? 30 * s : 0)) / wsum : 0;
	int64_t x100 = (int64_t)llround(score * 100.0);
	json_t *o = json_pack("{s:I, s:i, s:I, s:I, s:I, s:I, s:I, s:I}", "technician_id", (json_int_t)user_id,
			      "period_days", SCORE_DAYS, "orders", (json_int_t)orders, "first_time_fix", (json_int_t)ftf,
			      "rework_count", (json_int_t)reworks, "rated_orders", (json_int_t)rated, "sla_orders",
			      (json_int_t)sla, "sla_kept", (json_int_t)kept);
	json_set_time(o, "from", since);
	json_set_time(o, "computed_at", now);
	json_object_set_new(o, "first_time_fix_rate", orders ? json_real(f) : json_null());
	json_object_set_new(o, "avg_rating", rated ? json_real((double)rating_sum / (double)rated) : json_null());
	json_object_set_new(o, "sla_kept_rate", sla ? json_real(s) : json_null());
	json_object_set_new(o, "score", orders ? json_real((double)x100 / 100.0) : json_null());
	json_object_set_new(o, "score_x100", orders ? json_integer(x100) : json_null());
	json_object_set_new(o, "formula", json_string("100 × (40·first_time_fix_rate + 30·(avg_rating−1)/4 + "
						      "30·sla_kept_rate) / (sum of the weights of the parts with data)"));
	int rc = profile_ensure(tx, tenant_id, user_id);
	dbv pu[] = {orders ? VI(x100) : VN, VI(now), VI(tenant_id), VI(user_id)};
	if (rc == ST_OK &&
	    db_exec(tx, "UPDATE tech_profiles SET score_x100 = ?, score_at = ? WHERE tenant_id = ? AND user_id = ?", pu,
		    4) != DB_OK)
		rc = ST_DB;
	if (rc != ST_OK) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return ST_OK;
}

static int score_fn(db_tx *tx, void *arg)
{
	struct tech_ctx *c = arg;
	json_t *t = NULL;
	int rc = tech_load_tx(tx, c->who, c->id, false, &t);
	json_decref(t);
	return rc == ST_OK ? tech_score_tx(tx, c->who->tenant_id, c->id, now_ms(), &c->out) : rc;
}

int store_tech_score(db *d, const principal *who, int64_t id, json_t **out)
{
	struct tech_ctx c = {.who = who, .id = id};
	int rc = db_write(d, score_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}
