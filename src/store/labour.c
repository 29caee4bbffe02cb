/*
 * labour.c — standard labour operations (标准工时, DOMAIN §2, issue 3 item 3): a code, a
 * name and the standard hours (工时定额, stored in thousandths of an hour, shown "1.50"),
 * for all models or one. Work-order labour lines will price from these.
 */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#define LO_COLS "l.id, l.model_id, l.category, l.code, l.name, l.std_hours_milli AS _h, l.created_at, l.updated_at, l.version"

struct lo_ctx {
	const principal *who;
	const actor *a;
	int64_t id, if_match, model_id, cursor, next;
	int limit;
	const char *q;
	json_t *in, *out;
	st_info *info;
};

static json_t *lo_json(const db_res *r, int row)
{
	json_t *o = row_json(r, row);
	int64_t h = db_int(r, row, 5);
	char s[32];
	snprintf(s, sizeof s, "%lld.%02lld", (long long)(h / 1000), (long long)(h % 1000 / 10));
	json_object_set_new(o, "standard_hours", json_string(s));
	return o;
}

static int lo_load(db_tx *tx, const principal *who, int64_t id, json_t **out)
{
	dbv p[] = {VI(id), VI(who->tenant_id)};
	db_res *r;
	if (db_query(tx, "SELECT " LO_COLS " FROM labour_operations l WHERE l.id = ? AND l.tenant_id = ?", p, 2, &r) != DB_OK)
		return ST_DB;
	int rc = ST_NOT_FOUND;
	if (db_rows(r)) {
		*out = lo_json(r, 0);
		rc = ST_OK;
	}
	db_res_free(r);
	return rc;
}

static int finish(int rc, struct lo_ctx *c, json_t **out)
{
	if (rc != ST_OK) {
		json_decref(c->out);
		c->out = NULL;
	}
	*out = c->out;
	return rc;
}

/* Model in the tenant and code not taken by another operation. */
static int check_refs(db_tx *tx, struct lo_ctx *c, int64_t model_id, const char *code)
{
	int64_t one, other;
	if (model_id) {
		dbv pm[] = {VI(model_id), VI(c->a->who->tenant_id)};
		int rc = db_query_int(tx, "SELECT 1 FROM product_models WHERE id = ? AND tenant_id = ?", pm, 2, &one);
		if (rc == ST_NOT_FOUND) {
			snprintf(c->info->field, sizeof c->info->field, "model_id");
			snprintf(c->info->detail, sizeof c->info->detail, "unknown product model");
			return ST_INVALID;
		}
		if (rc != ST_OK)
			return rc;
	}
	dbv pc[] = {VI(c->a->who->tenant_id), VT(code), VI(c->id)};
	int rc = db_query_int(tx, "SELECT id FROM labour_operations WHERE tenant_id = ? AND code = ? AND id <> ?", pc, 3, &other);
	if (rc == ST_OK) {
		c->info->existing_id = other;
		snprintf(c->info->field, sizeof c->info->field, "code");
		snprintf(c->info->detail, sizeof c->info->detail, "the labour code %s exists already", code);
		return ST_CONFLICT;
	}
	return rc == ST_NOT_FOUND ? ST_OK : rc;
}

