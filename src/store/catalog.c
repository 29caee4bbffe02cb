/*
 * catalog.c — what classifies and times an order (issue 4 item 3): the fault-category tree
 * (materialised path like organisations: "/3/7/"), the SLA policies per priority / contract /
 * region, the tenant's working calendar (week, hours, holidays and 调休 working days), the
 * intake suggestion drawn from them, and the default category tree a new tenant starts with.
 * Every write is one transaction with its audit row.
 */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

static int fail(st_info *info, int rc, const char *field, const char *detail)
{
	snprintf(info->field, sizeof info->field, "%s", field ? field : "");
	snprintf(info->detail, sizeof info->detail, "%s", detail);
	return rc;
}

/* ======================================================================================
 * Fault categories
 * ====================================================================================== */

#define FC_COLS "id, parent_id, path, code, name, name_en, default_priority, default_type, created_at, updated_at, " \
		"version"

struct fc_ctx {
	const principal *who;
	const actor *a;
	int64_t id, if_match, parent_id, cursor, next;
	int limit;
	const char *q;
	json_t *in, *out;
	st_info *info;
};

static int fc_load(db_tx *tx, int64_t tenant, int64_t id, json_t **out)
{
	dbv p[] = {VI(id), VI(tenant)};
	db_res *r;
	if (db_query(tx, "SELECT " FC_COLS " FROM fault_categories WHERE id = ? AND tenant_id = ?", p, 2, &r) != DB_OK)
		return ST_DB;
	int rc = ST_NOT_FOUND;
	if (db_rows(r)) {
		*out = row_json(r, 0);
		rc = ST_OK;
	}
	db_res_free(r);
	return rc;
}

static int fc_list_fn(db_tx *tx, void *arg)
{
	struct fc_ctx *c = arg;
	buf sql;
	buf_init(&sql, 0);
	dbv p[6];
	int n = 0;
	buf_puts(&sql, "SELECT " FC_COLS " FROM fault_categories WHERE tenant_id = ?");
	p[n++] = VI(c->who->tenant_id);
	if (c->parent_id) {
		buf_puts(&sql, " AND parent_id = ?");
		p[n++] = VI(c->parent_id);
	}
	char *like = NULL;
	if (c->q && *c->q) {
		like = like_escape(c->q, false);
		buf_puts(&sql, " AND (name LIKE ? ESCAPE '\\' OR code LIKE ? ESCAPE '\\' OR name_en LIKE ? ESCAPE '\\')");
		p[n++] = VT(like);
		p[n++] = VT(like);
		p[n++] = VT(like);
	}
	if (c->cursor) {
		buf_puts(&sql, " AND id > ?");
		p[n++] = VI(c->cursor);
	}
	/* oldest first: parents come before their children */
	buf_printf(&sql, " ORDER BY id LIMIT %d", c->limit + 1);
	int rc = page_query(tx, sql.data, p, n, c->limit, row_json, &c->out, &c->next);
	buf_free(&sql);
	free(like);
	return rc;
}

int store_fc_list(db *d, const principal *who, const char *q, int64_t parent_id, int limit, int64_t cursor,
		  json_t **items, int64_t *next)
{
	struct fc_ctx c = {.who = who, .q = q, .parent_id = parent_id, .limit = limit, .cursor = cursor};
	int rc = db_read(d, fc_list_fn, &c);
	*items = c.out;
	*next = c.next;
	return rc;
}

static int fc_get_fn(db_tx *tx, void *arg)
{
	struct fc_ctx *c = arg;
	return fc_load(tx, c->who->tenant_id, c->id, &c->out);
}

int store_fc_get(db *d, const principal *who, int64_t id, json_t **out)
{
	struct fc_ctx c = {.who = who, .id = id};
	int rc = db_read(d, fc_get_fn, &c);
	*out = c.out;
	return rc;
}

/* A code already used by another category of the tenant → ST_CONFLICT (looked up before the
 * write: a failed INSERT would abort a PostgreSQL transaction). */
static int fc_code_free(db_tx *tx, int64_t tenant, const char *code, int64_t self, st_info *info)
{
	dbv p[] = {VI(tenant), VT(code), VI(self)};
	int rc = db_query_int(tx, "SELECT id FROM fault_categories WHERE tenant_id = ? AND code = ? AND id <> ?", p, 3,
			      &info->existing_id);
	if (rc == ST_NOT_FOUND)
		return ST_OK;
	if (rc != ST_OK)
		return rc;
	char d[120];
	snprintf(d, sizeof d, "code '%.60s' is already used", code);
	return fail(info, ST_CONFLICT, "code", d);
}

