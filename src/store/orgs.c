/*
 * orgs.c — the organisation tree (DOMAIN §1–2: platform → manufacturer / station → outlet
 * → department → team). Each node keeps its materialised path "/1/4/9/", so "inside the
 * caller's subtree" is one indexed prefix test; moving a node rewrites its descendants'
 * paths in the same transaction.
 */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#define ORG_COLS "id, parent_id, type, name, code, province, city, district, address, lat, lon, path, created_at, updated_at, version"

static json_t *org_json(const db_res *r, int row)
{
	json_t *o = row_json(r, row);
	json_t *region = json_object();
	static const char *const keys[] = {"province", "city", "district"};
	for (size_t i = 0; i < 3; i++) {
		json_t *v = json_object_get(o, keys[i]);
		json_object_set(region, keys[i], v ? v : json_null());
		json_object_del(o, keys[i]);
	}
	json_object_set_new(o, "region", region);
	return o;
}

int org_in_scope(db_tx *tx, const principal *who, int64_t id, char *path_out, size_t pathlen)
{
	dbv p[] = {VI(id), VI(who->tenant_id), VT(who->org_path)};
	db_res *r;
	if (db_query(tx, "SELECT path FROM organizations WHERE id = ? AND tenant_id = ? AND path LIKE ? || '%'", p, 3,
		     &r) != DB_OK)
		return ST_DB;
	int rc = ST_NOT_FOUND;
	if (db_rows(r)) {
		if (path_out)
			snprintf(path_out, pathlen, "%s", db_text(r, 0, 0));
		rc = ST_OK;
	}
	db_res_free(r);
	return rc;
}

struct org_ctx {
	const principal *who;
	const actor *a;
	int64_t id, if_match, parent_id, cursor, next;
	int limit;
	const char *type, *q;
	json_t *in, *out;
	st_info *info;
};

static int org_load(db_tx *tx, const principal *who, int64_t id, json_t **out)
{
	dbv p[] = {VI(id), VI(who->tenant_id), VT(who->org_path)};
	db_res *r;
	if (db_query(tx, "SELECT " ORG_COLS " FROM organizations WHERE id = ? AND tenant_id = ? AND path LIKE ? || '%'",
		     p, 3, &r) != DB_OK)
		return ST_DB;
	int rc = ST_NOT_FOUND;
	if (db_rows(r)) {
		*out = org_json(r, 0);
		rc = ST_OK;
	}
	db_res_free(r);
	return rc;
}

static int list_fn(db_tx *tx, void *arg)
{
	struct org_ctx *c = arg;
	buf sql;
	buf_init(&sql, 0);
	dbv p[8];
	int n = 0;
	buf_puts(&sql, "SELECT " ORG_COLS " FROM organizations WHERE tenant_id = ? AND path LIKE ? || '%'");
	p[n++] = VI(c->who->tenant_id);
	p[n++] = VT(c->who->org_path);
	if (c->type) {
		buf_puts(&sql, " AND type = ?");
		p[n++] = VT(c->type);
	}
	if (c->parent_id) {
		buf_puts(&sql, " AND parent_id = ?");
		p[n++] = VI(c->parent_id);
	}
	char *like = NULL;
	if (c->q) {
		like = like_escape(c->q, false);
		buf_puts(&sql, " AND (name LIKE ? ESCAPE '\\' OR code LIKE ? ESCAPE '\\')");
		p[n++] = VT(like);
		p[n++] = VT(like);
	}
	if (c->cursor) {
		buf_puts(&sql, " AND id > ?");
		p[n++] = VI(c->cursor);
	}
	/* Oldest first: a tree is built parents before children. */
	buf_printf(&sql, " ORDER BY id LIMIT %d", c->limit + 1);
	int listed = page_query(tx, sql.data, p, n, c->limit, org_json, &c->out, &c->next);
	buf_free(&sql);
	free(like);
	return listed;
}

