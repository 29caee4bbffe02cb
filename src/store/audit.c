/*
 * audit.c — the audit log (who, when, what, before → after) written inside every write's
 * transaction, and the idempotency keys: a POST with the same Idempotency-Key returns the
 * first result. Both live in the database so every node sees them.
 */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

int audit_add(db_tx *tx, const actor *a, const char *action, const char *entity, int64_t id, json_t *before,
	      json_t *after)
{
	char *b = before ? json_dumps(before, JSON_COMPACT) : NULL;
	char *f = after ? json_dumps(after, JSON_COMPACT) : NULL;
	dbv p[] = {VI(a->who->tenant_id), VI(now_ms()),   a->who->user_id ? VI(a->who->user_id) : VN,
		   VT(action),            VT(entity),     id ? VI(id) : VN,
		   VT(b),                 VT(f),          VT(a->req_id)};
	int rc = db_exec(tx,
			 "INSERT INTO audit_log(tenant_id, at, user_id, action, entity, entity_id, before_json, after_json, "
			 "request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			 p, 9);
	free(b);
	free(f);
	return rc == DB_OK ? ST_OK : ST_DB;
}

struct audit_list {
	const principal *who;
	const char *entity;
	int64_t entity_id, user_id, cursor;
	int limit;
	json_t *items;
	int64_t next;
};

static int audit_list_fn(db_tx *tx, void *arg)
{
	struct audit_list *l = arg;
	buf sql;
	buf_init(&sql, 0);
	dbv p[8];
	int n = 0;
	buf_puts(&sql, "SELECT a.id, a.at, a.user_id, u.login AS user_login, a.action, a.entity, a.entity_id, "
		       "a.before_json, a.after_json, a.request_id FROM audit_log a LEFT JOIN users u ON u.id = a.user_id "
		       "WHERE a.tenant_id = ?");
	p[n++] = VI(l->who->tenant_id);
	if (l->entity) {
		buf_puts(&sql, " AND a.entity = ?");
		p[n++] = VT(l->entity);
	}
	if (l->entity_id) {
		buf_puts(&sql, " AND a.entity_id = ?");
		p[n++] = VI(l->entity_id);
	}
	if (l->user_id) {
		buf_puts(&sql, " AND a.user_id = ?");
		p[n++] = VI(l->user_id);
	}
	if (l->cursor) {
		buf_puts(&sql, " AND a.id < ?");
		p[n++] = VI(l->cursor);
	}
	buf_printf(&sql, " ORDER BY a.id DESC LIMIT %d", l->limit + 1);
	db_res *r;
	int rc = db_query(tx, sql.data, p, n, &r);
	buf_free(&sql);
	if (rc != DB_OK)
		return ST_DB;
	l->items = json_array();
	int rows = db_rows(r);
	for (int i = 0; i < rows && i < l->limit; i++)
		json_array_append_new(l->items, row_json(r, i));
	l->next = rows > l->limit ? db_int(r, l->limit - 1, 0) : 0;
	db_res_free(r);
	return ST_OK;
}

int store_audit_list(db *d, const principal *who, const char *entity, int64_t entity_id, int64_t user_id, int limit,
		     int64_t cursor, json_t **items, int64_t *next)
{
	struct audit_list l = {who, entity, entity_id, user_id, cursor, limit, NULL, 0};
	int rc = db_read(d, audit_list_fn, &l);
	*items = l.items;
	*next = l.next;
	return rc;
}

struct idem_ctx {
	const principal *who;
	const char *key;
	char hash[65];
	int status;
	char *body, *location;
};

static int idem_fn(db_tx *tx, void *arg)
{
	struct idem_ctx *c = arg;
	dbv p[] = {VI(c->who->tenant_id), VI(c->who->user_id), VT(c->key)};
	db_res *r;
	if (db_query(tx,
		     "SELECT request_hash, status, response, location FROM idempotency_keys "
		     "WHERE tenant_id = ? AND user_id = ? AND key = ?",
		     p, 3, &r) != DB_OK)
		return ST_DB;
	int rc = ST_NOT_FOUND;
	if (db_rows(r)) {
		snprintf(c->hash, sizeof c->hash, "%s", db_text(r, 0, 0));
		c->status = (int)db_int(r, 0, 1);
		c->body = xstrdup(db_text(r, 0, 2));
		c->location = db_text(r, 0, 3) ? xstrdup(db_text(r, 0, 3)) : NULL;
		rc = ST_OK;
	}
	db_res_free(r);
	return rc;
}

int idem_lookup(db *d, const principal *who, const char *key, char hash_out[65], int *status, char **body,
		char **location)
{
	struct idem_ctx c = {.who = who, .key = key};
	int rc = db_read(d, idem_fn, &c);
	if (rc == ST_OK) {
		memcpy(hash_out, c.hash, 65);
		*status = c.status;
		*body = c.body;
		*location = c.location;
	}
	return rc;
}

int idem_save(db_tx *tx, const actor *a, int status, json_t *body, const char *location)
{
	if (!a->idem_key)
		return ST_OK;
	char *s = json_dumps(body, JSON_COMPACT);
	dbv p[] = {VI(a->who->tenant_id), VI(a->who->user_id), VT(a->idem_key), VT(a->idem_hash),
		   VI(status),            VT(s),               VT(location),    VI(now_ms())};
	int rc = db_exec(tx,
			 "INSERT INTO idempotency_keys(tenant_id, user_id, key, request_hash, status, response, location, "
			 "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			 p, 8);
	free(s);
	/* A concurrent request with the same key won: the caller rolls back and replays it. */
	return rc == DB_OK ? ST_OK : rc == DB_UNIQUE ? ST_CONFLICT : ST_DB;
}
