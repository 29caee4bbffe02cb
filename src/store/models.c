/*
 * models.c — product models and their warranty policy (DOMAIN §2, issue 3 item 3): brand,
 * category, model, whole-unit and main-part months, the 三包 numbers (refund and exchange
 * windows, repairs before an exchange), a mileage limit for vehicles, what is covered, and
 * the technical complexity coefficient (技术复杂系数, stored in thousandths, shown "1.20").
 * Models are catalogue data of the tenant: every staff member and customer may read them.
 */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#define PM_COLS "m.id, m.brand, m.category, m.model, m.warranty_months, m.main_part_months, m.refund_days, " \
		"m.exchange_days, m.repairs_before_exchange, m.warranty_km, m.covers_json, " \
		"m.complexity_milli AS _cx, m.created_at, m.updated_at, m.version, m.maintenance_json"

struct pm_ctx {
	const principal *who;
	const actor *a;
	int64_t id, if_match, cursor, next;
	int limit;
	const char *q, *brand, *category;
	json_t *in, *out;
	st_info *info;
};

static json_t *pm_json(const db_res *r, int row)
{
	json_t *o = row_json(r, row);
	int64_t cx = db_int(r, row, 11);
	char s[32];
	if (cx % 10)
		snprintf(s, sizeof s, "%lld.%03lld", (long long)(cx / 1000), (long long)(cx % 1000));
	else
		snprintf(s, sizeof s, "%lld.%02lld", (long long)(cx / 1000), (long long)(cx % 1000 / 10));
	json_object_set_new(o, "complexity", json_string(s));
	/* numbers that row_json does not know by name */
	static const char *const ints[] = {"refund_days", "exchange_days", "repairs_before_exchange", "warranty_km"};
	for (size_t i = 0; i < ARRAY_LEN(ints); i++) {
		json_t *v = json_object_get(o, ints[i]);
		if (json_is_string(v)) {
			int64_t n = 0;
			parse_i64(json_string_value(v), INT64_MIN, INT64_MAX, &n);
			json_object_set_new(o, ints[i], json_integer(n));
		}
	}
	if (json_is_null(json_object_get(o, "maintenance")))
		json_object_set_new(o, "maintenance", json_array());
	if (json_is_null(json_object_get(o, "covers")))
		json_object_set_new(o, "covers", json_pack("{s:b, s:b, s:b}", "labour", 1, "parts", 1, "callout", 1));
	return o;
}

static int pm_load(db_tx *tx, const principal *who, int64_t id, json_t **out)
{
	dbv p[] = {VI(id), VI(who->tenant_id)};
	db_res *r;
	if (db_query(tx, "SELECT " PM_COLS " FROM product_models m WHERE m.id = ? AND m.tenant_id = ?", p, 2, &r) != DB_OK)
		return ST_DB;
	int rc = ST_NOT_FOUND;
	if (db_rows(r)) {
		*out = pm_json(r, 0);
		rc = ST_OK;
	}
	db_res_free(r);
	return rc;
}

int store_model_get_tx(db_tx *tx, const principal *who, int64_t id, json_t **out)
{
	return pm_load(tx, who, id, out);
}

static int finish(int rc, struct pm_ctx *c, json_t **out)
{
	if (rc != ST_OK) {
		json_decref(c->out);
		c->out = NULL;
	}
	*out = c->out;
	return rc;
}

static dbv int_or(json_t *o, const char *k, int64_t dflt)
{
	json_t *v = json_object_get(o, k);
	return json_is_integer(v) ? VI(json_integer_value(v)) : VI(dflt);
}

static dbv int_or_null(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_integer(v) ? VI(json_integer_value(v)) : VN;
}

/* The same brand and model exist → conflict with the existing id. */
static int dup_check(db_tx *tx, struct pm_ctx *c, const char *brand, const char *model)
{
	dbv p[] = {VI(c->a->who->tenant_id), VT(brand), VT(model), VI(c->id)};
	int64_t other = 0;
	int rc = db_query_int(tx, "SELECT id FROM product_models WHERE tenant_id = ? AND brand = ? AND model = ? AND id <> ?",
			      p, 4, &other);
	if (rc == ST_NOT_FOUND)
		return ST_OK;
	if (rc != ST_OK)
		return rc;
	c->info->existing_id = other;
	snprintf(c->info->field, sizeof c->info->field, "model");
	snprintf(c->info->detail, sizeof c->info->detail, "model %s of brand %s exists already", model, brand);
	return ST_CONFLICT;
}

static int model_insert(db_tx *tx, struct pm_ctx *c);