static int create_fn(db_tx *tx, void *arg)
{
	struct lo_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *in = c->in;
	int64_t model = json_integer_value(json_object_get(in, "model_id"));
	int rc = check_refs(tx, c, model, jstr(in, "code"));
	if (rc != ST_OK)
		return rc;
	int64_t now = now_ms();
	dbv p[] = {VI(who->tenant_id), model ? VI(model) : VN, VT(jstr(in, "category")), VT(jstr(in, "code")),
		   VT(jstr(in, "name")), VI(json_integer_value(json_object_get(in, "_hours_milli"))), VI(now), VI(now)};
	if (db_query_int(tx,
			 "INSERT INTO labour_operations(tenant_id, model_id, category, code, name, std_hours_milli, created_at, "
			 "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			 p, 8, &c->id) != ST_OK)
		return ST_DB;
	if ((rc = lo_load(tx, who, c->id, &c->out)) != ST_OK)
		return rc;
	if ((rc = audit_add(tx, c->a, "create", "labour_operation", c->id, NULL, c->out)) != ST_OK)
		return rc;
	char loc[64];
	snprintf(loc, sizeof loc, "/api/v1/labour-operations/%lld", (long long)c->id);
	return idem_save(tx, c->a, 201, c->out, loc);
}

int store_labour_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info)
{
	struct lo_ctx c = {.a = a, .in = in, .info = info};
	return finish(db_write(d, create_fn, &c), &c, out);
}

static int update_fn(db_tx *tx, void *arg)
{
	struct lo_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *before = NULL, *m = NULL;
	int rc = lo_load(tx, who, c->id, &before);
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
	int64_t model = json_integer_value(json_object_get(m, "model_id"));
	if ((rc = check_refs(tx, c, model, jstr(m, "code"))) != ST_OK)
		goto out;
	int64_t h = json_integer_value(json_object_get(c->in, "_hours_milli"));
	dbv p[] = {model ? VI(model) : VN, VT(jstr(m, "category")), VT(jstr(m, "code")), VT(jstr(m, "name")), VI(h), VI(h),
		   VI(now_ms()), VI(c->id), VI(version)};
	int e = db_exec(tx,
			"UPDATE labour_operations SET model_id = ?, category = ?, code = ?, name = ?, std_hours_milli = CASE WHEN "
			"? > 0 THEN ? ELSE std_hours_milli END, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
			p, 9);
	rc = e != DB_OK ? ST_DB : db_changes(tx) == 0 ? ST_STALE : ST_OK;
	if (rc == ST_OK)
		rc = lo_load(tx, who, c->id, &c->out);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "update", "labour_operation", c->id, before, c->out);
out:
	json_decref(before);
	json_decref(m);
	return rc;
}

int store_labour_update(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info)
{
	struct lo_ctx c = {.a = a, .id = id, .if_match = if_match, .in = in, .info = info};
	return finish(db_write(d, update_fn, &c), &c, out);
}

static int list_fn(db_tx *tx, void *arg)
{
	struct lo_ctx *c = arg;
	buf sql;
	buf_init(&sql, 0);
	dbv p[8];
	int n = 0;
	char *like = NULL;
	buf_puts(&sql, "SELECT " LO_COLS " FROM labour_operations l WHERE l.tenant_id = ?");
	p[n++] = VI(c->who->tenant_id);
	if (c->model_id) {
		/* the model's own operations and those for every model */
		buf_puts(&sql, " AND (l.model_id = ? OR l.model_id IS NULL)");
		p[n++] = VI(c->model_id);
	}
	if (c->q) {
		like = like_escape(c->q, false);
		buf_puts(&sql, " AND (l.code LIKE ? ESCAPE '\\' OR l.name LIKE ? ESCAPE '\\')");
		p[n++] = VT(like);
		p[n++] = VT(like);
	}
	if (c->cursor) {
		buf_puts(&sql, " AND l.id < ?");
		p[n++] = VI(c->cursor);
	}
	buf_printf(&sql, " ORDER BY l.id DESC LIMIT %d", c->limit + 1);
	int listed = page_query(tx, sql.data, p, n, c->limit, lo_json, &c->out, &c->next);
	buf_free(&sql);
	free(like);
	return listed;
}

int store_labour_list(db *d, const principal *who, int64_t model_id, const char *q, int limit, int64_t cursor,
		      json_t **items, int64_t *next)
{
	struct lo_ctx c = {.who = who, .model_id = model_id, .q = q, .limit = limit, .cursor = cursor};
	int rc = finish(db_read(d, list_fn, &c), &c, items);
	*next = c.next;
	return rc;
}