int store_orgs_list(db *d, const principal *who, const char *type, int64_t parent_id, const char *q, int limit,
		    int64_t cursor, json_t **items, int64_t *next)
{
	struct org_ctx c = {.who = who, .type = type, .parent_id = parent_id, .q = q, .limit = limit, .cursor = cursor};
	int rc = db_read(d, list_fn, &c);
	*items = c.out;
	*next = c.next;
	return rc;
}

static int get_fn(db_tx *tx, void *arg)
{
	struct org_ctx *c = arg;
	return org_load(tx, c->who, c->id, &c->out);
}

int store_org_get(db *d, const principal *who, int64_t id, json_t **out)
{
	struct org_ctx c = {.who = who, .id = id};
	int rc = db_read(d, get_fn, &c);
	*out = c.out;
	return rc;
}

static const char *region_str(json_t *in, const char *k)
{
	return json_string_value(json_object_get(json_object_get(in, "region"), k));
}

static dbv num_or_null(json_t *in, const char *k)
{
	json_t *v = json_object_get(in, k);
	return json_is_number(v) ? VR(json_number_value(v)) : VN;
}

static int create_fn(db_tx *tx, void *arg)
{
	struct org_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *in = c->in;
	char parent_path[256];
	int64_t parent = json_integer_value(json_object_get(in, "parent_id"));
	if (!parent) {
		snprintf(c->info->field, sizeof c->info->field, "parent_id");
		snprintf(c->info->detail, sizeof c->info->detail, "parent_id is required (the tenant already has its root)");
		return ST_INVALID;
	}
	int rc = org_in_scope(tx, who, parent, parent_path, sizeof parent_path);
	if (rc == ST_NOT_FOUND) {
		snprintf(c->info->field, sizeof c->info->field, "parent_id");
		snprintf(c->info->detail, sizeof c->info->detail, "parent organisation %lld not found", (long long)parent);
		return ST_INVALID;
	}
	if (rc != ST_OK)
		return rc;
	if (jstr(in, "code")) {
		/* Look first (a failed INSERT aborts a PostgreSQL transaction). */
		dbv pc[] = {VI(who->tenant_id), VT(jstr(in, "code"))};
		if (db_query_int(tx, "SELECT id FROM organizations WHERE tenant_id = ? AND code = ?", pc, 2,
				 &c->info->existing_id) == ST_OK) {
			snprintf(c->info->field, sizeof c->info->field, "code");
			snprintf(c->info->detail, sizeof c->info->detail, "code '%s' is already used", jstr(in, "code"));
			return ST_CONFLICT;
		}
	}
	int64_t now = now_ms();
	dbv p[] = {VI(who->tenant_id),
		   VI(parent),
		   VT(jstr(in, "type")),
		   VT(jstr(in, "name")),
		   VT(jstr(in, "code")),
		   VT(region_str(in, "province")),
		   VT(region_str(in, "city")),
		   VT(region_str(in, "district")),
		   VT(jstr(in, "address")),
		   num_or_null(in, "lat"),
		   num_or_null(in, "lon"),
		   VI(now),
		   VI(now)};
	db_res *r;
	rc = db_query(tx,
		      "INSERT INTO organizations(tenant_id, parent_id, type, name, code, province, city, district, address, "
		      "lat, lon, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		      p, 13, &r);
	if (rc == DB_UNIQUE) {
		snprintf(c->info->field, sizeof c->info->field, "code");
		snprintf(c->info->detail, sizeof c->info->detail, "code '%s' is already used", jstr(in, "code"));
		return ST_CONFLICT;
	}
	if (rc != DB_OK)
		return ST_DB;
	c->id = db_int(r, 0, 0);
	db_res_free(r);
	char *path = xasprintf("%s%lld/", parent_path, (long long)c->id);
	dbv pp[] = {VT(path), VI(c->id)};
	rc = db_exec(tx, "UPDATE organizations SET path = ? WHERE id = ?", pp, 2);
	free(path);
	if (rc != DB_OK)
		return ST_DB;
	if ((rc = org_load(tx, who, c->id, &c->out)) != ST_OK)
		return rc;
	if ((rc = audit_add(tx, c->a, "create", "organization", c->id, NULL, c->out)) != ST_OK)
		return rc;
	return idem_save(tx, c->a, 201, c->out, NULL);
}

int store_org_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info)
{
	struct org_ctx c = {.a = a, .in = in, .info = info};
	int rc = db_write(d, create_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

static int update_fn(db_tx *tx, void *arg)
{
	struct org_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *before = NULL, *in = c->in;
	int rc = org_load(tx, who, c->id, &before);
	if (rc != ST_OK)
		return rc;
	int64_t version = json_integer_value(json_object_get(before, "version"));
	if (c->if_match && c->if_match != version) {
		c->info->current_version = version;
		json_decref(before);
		return ST_STALE;
	}
	/* Merge: fields given replace, others stay. */
	json_t *m = json_deep_copy(before);
	json_t *region = json_object_get(m, "region");
	const char *key;
	json_t *v;
	json_object_foreach(in, key, v) {
		if (!strcmp(key, "region")) {
			const char *rk;
			json_t *rv;
			json_object_foreach(v, rk, rv) json_object_set(region, rk, rv);
		} else {
			json_object_set(m, key, v);
		}
	}
	const char *old_path = json_string_value(json_object_get(before, "path"));
	char new_path[256];
	snprintf(new_path, sizeof new_path, "%s", old_path);
	int64_t old_parent = json_integer_value(json_object_get(before, "parent_id"));
	int64_t new_parent = json_integer_value(json_object_get(m, "parent_id"));
	rc = ST_OK;
	if (new_parent != old_parent) {
		char parent_path[256];
		if (!old_parent || !new_parent) {
			snprintf(c->info->field, sizeof c->info->field, "parent_id");
			snprintf(c->info->detail, sizeof c->info->detail, "the root organisation cannot be moved");
			rc = ST_INVALID;
		} else if ((rc = org_in_scope(tx, who, new_parent, parent_path, sizeof parent_path)) != ST_OK) {
			if (rc == ST_NOT_FOUND) {
				snprintf(c->info->field, sizeof c->info->field, "parent_id");
				snprintf(c->info->detail, sizeof c->info->detail, "parent organisation not found");
				rc = ST_INVALID;
			}
		} else if (!strncmp(parent_path, old_path, strlen(old_path))) {
			snprintf(c->info->field, sizeof c->info->field, "parent_id");
			snprintf(c->info->detail, sizeof c->info->detail, "an organisation cannot move under itself");
			rc = ST_INVALID;
		} else if (strlen(parent_path) > 200) {
			snprintf(c->info->field, sizeof c->info->field, "parent_id");
			snprintf(c->info->detail, sizeof c->info->detail, "the organisation tree is too deep");
			rc = ST_INVALID;
		} else {
			snprintf(new_path, sizeof new_path, "%.200s%lld/", parent_path, (long long)c->id);
		}
	}
	if (rc == ST_OK && jstr(m, "code")) {
		dbv pc[] = {VI(who->tenant_id), VT(jstr(m, "code")), VI(c->id)};
		if (db_query_int(tx, "SELECT id FROM organizations WHERE tenant_id = ? AND code = ? AND id <> ?", pc, 3,
				 &c->info->existing_id) == ST_OK) {
			snprintf(c->info->field, sizeof c->info->field, "code");
			snprintf(c->info->detail, sizeof c->info->detail, "code '%s' is already used", jstr(m, "code"));
			rc = ST_CONFLICT;
		}
	}
	if (rc == ST_OK) {
		region = json_object_get(m, "region");
		dbv p[] = {new_parent ? VI(new_parent) : VN,
			   VT(jstr(m, "type")),
			   VT(jstr(m, "name")),
			   VT(jstr(m, "code")),
			   VT(json_string_value(json_object_get(region, "province"))),
			   VT(json_string_value(json_object_get(region, "city"))),
			   VT(json_string_value(json_object_get(region, "district"))),
			   VT(jstr(m, "address")),
			   num_or_null(m, "lat"),
			   num_or_null(m, "lon"),
			   VI(now_ms()),
			   VI(c->id),
			   VI(version)};
		int e = db_exec(tx,
				"UPDATE organizations SET parent_id = ?, type = ?, name = ?, code = ?, province = ?, city = ?, "
				"district = ?, address = ?, lat = ?, lon = ?, updated_at = ?, version = version + 1 "
				"WHERE id = ? AND version = ?",
				p, 13);
		if (e == DB_UNIQUE) {
			snprintf(c->info->field, sizeof c->info->field, "code");
			snprintf(c->info->detail, sizeof c->info->detail, "code is already used");
			rc = ST_CONFLICT;
		} else if (e != DB_OK) {
			rc = ST_DB;
		} else if (db_changes(tx) == 0) {
			rc = ST_STALE;
		}
	}
	if (rc == ST_OK && strcmp(new_path, old_path)) {
		dbv pp[] = {VT(new_path), VI((int64_t)strlen(old_path)), VI(who->tenant_id), VT(old_path)};
		if (db_exec(tx,
			    "UPDATE organizations SET path = ? || substr(path, ? + 1) WHERE tenant_id = ? AND path LIKE ? || '%'",
			    pp, 4) != DB_OK)
			rc = ST_DB;
	}
	if (rc == ST_OK)
		rc = org_load(tx, who, c->id, &c->out);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "update", "organization", c->id, before, c->out);
	json_decref(before);
	json_decref(m);
	return rc;
}

int store_org_update(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info)
{
	struct org_ctx c = {.a = a, .id = id, .if_match = if_match, .in = in, .info = info};
	int rc = db_write(d, update_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

static int delete_fn(db_tx *tx, void *arg)
{
	struct org_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *before = NULL;
	int rc = org_load(tx, who, c->id, &before);
	if (rc != ST_OK)
		return rc;
	static const struct { const char *sql, *what; } deps[] = {
		{"SELECT count(*) FROM organizations WHERE tenant_id = ? AND parent_id = ?", "it has sub-organisations"},
		{"SELECT count(*) FROM users WHERE tenant_id = ? AND org_id = ?", "it has users"},
		{"SELECT count(*) FROM work_orders WHERE tenant_id = ? AND org_id = ?", "it has work orders"},
	};
	if (!json_integer_value(json_object_get(before, "parent_id"))) {
		snprintf(c->info->detail, sizeof c->info->detail, "the root organisation cannot be deleted");
		rc = ST_CONFLICT;
	}
	for (size_t i = 0; rc == ST_OK && i < ARRAY_LEN(deps); i++) {
		int64_t n = 0;
		dbv p[] = {VI(who->tenant_id), VI(c->id)};
		if (db_query_int(tx, deps[i].sql, p, 2, &n) != ST_OK)
			rc = ST_DB;
		else if (n > 0) {
			snprintf(c->info->detail, sizeof c->info->detail, "cannot delete: %s", deps[i].what);
			rc = ST_CONFLICT;
		}
	}
	if (rc == ST_OK) {
		dbv p[] = {VI(c->id), VI(who->tenant_id)};
		rc = db_exec(tx, "DELETE FROM organizations WHERE id = ? AND tenant_id = ?", p, 2) == DB_OK ? ST_OK : ST_DB;
	}
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "delete", "organization", c->id, before, NULL);
	json_decref(before);
	return rc;
}

int store_org_delete(db *d, const actor *a, int64_t id, st_info *info)
{
	struct org_ctx c = {.a = a, .id = id, .info = info};
	return db_write(d, delete_fn, &c);
}