static int create_fn(db_tx *tx, void *arg)
{
	struct pm_ctx *c = arg;
	int rc = model_insert(tx, c);
	if (rc != ST_OK)
		return rc;
	if ((rc = pm_load(tx, c->a->who, c->id, &c->out)) != ST_OK)
		return rc;
	if ((rc = audit_add(tx, c->a, "create", "product_model", c->id, NULL, c->out)) != ST_OK)
		return rc;
	char loc[64];
	snprintf(loc, sizeof loc, "/api/v1/product-models/%lld", (long long)c->id);
	return idem_save(tx, c->a, 201, c->out, loc);
}

/* Insert the model of c->in (checked); the same brand and model → ST_CONFLICT. */
static int model_insert(db_tx *tx, struct pm_ctx *c)
{
	const principal *who = c->a->who;
	json_t *in = c->in;
	int rc = dup_check(tx, c, jstr(in, "brand"), jstr(in, "model"));
	if (rc != ST_OK)
		return rc;
	int64_t now = now_ms();
	char *covers = json_object_get(in, "covers") ? json_dumps(json_object_get(in, "covers"), JSON_COMPACT) : NULL;
	char *maint = json_object_get(in, "maintenance") ? json_dumps(json_object_get(in, "maintenance"), JSON_COMPACT) : NULL;
	dbv p[] = {VI(who->tenant_id), VT(jstr(in, "brand")), VT(jstr(in, "category")), VT(jstr(in, "model")),
		   int_or(in, "warranty_months", 12), int_or_null(in, "main_part_months"), int_or(in, "refund_days", 7),
		   int_or(in, "exchange_days", 15), int_or(in, "repairs_before_exchange", 2), int_or_null(in, "warranty_km"),
		   VT(covers), int_or(in, "_complexity_milli", 1000), VT(maint), VI(now), VI(now)};
	rc = db_query_int(tx,
			  "INSERT INTO product_models(tenant_id, brand, category, model, warranty_months, main_part_months, "
			  "refund_days, exchange_days, repairs_before_exchange, warranty_km, covers_json, complexity_milli, "
			  "maintenance_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			  p, 15, &c->id);
	free(covers);
	free(maint);
	return rc == ST_OK ? ST_OK : ST_DB;
}

/* Import (issue 3 item 9): every row in one transaction; a model already in the catalogue
 * or twice in the file is a row error and nothing is kept; a dry run always rolls back. */
struct pm_import {
	struct pm_ctx c;
	json_t *rows, *lines, *errors, *ids;
	bool dry_run;
};

static int import_fn(db_tx *tx, void *arg)
{
	struct pm_import *m = arg;
	size_t i;
	json_t *row;
	json_array_foreach(m->rows, i, row) {
		st_info info = {0};
		m->c.in = row;
		m->c.info = &info;
		m->c.id = 0;
		int rc = model_insert(tx, &m->c);
		if (rc == ST_CONFLICT) {
			json_array_append_new(m->errors, json_pack("{s:O, s:s, s:s, s:s, s:I}", "row", json_array_get(m->lines, i),
								   "column", "model", "code", "model_taken", "reason", info.detail,
								   "existing_id", (json_int_t)info.existing_id));
			continue;
		}
		if (rc != ST_OK)
			return rc;
		json_t *after = json_deep_copy(row);
		json_object_set_new(after, "id", json_integer(m->c.id));
		rc = audit_add(tx, m->c.a, "import", "product_model", m->c.id, NULL, after);
		json_decref(after);
		if (rc != ST_OK)
			return rc;
		json_array_append_new(m->ids, json_integer(m->c.id));
	}
	return json_array_size(m->errors) || m->dry_run ? ST_CONFLICT : ST_OK; /* conflict: roll back */
}

int store_model_import(db *d, const actor *a, json_t *rows, json_t *lines, bool dry_run, json_t **errors,
		       json_t **ids)
{
	struct pm_import m = {.c = {.a = a}, .rows = rows, .lines = lines, .errors = json_array(), .ids = json_array(),
			      .dry_run = dry_run};
	int rc = db_write(d, import_fn, &m);
	if (rc == ST_CONFLICT && (dry_run || json_array_size(m.errors)))
		rc = ST_OK;
	if (rc != ST_OK || dry_run || json_array_size(m.errors))
		json_array_clear(m.ids);
	*errors = m.errors;
	*ids = m.ids;
	return rc;
}

int store_model_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info)
{
	struct pm_ctx c = {.a = a, .in = in, .info = info};
	return finish(db_write(d, create_fn, &c), &c, out);
}

static int get_fn(db_tx *tx, void *arg)
{
	struct pm_ctx *c = arg;
	return pm_load(tx, c->who, c->id, &c->out);
}

int store_model_get(db *d, const principal *who, int64_t id, json_t **out)
{
	struct pm_ctx c = {.who = who, .id = id};
	return finish(db_read(d, get_fn, &c), &c, out);
}