static int fc_parent_path(db_tx *tx, int64_t tenant, int64_t parent, char *path, size_t len, st_info *info)
{
	dbv p[] = {VI(parent), VI(tenant)};
	db_res *r;
	if (db_query(tx, "SELECT path FROM fault_categories WHERE id = ? AND tenant_id = ?", p, 2, &r) != DB_OK)
		return ST_DB;
	int rc = db_rows(r) ? ST_OK : ST_NOT_FOUND;
	if (rc == ST_OK)
		snprintf(path, len, "%s", db_text(r, 0, 0));
	db_res_free(r);
	if (rc == ST_NOT_FOUND)
		return fail(info, ST_INVALID, "parent_id", "parent category not found");
	if (strlen(path) > 200)
		return fail(info, ST_INVALID, "parent_id", "the category tree is too deep");
	return ST_OK;
}

/* Insert one category under `parent` (0 = a root); *id and the path are set. */
static int fc_insert(db_tx *tx, int64_t tenant, int64_t parent, const char *parent_path, const char *code,
		     const char *name, const char *name_en, const char *prio, const char *type, int64_t *id)
{
	int64_t now = now_ms();
	dbv p[] = {VI(tenant), parent ? VI(parent) : VN, VT(code), VT(name), VT(name_en), VT(prio), VT(type), VI(now),
		   VI(now)};
	if (db_query_int(tx,
			 "INSERT INTO fault_categories(tenant_id, parent_id, path, code, name, name_en, default_priority, "
			 "default_type, created_at, updated_at) VALUES (?, ?, '', ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			 p, 9, id) != ST_OK)
		return ST_DB;
	char *path = xasprintf("%s%lld/", parent ? parent_path : "/", (long long)*id);
	dbv pp[] = {VT(path), VI(*id)};
	int rc = db_exec(tx, "UPDATE fault_categories SET path = ? WHERE id = ?", pp, 2) == DB_OK ? ST_OK : ST_DB;
	free(path);
	return rc;
}

static int fc_create_fn(db_tx *tx, void *arg)
{
	struct fc_ctx *c = arg;
	int64_t tenant = c->a->who->tenant_id;
	json_t *in = c->in;
	int64_t parent = json_integer_value(json_object_get(in, "parent_id"));
	char ppath[256] = "";
	int rc = ST_OK;
	if (parent && (rc = fc_parent_path(tx, tenant, parent, ppath, sizeof ppath, c->info)) != ST_OK)
		return rc;
	if ((rc = fc_code_free(tx, tenant, jstr(in, "code"), 0, c->info)) != ST_OK)
		return rc;
	rc = fc_insert(tx, tenant, parent, ppath, jstr(in, "code"), jstr(in, "name"), jstr(in, "name_en"),
		       jstr(in, "default_priority"), jstr(in, "default_type"), &c->id);
	if (rc == ST_OK)
		rc = fc_load(tx, tenant, c->id, &c->out);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "create", "fault_category", c->id, NULL, c->out);
	if (rc == ST_OK) {
		char loc[80];
		snprintf(loc, sizeof loc, "/api/v1/fault-categories/%lld", (long long)c->id);
		rc = idem_save(tx, c->a, 201, c->out, loc);
	}
	return rc;
}

int store_fc_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info)
{
	struct fc_ctx c = {.a = a, .in = in, .info = info};
	int rc = db_write(d, fc_create_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

static int fc_update_fn(db_tx *tx, void *arg)
{
	struct fc_ctx *c = arg;
	int64_t tenant = c->a->who->tenant_id;
	json_t *before = NULL;
	int rc = fc_load(tx, tenant, c->id, &before);
	if (rc != ST_OK)
		return rc;
	int64_t version = json_integer_value(json_object_get(before, "version"));
	if (c->if_match && c->if_match != version) {
		c->info->current_version = version;
		c->info->current = before;
		return ST_STALE;
	}
	json_t *m = json_deep_copy(before);
	json_object_update(m, c->in);
	const char *old_path = jstr(before, "path");
	char new_path[256];
	snprintf(new_path, sizeof new_path, "%s", old_path);
	int64_t old_parent = json_integer_value(json_object_get(before, "parent_id"));
	int64_t new_parent = json_integer_value(json_object_get(m, "parent_id"));
	if (new_parent != old_parent) {
		char ppath[256] = "/";
		if (new_parent)
			rc = fc_parent_path(tx, tenant, new_parent, ppath, sizeof ppath, c->info);
		if (rc == ST_OK && new_parent && !strncmp(ppath, old_path, strlen(old_path)))
			rc = fail(c->info, ST_INVALID, "parent_id", "a category cannot move under itself");
		if (rc == ST_OK)
			snprintf(new_path, sizeof new_path, "%.200s%lld/", new_parent ? ppath : "/", (long long)c->id);
	}
	if (rc == ST_OK)
		rc = fc_code_free(tx, tenant, jstr(m, "code"), c->id, c->info);
	if (rc == ST_OK) {
		dbv p[] = {new_parent ? VI(new_parent) : VN, VT(jstr(m, "code")), VT(jstr(m, "name")), VT(jstr(m, "name_en")),
			   VT(jstr(m, "default_priority")), VT(jstr(m, "default_type")), VI(now_ms()), VI(c->id),
			   VI(version)};
		if (db_exec(tx,
			    "UPDATE fault_categories SET parent_id = ?, code = ?, name = ?, name_en = ?, default_priority = ?, "
			    "default_type = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
			    p, 9) != DB_OK)
			rc = ST_DB;
		else if (db_changes(tx) == 0)
			rc = ST_STALE;
	}
	if (rc == ST_OK && strcmp(new_path, old_path)) {
		/* the node and its whole subtree get the new prefix */
		dbv pp[] = {VT(new_path), VI((int64_t)strlen(old_path)), VI(tenant), VT(old_path)};
		if (db_exec(tx,
			    "UPDATE fault_categories SET path = ? || substr(path, ? + 1) WHERE tenant_id = ? AND "
			    "path LIKE ? || '%'",
			    pp, 4) != DB_OK)
			rc = ST_DB;
	}
	if (rc == ST_OK)
		rc = fc_load(tx, tenant, c->id, &c->out);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "update", "fault_category", c->id, before, c->out);
	json_decref(before);
	json_decref(m);
	return rc;
}

int store_fc_update(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info)
{
	struct fc_ctx c = {.a = a, .id = id, .if_match = if_match, .in = in, .info = info};
	int rc = db_write(d, fc_update_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

static int fc_delete_fn(db_tx *tx, void *arg)
{
	struct fc_ctx *c = arg;
	int64_t tenant = c->a->who->tenant_id;
	json_t *before = NULL;
	int rc = fc_load(tx, tenant, c->id, &before);
	if (rc != ST_OK)
		return rc;
	static const struct {
		const char *sql, *what;
	} deps[] = {
		{"SELECT count(*) FROM fault_categories WHERE tenant_id = ? AND parent_id = ?", "it has sub-categories"},
		{"SELECT count(*) FROM work_orders WHERE tenant_id = ? AND fault_category_id = ?", "work orders use it"},
	};
	for (size_t i = 0; rc == ST_OK && i < ARRAY_LEN(deps); i++) {
		int64_t n = 0;
		dbv p[] = {VI(tenant), VI(c->id)};
		if (db_query_int(tx, deps[i].sql, p, 2, &n) != ST_OK)
			rc = ST_DB;
		else if (n > 0) {
			char d[120];
			snprintf(d, sizeof d, "cannot delete: %s (%lld)", deps[i].what, (long long)n);
			rc = fail(c->info, ST_CONFLICT, NULL, d);
		}
	}
	if (rc == ST_OK) {
		dbv p[] = {VI(c->id), VI(tenant)};
		rc = db_exec(tx, "DELETE FROM fault_categories WHERE id = ? AND tenant_id = ?", p, 2) == DB_OK ? ST_OK : ST_DB;
	}
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "delete", "fault_category", c->id, before, NULL);
	json_decref(before);
	return rc;
}

int store_fc_delete(db *d, const actor *a, int64_t id, st_info *info)
{
	struct fc_ctx c = {.a = a, .id = id, .info = info};
	return db_write(d, fc_delete_fn, &c);
}

/* ======================================================================================
 * SLA policies
 * ====================================================================================== */

#define SLAP_COLS "id, priority, contract, region, response_min, answer_min, onsite_min, resolve_min, calendar, " \
		  "created_at, updated_at, version"

static int slap_load(db_tx *tx, int64_t tenant, int64_t id, json_t **out)
{
	dbv p[] = {VI(id), VI(tenant)};
	db_res *r;
	if (db_query(tx, "SELECT " SLAP_COLS " FROM sla_policies WHERE id = ? AND tenant_id = ?", p, 2, &r) != DB_OK)
		return ST_DB;
	int rc = ST_NOT_FOUND;
	if (db_rows(r)) {
		*out = row_json(r, 0);
		rc = ST_OK;
	}
	db_res_free(r);
	return rc;
}

struct slap_ctx {
	const principal *who;
	const actor *a;
	int64_t id, if_match, cursor, next;
	int limit;
	const char *priority;
	json_t *in, *out;
	st_info *info;
};

static int slap_list_fn(db_tx *tx, void *arg)
{
	struct slap_ctx *c = arg;
	buf sql;
	buf_init(&sql, 0);
	dbv p[4];
	int n = 0;
	buf_puts(&sql, "SELECT " SLAP_COLS " FROM sla_policies WHERE tenant_id = ?");
	p[n++] = VI(c->who->tenant_id);
	if (c->priority) {
		buf_puts(&sql, " AND priority = ?");
		p[n++] = VT(c->priority);
	}
	if (c->cursor) {
		buf_puts(&sql, " AND id > ?");
		p[n++] = VI(c->cursor);
	}
	buf_printf(&sql, " ORDER BY id LIMIT %d", c->limit + 1);
	int rc = page_query(tx, sql.data, p, n, c->limit, row_json, &c->out, &c->next);
	buf_free(&sql);
	return rc;
}

int store_slap_list(db *d, const principal *who, const char *priority, int limit, int64_t cursor, json_t **items,
		    int64_t *next)
{
	struct slap_ctx c = {.who = who, .priority = priority, .limit = limit, .cursor = cursor};
	int rc = db_read(d, slap_list_fn, &c);
	*items = c.out;
	*next = c.next;
	return rc;
}

static int slap_get_fn(db_tx *tx, void *arg)
{
	struct slap_ctx *c = arg;
	return slap_load(tx, c->who->tenant_id, c->id, &c->out);
}

int store_slap_get(db *d, const principal *who, int64_t id, json_t **out)
{
	struct slap_ctx c = {.who = who, .id = id};
	int rc = db_read(d, slap_get_fn, &c);
	*out = c.out;
	return rc;
}

/* "" is no narrowing, the same as null. */
static const char *blank_null(json_t *o, const char *k)
{
	const char *s = jstr(o, k);
	return s && *s ? s : NULL;
}

/* Checks on the whole (merged) policy: deadlines in a sensible order, and one policy per
 * priority / contract / region. */
static int slap_check(db_tx *tx, int64_t tenant, json_t *m, int64_t self, st_info *info)
{
	int64_t resolve = json_integer_value(json_object_get(m, "resolve_min"));
	static const char *const before_resolve[] = {"response_min", "answer_min", "onsite_min"};
	for (size_t i = 0; i < ARRAY_LEN(before_resolve); i++)
		if (json_integer_value(json_object_get(m, before_resolve[i])) > resolve) {
			char d[120];
			snprintf(d, sizeof d, "%s may not be later than resolve_min", before_resolve[i]);
			return fail(info, ST_INVALID, before_resolve[i], d);
		}
	dbv p[] = {VI(tenant), VT(jstr(m, "priority")), VT(blank_null(m, "contract")), VT(blank_null(m, "region")),
		   VI(self)};
	int rc = db_query_int(tx,
			      "SELECT id FROM sla_policies WHERE tenant_id = ? AND priority = ? AND "
			      "coalesce(contract, '') = coalesce(?, '') AND coalesce(region, '') = coalesce(?, '') AND id <> ?",
			      p, 5, &info->existing_id);
	if (rc == ST_NOT_FOUND)
		return ST_OK;
	if (rc != ST_OK)
		return rc;
	return fail(info, ST_CONFLICT, "priority", "a policy for this priority, contract and region exists already");
}

static int slap_create_fn(db_tx *tx, void *arg)
{
	struct slap_ctx *c = arg;
	int64_t tenant = c->a->who->tenant_id;
	json_t *in = c->in;
	int rc = slap_check(tx, tenant, in, 0, c->info);
	if (rc != ST_OK)
		return rc;
	int64_t now = now_ms();
	dbv p[] = {VI(tenant),
		   VT(jstr(in, "priority")),
		   VT(blank_null(in, "contract")),
		   VT(blank_null(in, "region")),
		   VI(json_integer_value(json_object_get(in, "response_min"))),
		   VI(json_integer_value(json_object_get(in, "answer_min"))),
		   VI(json_integer_value(json_object_get(in, "onsite_min"))),
		   VI(json_integer_value(json_object_get(in, "resolve_min"))),
		   VT(jstr(in, "calendar") ? jstr(in, "calendar") : "working"),
		   VI(now),
		   VI(now)};
	if (db_query_int(tx,
			 "INSERT INTO sla_policies(tenant_id, priority, contract, region, response_min, answer_min, "
			 "onsite_min, resolve_min, calendar, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
			 "RETURNING id",
			 p, 11, &c->id) != ST_OK)
		return ST_DB;
	rc = slap_load(tx, tenant, c->id, &c->out);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "create", "sla_policy", c->id, NULL, c->out);
	if (rc == ST_OK) {
		char loc[80];
		snprintf(loc, sizeof loc, "/api/v1/sla-policies/%lld", (long long)c->id);
		rc = idem_save(tx, c->a, 201, c->out, loc);
	}
	return rc;
}

int store_slap_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info)
{
	struct slap_ctx c = {.a = a, .in = in, .info = info};
	int rc = db_write(d, slap_create_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

static int slap_update_fn(db_tx *tx, void *arg)
{
	struct slap_ctx *c = arg;
	int64_t tenant = c->a->who->tenant_id;
	json_t *before = NULL;
	int rc = slap_load(tx, tenant, c->id, &before);
	if (rc != ST_OK)
		return rc;
	int64_t version = json_integer_value(json_object_get(before, "version"));
	if (c->if_match && c->if_match != version) {
		c->info->current_version = version;
		c->info->current = before;
		return ST_STALE;
	}
	json_t *m = json_deep_copy(before);
	json_object_update(m, c->in);
	rc = slap_check(tx, tenant, m, c->id, c->info);
	if (rc == ST_OK) {
		dbv p[] = {VT(jstr(m, "priority")),
			   VT(blank_null(m, "contract")),
			   VT(blank_null(m, "region")),
			   VI(json_integer_value(json_object_get(m, "response_min"))),
			   VI(json_integer_value(json_object_get(m, "answer_min"))),
			   VI(json_integer_value(json_object_get(m, "onsite_min"))),
			   VI(json_integer_value(json_object_get(m, "resolve_min"))),
			   VT(jstr(m, "calendar")),
			   VI(now_ms()),
			   VI(c->id),
			   VI(version)};
		if (db_exec(tx,
			    "UPDATE sla_policies SET priority = ?, contract = ?, region = ?, response_min = ?, answer_min = ?, "
			    "onsite_min = ?, resolve_min = ?, calendar = ?, updated_at = ?, version = version + 1 "
			    "WHERE id = ? AND version = ?",
			    p, 11) != DB_OK)
			rc = ST_DB;
		else if (db_changes(tx) == 0)
			rc = ST_STALE;
	}
	if (rc == ST_OK)
		rc = slap_load(tx, tenant, c->id, &c->out);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "update", "sla_policy", c->id, before, c->out);
	json_decref(before);
	json_decref(m);
	return rc;
}

int store_slap_update(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info)
{
	struct slap_ctx c = {.a = a, .id = id, .if_match = if_match, .in = in, .info = info};
	int rc = db_write(d, slap_update_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

static int slap_delete_fn(db_tx *tx, void *arg)
{
	struct slap_ctx *c = arg;
	int64_t tenant = c->a->who->tenant_id;
	json_t *before = NULL;
	int rc = slap_load(tx, tenant, c->id, &before);
	if (rc != ST_OK)
		return rc;
	dbv p[] = {VI(c->id), VI(tenant)};
	rc = db_exec(tx, "DELETE FROM sla_policies WHERE id = ? AND tenant_id = ?", p, 2) == DB_OK ? ST_OK : ST_DB;
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "delete", "sla_policy", c->id, before, NULL);
	json_decref(before);
	return rc;
}

int store_slap_delete(db *d, const actor *a, int64_t id, st_info *info)
{
	struct slap_ctx c = {.a = a, .id = id, .info = info};
	return db_write(d, slap_delete_fn, &c);
}

/* ======================================================================================
 * The working calendar
 * ====================================================================================== */

struct cal_ctx {
	const principal *who;
	const actor *a;
	json_t *in, *out;
	st_info *info;
};

static int cal_load(db_tx *tx, int64_t tenant, json_t **out)
{
	sla_cal_data cd;
	int rc = sla_cal_load_tx(tx, tenant, 0, &cd);
	if (rc != ST_OK)
		return rc;
	json_t *o = json_object();
	json_t *week = json_array();
	for (int d = 0; d < 7; d++)
		if (cd.cal.weekdays & (1u << d))
			json_array_append_new(week, json_integer(d + 1));
	json_object_set_new(o, "weekdays", week);
	json_object_set_new(o, "start_min", json_integer(cd.cal.start_min));
	json_object_set_new(o, "end_min", json_integer(cd.cal.end_min));
	json_object_set_new(o, "tz_offset_min", json_integer(cd.cal.tz_offset_min));
	sla_cal_free(&cd);
	dbv p[] = {VI(tenant)};
	db_res *r;
	if (db_query(tx, "SELECT updated_at FROM work_calendars WHERE tenant_id = ?", p, 1, &r) != DB_OK) {
		json_decref(o);
		return ST_DB;
	}
	json_set_time(o, "updated_at", db_rows(r) ? db_int(r, 0, 0) : 0);
	db_res_free(r);
	if (db_query(tx, "SELECT day, kind, name FROM calendar_days WHERE tenant_id = ? ORDER BY day", p, 1, &r) != DB_OK) {
		json_decref(o);
		return ST_DB;
	}
	json_t *days = json_array();
	for (int i = 0; i < db_rows(r); i++)
		json_array_append_new(days, json_pack("{s:s, s:s, s:s?}", "day", db_text(r, i, 0), "kind", db_text(r, i, 1),
						      "name", db_text(r, i, 2)));
	db_res_free(r);
	json_object_set_new(o, "days", days);
	*out = o;
	return ST_OK;
}

static int cal_get_fn(db_tx *tx, void *arg)
{
	struct cal_ctx *c = arg;
	return cal_load(tx, c->who->tenant_id, &c->out);
}

int store_calendar_get(db *d, const principal *who, json_t **out)
{
	struct cal_ctx c = {.who = who};
	int rc = db_read(d, cal_get_fn, &c);
	*out = c.out;
	return rc;
}

static int cal_put_fn(db_tx *tx, void *arg)
{
	struct cal_ctx *c = arg;
	int64_t tenant = c->a->who->tenant_id, now = now_ms();
	json_t *before = NULL, *in = c->in;
	int rc = cal_load(tx, tenant, &before);
	if (rc != ST_OK)
		return rc;
	unsigned week = 0;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(in, "weekdays"), i, v) week |= 1u << (json_integer_value(v) - 1);
	dbv p[] = {VI(tenant), VI(week), VI(json_integer_value(json_object_get(in, "start_min"))),
		   VI(json_integer_value(json_object_get(in, "end_min"))), VI(now)};
	if (db_exec(tx,
		    "INSERT INTO work_calendars(tenant_id, weekdays, start_min, end_min, updated_at) VALUES (?, ?, ?, ?, ?) "
		    "ON CONFLICT (tenant_id) DO UPDATE SET weekdays = excluded.weekdays, start_min = excluded.start_min, "
		    "end_min = excluded.end_min, updated_at = excluded.updated_at",
		    p, 5) != DB_OK)
		rc = ST_DB;
	json_t *days = json_object_get(in, "days");
	if (rc == ST_OK && json_is_array(days)) {
		dbv pt[] = {VI(tenant)};
		if (db_exec(tx, "DELETE FROM calendar_days WHERE tenant_id = ?", pt, 1) != DB_OK)
			rc = ST_DB;
		json_array_foreach(days, i, v) {
			if (rc != ST_OK)
				break;
			const char *name = jstr(v, "name");
			dbv pd[] = {VI(tenant), VT(jstr(v, "day")), VT(jstr(v, "kind")), VT(name && *name ? name : NULL)};
			if (db_exec(tx, "INSERT INTO calendar_days(tenant_id, day, kind, name) VALUES (?, ?, ?, ?)", pd, 4) !=
			    DB_OK)
				rc = ST_DB;
		}
	}
	if (rc == ST_OK)
		rc = cal_load(tx, tenant, &c->out);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "update", "calendar", 0, before, c->out);
	json_decref(before);
	return rc;
}

