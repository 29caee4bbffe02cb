/*
 * saved_filters.c — a user's saved work-order list filters (issue 4 item 11): a name and the
 * list's query parameters as a JSON object, the caller's own only, at most SAVED_FILTERS_MAX
 * per user, names unique per user. Writes carry their audit row like every other.
 */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

struct sf_ctx {
	const principal *who;
	const actor *a;
	int64_t id;
	json_t *in, *out;
	st_info *info;
};

#define SF_COLS "id, name, query_json, created_at"

static int list_fn(db_tx *tx, void *arg)
{
	struct sf_ctx *c = arg;
	dbv p[] = {VI(c->who->tenant_id), VI(c->who->user_id)};
	db_res *r;
	if (db_query(tx, "SELECT " SF_COLS " FROM saved_filters WHERE tenant_id = ? AND user_id = ? ORDER BY id", p, 2,
		     &r) != DB_OK)
		return ST_DB;
	c->out = json_array();
	for (int i = 0; i < db_rows(r); i++)
		json_array_append_new(c->out, row_json(r, i));
	db_res_free(r);
	return ST_OK;
}

int store_filters_list(db *d, const principal *who, json_t **items)
{
	struct sf_ctx c = {.who = who};
	int rc = db_read(d, list_fn, &c);
	*items = c.out;
	return rc;
}

static int conflict(struct sf_ctx *c, const char *field, const char *detail)
{
	snprintf(c->info->field, sizeof c->info->field, "%s", field);
	snprintf(c->info->detail, sizeof c->info->detail, "%s", detail);
	return ST_CONFLICT;
}

static int create_fn(db_tx *tx, void *arg)
{
	struct sf_ctx *c = arg;
	const principal *who = c->a->who;
	const char *name = jstr(c->in, "name");
	/* PostgreSQL: two saves of one user at once queue here, so the limit and the unique name
	 * hold (SQLite has one writer already). */
	if (db_tx_kind(tx) == DB_PG &&
	    db_exec(tx, "SELECT pg_advisory_xact_lock(?)", (dbv[]){VI((7274LL << 40) + who->user_id)}, 1) != DB_OK)
		return ST_DB;
	int64_t count = 0, same = 0;
	dbv p[] = {VI(who->tenant_id), VI(who->user_id), VT(name)};
	if (db_query_int(tx, "SELECT count(*) FROM saved_filters WHERE tenant_id = ? AND user_id = ?", p, 2, &count) !=
		    ST_OK ||
	    db_query_int(tx, "SELECT count(*) FROM saved_filters WHERE tenant_id = ? AND user_id = ? AND name = ?", p, 3,
			 &same) != ST_OK)
		return ST_DB;
	if (same)
		return conflict(c, "name", "you already have a saved filter with this name");
	if (count >= SAVED_FILTERS_MAX)
		return conflict(c, "", "at most 50 saved filters per user: delete one first");
	char *q = json_dumps(json_object_get(c->in, "query"), JSON_COMPACT | JSON_SORT_KEYS);
	int64_t now = now_ms(), id = 0;
	dbv pi[] = {VI(who->tenant_id), VI(who->user_id), VT(name), VT(q), VI(now)};
	int rc = db_query_int(tx,
			      "INSERT INTO saved_filters(tenant_id, user_id, name, query_json, created_at) "
			      "VALUES (?, ?, ?, ?, ?) RETURNING id",
			      pi, 5, &id);
	free(q);
	if (rc != ST_OK)
		return ST_DB;
	dbv pg[] = {VI(id)};
	db_res *r;
	if (db_query(tx, "SELECT " SF_COLS " FROM saved_filters WHERE id = ?", pg, 1, &r) != DB_OK)
		return ST_DB;
	c->out = db_rows(r) ? row_json(r, 0) : NULL;
	db_res_free(r);
	if (!c->out)
		return ST_DB;
	rc = audit_add(tx, c->a, "create", "saved_filter", id, NULL, c->out);
	if (rc == ST_OK) {
		char loc[64];
		snprintf(loc, sizeof loc, "/api/v1/saved-filters/%lld", (long long)id);
		rc = idem_save(tx, c->a, 201, c->out, loc);
	}
	return rc;
}

int store_filter_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info)
{
	struct sf_ctx c = {.a = a, .in = in, .info = info};
	int rc = db_write(d, create_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

static int delete_fn(db_tx *tx, void *arg)
{
	struct sf_ctx *c = arg;
	const principal *who = c->a->who;
	dbv p[] = {VI(c->id), VI(who->tenant_id), VI(who->user_id)};
	db_res *r;
	if (db_query(tx, "SELECT " SF_COLS " FROM saved_filters WHERE id = ? AND tenant_id = ? AND user_id = ?", p, 3,
		     &r) != DB_OK)
		return ST_DB;
	json_t *before = db_rows(r) ? row_json(r, 0) : NULL;
	db_res_free(r);
	if (!before)
		return ST_NOT_FOUND;
	int rc = db_exec(tx, "DELETE FROM saved_filters WHERE id = ? AND tenant_id = ? AND user_id = ?", p, 3) == DB_OK
			 ? ST_OK
			 : ST_DB;
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "delete", "saved_filter", c->id, before, NULL);
	json_decref(before);
	return rc;
}

int store_filter_delete(db *d, const actor *a, int64_t id)
{
	struct sf_ctx c = {.a = a, .id = id};
	return db_write(d, delete_fn, &c);
}