static int update_fn(db_tx *tx, void *arg)
{
	struct pm_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *before = NULL, *m = NULL;
	int rc = pm_load(tx, who, c->id, &before);
	if (rc != ST_OK)
		return rc;
	int64_t version = json_integer_value(json_object_get(before, "version"));
	if (c->if_match && c->if_match != version) {
		c->info->current_version = version;
		rc = ST_STALE;
		goto out;
	}
	m = json_deep_copy(before);
	json_object_update(m, c->in);
	if ((rc = dup_check(tx, c, jstr(m, "brand"), jstr(m, "model"))) != ST_OK)
		goto out;
	int64_t cx = 0;
	if (json_is_integer(json_object_get(c->in, "_complexity_milli")))
		cx = json_integer_value(json_object_get(c->in, "_complexity_milli"));
	char *covers = json_dumps(json_object_get(m, "covers"), JSON_COMPACT);
	char *maint = json_dumps(json_object_get(m, "maintenance"), JSON_COMPACT);
	dbv p[] = {VT(jstr(m, "brand")), VT(jstr(m, "category")), VT(jstr(m, "model")), int_or(m, "warranty_months", 12),
		   int_or_null(m, "main_part_months"), int_or(m, "refund_days", 7), int_or(m, "exchange_days", 15),
		   int_or(m, "repairs_before_exchange", 2), int_or_null(m, "warranty_km"), VT(covers), VT(maint), VI(cx),
		   VI(cx), VI(now_ms()), VI(c->id), VI(version)};
	int e = db_exec(tx,
			"UPDATE product_models SET brand = ?, category = ?, model = ?, warranty_months = ?, main_part_months = ?, "
			"refund_days = ?, exchange_days = ?, repairs_before_exchange = ?, warranty_km = ?, covers_json = ?, "
			"maintenance_json = ?, complexity_milli = CASE WHEN ? > 0 THEN ? ELSE complexity_milli END, updated_at = ?, "
			"version = version + 1 WHERE id = ? AND version = ?",
			p, 16);
	free(covers);
	free(maint);
	rc = e != DB_OK ? ST_DB : db_changes(tx) == 0 ? ST_STALE : ST_OK;
	/* a new schedule or warranty: the assets' cached next service is recomputed */
	if (rc == ST_OK && json_object_get(c->in, "maintenance"))
		rc = maint_due_stale_model_tx(tx, who->tenant_id, c->id);
	if (rc == ST_OK)
		rc = pm_load(tx, who, c->id, &c->out);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "update", "product_model", c->id, before, c->out);
out:
	json_decref(before);
	json_decref(m);
	return rc;
}

int store_model_update(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info)
{
	struct pm_ctx c = {.a = a, .id = id, .if_match = if_match, .in = in, .info = info};
	return finish(db_write(d, update_fn, &c), &c, out);
}

static int list_fn(db_tx *tx, void *arg)
{
	struct pm_ctx *c = arg;
	buf sql;
	buf_init(&sql, 0);
	dbv p[10];
	int n = 0;
	char *like = NULL;
	buf_puts(&sql, "SELECT " PM_COLS " FROM product_models m WHERE m.tenant_id = ?");
	p[n++] = VI(c->who->tenant_id);
	if (c->brand) {
		buf_puts(&sql, " AND m.brand = ?");
		p[n++] = VT(c->brand);
	}
	if (c->category) {
		buf_puts(&sql, " AND m.category = ?");
		p[n++] = VT(c->category);
	}
	if (c->q) {
		like = like_escape(c->q, false);
		buf_puts(&sql, " AND (m.model LIKE ? ESCAPE '\\' OR m.brand LIKE ? ESCAPE '\\' OR m.category LIKE ? ESCAPE '\\')");
		p[n++] = VT(like);
		p[n++] = VT(like);
		p[n++] = VT(like);
	}
	if (c->cursor) {
		buf_puts(&sql, " AND m.id < ?");
		p[n++] = VI(c->cursor);
	}
	buf_printf(&sql, " ORDER BY m.id DESC LIMIT %d", c->limit + 1);
	int listed = page_query(tx, sql.data, p, n, c->limit, pm_json, &c->out, &c->next);
	buf_free(&sql);
	free(like);
	return listed;
}

int store_model_list(db *d, const principal *who, const char *q, const char *brand, const char *category, int limit,
		     int64_t cursor, json_t **items, int64_t *next)
{
	struct pm_ctx c = {.who = who, .q = q, .brand = brand, .category = category, .limit = limit, .cursor = cursor};
	int rc = finish(db_read(d, list_fn, &c), &c, items);
	*next = c.next;
	return rc;
}