int store_calendar_put(db *d, const actor *a, json_t *in, json_t **out, st_info *info)
{
	struct cal_ctx c = {.a = a, .in = in, .info = info};
	int rc = db_write(d, cal_put_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

/* ======================================================================================
 * The intake suggestion
 * ====================================================================================== */

/* One step more urgent: P4 → P3 → P2. A raise never makes an order P1 by itself: urgent
 * (round the clock, 2 h response) is a person's call or the category's own default. */
static const char *raise_one(const char *p)
{
	return !strcmp(p, "P4") ? "P3" : !strcmp(p, "P3") ? "P2" : p;
}

struct sug_ctx {
	const principal *who;
	int64_t category_id;
	const char *cls, *contract;
	json_t *out;
	st_info *info;
};

static void reason(json_t *list, const char *code, const char *zh, const char *en)
{
	json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "code", code, "zh", zh, "en", en));
}

static int suggest_fn(db_tx *tx, void *arg)
{
	struct sug_ctx *c = arg;
	int64_t tenant = c->who->tenant_id;
	char type[32] = "repair", prio[8] = "P3";
	json_t *reasons = json_array(), *cat = NULL;
	if (c->category_id) {
		dbv p[] = {VI(c->category_id), VI(tenant)};
		db_res *r;
		if (db_query(tx, "SELECT path, code, name, name_en FROM fault_categories WHERE id = ? AND tenant_id = ?", p, 2,
			     &r) != DB_OK) {
			json_decref(reasons);
			return ST_DB;
		}
		if (!db_rows(r)) {
			db_res_free(r);
			json_decref(reasons);
			return fail(c->info, ST_INVALID, "fault_category_id", "fault category not found");
		}
		char *path = xstrdup(db_text(r, 0, 0));
		cat = json_pack("{s:I, s:s, s:s, s:s?}", "id", (json_int_t)c->category_id, "code", db_text(r, 0, 1), "name",
				db_text(r, 0, 2), "name_en", db_text(r, 0, 3));
		db_res_free(r);
		/* the category and its ancestors, nearest first: each ancestor's path is a prefix */
		dbv pa[] = {VI(tenant), VT(path)};
		if (db_query(tx,
			     "SELECT code, name, name_en, default_type, default_priority FROM fault_categories "
			     "WHERE tenant_id = ? AND ? LIKE path || '%' ORDER BY length(path) DESC",
			     pa, 2, &r) != DB_OK) {
			free(path);
			json_decref(reasons);
			json_decref(cat);
			return ST_DB;
		}
		free(path);
		bool got_type = false, got_prio = false;
		for (int i = 0; i < db_rows(r); i++) {
			const char *name = db_text(r, i, 1), *name_en = db_text(r, i, 2);
			char zh[200], en[200];
			if (!got_type && db_text(r, i, 3)) {
				snprintf(type, sizeof type, "%s", db_text(r, i, 3));
				got_type = true;
				snprintf(zh, sizeof zh, "故障类别“%s”的默认类型", name);
				snprintf(en, sizeof en, "default type of fault category \"%s\"", name_en ? name_en : name);
				reason(reasons, "category_type", zh, en);
			}
			if (!got_prio && db_text(r, i, 4)) {
				snprintf(prio, sizeof prio, "%s", db_text(r, i, 4));
				got_prio = true;
				snprintf(zh, sizeof zh, "故障类别“%s”的默认优先级 %s", name, prio);
				snprintf(en, sizeof en, "default priority %s of fault category \"%s\"", prio,
					 name_en ? name_en : name);
				reason(reasons, "category_priority", zh, en);
			}
		}
		db_res_free(r);
	}
	if (!json_array_size(reasons))
		reason(reasons, "default", "未指定故障类别默认值：维修，P3", "no category default: repair, P3");
	const char *base = prio;
	const char *raised = prio;
	if (c->cls && !strcmp(c->cls, "A")) {
		raised = raise_one(base);
		if (strcmp(raised, base)) {
			char zh[120], en[120];
			snprintf(zh, sizeof zh, "A 类客户：优先级由 %s 提升为 %s", base, raised);
			snprintf(en, sizeof en, "class A customer: priority raised from %s to %s", base, raised);
			reason(reasons, "customer_class_a", zh, en);
		}
	} else if (c->contract && *c->contract) {
		raised = raise_one(base);
		if (strcmp(raised, base)) {
			char zh[160], en[160];
			snprintf(zh, sizeof zh, "服务协议 %.60s：优先级由 %s 提升为 %s", c->contract, base, raised);
			snprintf(en, sizeof en, "service contract %.60s: priority raised from %s to %s", c->contract, base, raised);
			reason(reasons, "contract", zh, en);
		}
	}
	c->out = json_pack("{s:s, s:s, s:o, s:o}", "type", type, "priority", raised, "reasons", reasons, "category",
			   cat ? cat : json_null());
	return ST_OK;
}

int store_intake_suggest(db *d, const principal *who, int64_t category_id, const char *cls, const char *contract,
			 json_t **out, st_info *info)
{
	struct sug_ctx c = {.who = who, .category_id = category_id, .cls = cls, .contract = contract, .info = info};
	int rc = db_read(d, suggest_fn, &c);
	*out = c.out;
	return rc;
}

/* ======================================================================================
 * The default category tree
 * ====================================================================================== */

/* depth 0 = a root; a node belongs to the nearest shallower node above it in the list */
static const struct seed {
	int depth;
	const char *code, *name, *name_en, *prio, *type;
} seeds[] = {
	{0, "HA", "家用电器", "Home appliances", "P3", "repair"},
	{1, "AC", "空调", "Air conditioner", NULL, NULL},
	{2, "AC-NOCOOL", "空调不制冷", "AC not cooling", "P2", NULL},
	{2, "AC-NOHEAT", "空调不制热", "AC not heating", "P2", NULL},
	{2, "AC-LEAK", "空调漏水", "AC leaking water", NULL, NULL},
	{2, "AC-NOISE", "空调噪音大", "AC noisy", NULL, NULL},
	{2, "AC-NOPOWER", "空调不通电", "AC has no power", "P2", NULL},
	{2, "AC-INSTALL", "空调安装/移机", "AC installation or relocation", NULL, "install"},
	{2, "AC-CLEAN", "空调清洗保养", "AC cleaning and care", "P4", "maintenance"},
	{1, "FR", "冰箱", "Refrigerator", NULL, NULL},
	{2, "FR-NOCOOL", "冰箱不制冷", "Refrigerator not cooling", "P2", NULL},
	{2, "FR-FROST", "冰箱结霜", "Refrigerator frosting", NULL, NULL},
	{2, "FR-NOISE", "冰箱噪音大", "Refrigerator noisy", NULL, NULL},
	{2, "FR-LEAK", "冰箱漏水", "Refrigerator leaking water", NULL, NULL},
	{1, "WM", "洗衣机", "Washing machine", NULL, NULL},
	{2, "WM-LEAK", "洗衣机漏水", "Washer leaking", NULL, NULL},
	{2, "WM-NOSPIN", "洗衣机不脱水", "Washer not spinning", NULL, NULL},
	{2, "WM-NODRAIN", "洗衣机不排水", "Washer not draining", NULL, NULL},
	{2, "WM-NOISE", "洗衣机异响", "Washer making noise", NULL, NULL},
	{2, "WM-INSTALL", "洗衣机安装", "Washer installation", "P4", "install"},
	{1, "WH", "热水器", "Water heater", NULL, NULL},
	{2, "WH-NOHEAT", "热水器不加热", "Water heater not heating", "P2", NULL},
	{2, "WH-LEAK", "热水器漏水", "Water heater leaking", "P2", NULL},
	{2, "WH-GAS", "燃气热水器漏气", "Gas water heater leaking gas", "P1", NULL},
	{1, "TV", "电视", "Television", NULL, NULL},
	{2, "TV-NOPIC", "电视无图像", "TV has no picture", NULL, NULL},
	{2, "TV-NOSOUND", "电视无声音", "TV has no sound", NULL, NULL},
	{1, "HA-CONSULT", "使用咨询", "Usage questions", "P4", "consultation"},
	{0, "CAR", "汽车维修", "Car workshop", "P3", "repair"},
	{1, "ENG", "发动机", "Engine", NULL, NULL},
	{2, "ENG-NOSTART", "发动机无法启动", "Engine does not start", "P2", NULL},
	{2, "ENG-LIGHT", "发动机故障灯亮", "Engine warning light on", NULL, NULL},
	{2, "ENG-NOISE", "发动机异响", "Engine noise", NULL, NULL},
	{2, "ENG-OIL", "发动机漏油", "Engine oil leak", NULL, NULL},
	{1, "BRK", "制动系统", "Brakes", NULL, NULL},
	{2, "BRK-SOFT", "刹车发软/失灵", "Brakes soft or failing", "P1", NULL},
	{2, "BRK-NOISE", "刹车异响", "Brake noise", NULL, NULL},
	{2, "BRK-PAD", "刹车片更换", "Brake pad replacement", "P4", "maintenance"},
	{1, "ELEC", "电气系统", "Electrical", NULL, NULL},
	{2, "ELEC-BATT", "蓄电池亏电", "Flat battery", "P2", NULL},
	{2, "ELEC-LIGHT", "灯光故障", "Lights fault", NULL, NULL},
	{2, "ELEC-AC", "车载空调不制冷", "Car AC not cooling", NULL, NULL},
	{1, "MAINT", "保养", "Maintenance", "P4", "maintenance"},
	{2, "MAINT-FIRST", "首次保养", "First service", NULL, NULL},
	{2, "MAINT-REG", "定期保养", "Regular service", NULL, NULL},
	{2, "MAINT-MAJOR", "大保养", "Major service", NULL, NULL},
	{1, "TIRE", "轮胎与底盘", "Tyres and chassis", NULL, NULL},
	{2, "TIRE-FLAT", "轮胎漏气", "Flat tyre", "P2", NULL},
	{2, "TIRE-ALIGN", "四轮定位", "Wheel alignment", "P4", "maintenance"},
	{1, "BODY", "钣金喷漆", "Body and paint", "P4", NULL},
};

int lifecycle_defaults_tx(db_tx *tx, int64_t tenant_id)
{
	int64_t have = 0;
	dbv p[] = {VI(tenant_id)};
	if (db_query_int(tx, "SELECT count(*) FROM fault_categories WHERE tenant_id = ?", p, 1, &have) != ST_OK)
		return ST_DB;
	if (have)
		return ST_OK;
	int64_t ids[3] = {0};
	char paths[3][96] = {"/"};
	for (size_t i = 0; i < ARRAY_LEN(seeds); i++) {
		const struct seed *s = &seeds[i];
		int64_t parent = s->depth ? ids[s->depth - 1] : 0;
		int64_t id;
		int rc = fc_insert(tx, tenant_id, parent, s->depth ? paths[s->depth - 1] : "/", s->code, s->name,
				   s->name_en, s->prio, s->type, &id);
		if (rc != ST_OK)
			return rc;
		ids[s->depth] = id;
		snprintf(paths[s->depth], sizeof paths[s->depth], "%.60s%lld/", s->depth ? paths[s->depth - 1] : "/",
			 (long long)id);
	}
	return ST_OK;
}
