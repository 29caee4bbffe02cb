/*
 * users.c — users: one organisation each, roles from the permission matrix, Argon2id
 * passwords. A user is never deleted (the audit log refers to them); DELETE disables the
 * account and ends its sessions.
 */
#include "store/store.h"
#include "domain/perm.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define USER_COLS "u.id, u.login, u.name, u.phone, u.email, u.org_id, o.name AS org_name, u.roles AS _roles, u.status, " \
		  "u.customer_id, u.created_at, u.updated_at, u.version"

static json_t *user_json(const db_res *r, int row)
{
	json_t *o = row_json(r, row);
	json_t *roles = json_array();
	const char *csv = db_text(r, row, 7);
	uint32_t bits = 0;
	if (csv && roles_parse_csv(csv, &bits))
		for (int i = 0; i < ROLE_COUNT; i++)
			if (bits & (1u << i))
				json_array_append_new(roles, json_string(role_name(i)));
	json_object_set_new(o, "roles", roles);
	json_t *perms = json_array();
	uint64_t p = perm_for_roles(bits);
	for (int i = 0; i < P_COUNT; i++)
		if (perm_has(p, i))
			json_array_append_new(perms, json_string(perm_name(i)));
	json_object_set_new(o, "permissions", perms);
	return o;
}

struct user_ctx {
	const principal *who;
	const actor *a;
	int64_t id, if_match, org_id, cursor, next;
	int limit;
	const char *q, *role, *status, *old_pw;
	char *hash;
	json_t *in, *out;
	st_info *info;
};

static int user_load(db_tx *tx, const principal *who, int64_t id, json_t **out)
{
	dbv p[] = {VI(id), VI(who->tenant_id), VT(who->org_path)};
	db_res *r;
	if (db_query(tx,
		     "SELECT " USER_COLS " FROM users u JOIN organizations o ON o.id = u.org_id "
		     "WHERE u.id = ? AND u.tenant_id = ? AND o.path LIKE ? || '%'",
		     p, 3, &r) != DB_OK)
		return ST_DB;
	int rc = ST_NOT_FOUND;
	if (db_rows(r)) {
		*out = user_json(r, 0);
		rc = ST_OK;
	}
	db_res_free(r);
	return rc;
}

static int list_fn(db_tx *tx, void *arg)
{
	struct user_ctx *c = arg;
	buf sql;
	buf_init(&sql, 0);
	dbv p[10];
	int n = 0;
	buf_puts(&sql, "SELECT " USER_COLS " FROM users u JOIN organizations o ON o.id = u.org_id "
		       "WHERE u.tenant_id = ? AND o.path LIKE ? || '%'");
	p[n++] = VI(c->who->tenant_id);
	p[n++] = VT(c->who->org_path);
	char *like = NULL, *rl = NULL;
	if (c->q) {
		like = like_escape(c->q, false);
		buf_puts(&sql, " AND (u.login LIKE ? ESCAPE '\\' OR u.name LIKE ? ESCAPE '\\' OR u.phone LIKE ? ESCAPE '\\')");
		p[n++] = VT(like);
		p[n++] = VT(like);
		p[n++] = VT(like);
	}
	if (c->org_id) {
		buf_puts(&sql, " AND u.org_id = ?");
		p[n++] = VI(c->org_id);
	}
	if (c->role) {
		rl = xasprintf("%%,%s,%%", c->role);
		buf_puts(&sql, " AND (',' || u.roles || ',') LIKE ?");
		p[n++] = VT(rl);
	}
	if (c->status) {
		buf_puts(&sql, " AND u.status = ?");
		p[n++] = VT(c->status);
	}
	if (c->cursor) {
		buf_puts(&sql, " AND u.id < ?");
		p[n++] = VI(c->cursor);
	}
	buf_printf(&sql, " ORDER BY u.id DESC LIMIT %d", c->limit + 1);
	int listed = page_query(tx, sql.data, p, n, c->limit, user_json, &c->out, &c->next);
	buf_free(&sql);
	free(like);
	free(rl);
	return listed;
}

int store_users_list(db *d, const principal *who, const char *q, int64_t org_id, const char *role, const char *status,
		     int limit, int64_t cursor, json_t **items, int64_t *next)
{
	struct user_ctx c = {.who = who, .q = q, .org_id = org_id, .role = role, .status = status, .limit = limit,
			     .cursor = cursor};
	int rc = db_read(d, list_fn, &c);
	*items = c.out;
	*next = c.next;
	return rc;
}

static int get_fn(db_tx *tx, void *arg)
{
	struct user_ctx *c = arg;
	return user_load(tx, c->who, c->id, &c->out);
}

int store_user_get(db *d, const principal *who, int64_t id, json_t **out)
{
	struct user_ctx c = {.who = who, .id = id};
	int rc = db_read(d, get_fn, &c);
	*out = c.out;
	return rc;
}

static char *roles_from_json(json_t *arr)
{
	char csv[256];
	uint32_t bits = 0;
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) bits |= 1u << role_parse(json_string_value(v));
	roles_csv(bits, csv, sizeof csv);
	return xstrdup(csv);
}

static int check_org(db_tx *tx, struct user_ctx *c, int64_t org)
{
	int rc = org_in_scope(tx, c->a->who, org, NULL, 0);
	if (rc == ST_NOT_FOUND) {
		snprintf(c->info->field, sizeof c->info->field, "org_id");
		snprintf(c->info->detail, sizeof c->info->detail, "organisation %lld not found", (long long)org);
		return ST_INVALID;
	}
	return rc;
}

static int create_fn(db_tx *tx, void *arg)
{
	struct user_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *in = c->in;
	int64_t org = json_integer_value(json_object_get(in, "org_id"));
	int rc = check_org(tx, c, org);
	if (rc != ST_OK)
		return rc;
	/* Look first (a failed INSERT aborts a PostgreSQL transaction); the unique index still
	 * decides when two requests race. */
	dbv pl[] = {VI(who->tenant_id), VT(jstr(in, "login"))};
	if (db_query_int(tx, "SELECT id FROM users WHERE tenant_id = ? AND login = ?", pl, 2, &c->info->existing_id) ==
	    ST_OK) {
		snprintf(c->info->field, sizeof c->info->field, "login");
		snprintf(c->info->detail, sizeof c->info->detail, "login '%s' is already taken", jstr(in, "login"));
		return ST_CONFLICT;
	}
	int64_t cust = json_integer_value(json_object_get(in, "customer_id"));
	if (cust) {
		int64_t found;
		dbv pc[] = {VI(cust), VI(who->tenant_id)};
		if (db_query_int(tx, "SELECT id FROM customers WHERE id = ? AND tenant_id = ?", pc, 2, &found) != ST_OK) {
			snprintf(c->info->field, sizeof c->info->field, "customer_id");
			snprintf(c->info->detail, sizeof c->info->detail, "customer %lld not found", (long long)cust);
			return ST_INVALID;
		}
	}
	char *roles = roles_from_json(json_object_get(in, "roles"));
	int64_t now = now_ms();
	dbv p[] = {VI(who->tenant_id), VI(org),    VT(jstr(in, "login")), VT(jstr(in, "name")),
		   VT(jstr(in, "phone")), VT(jstr(in, "email")), VT(c->hash), VT(roles),
		   cust ? VI(cust) : VN,  VI(now),  VI(now)};
	db_res *r;
	int e = db_query(tx,
			 "INSERT INTO users(tenant_id, org_id, login, name, phone, email, password_hash, roles, customer_id, "
			 "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			 p, 11, &r);
	free(roles);
	if (e == DB_UNIQUE) {
		snprintf(c->info->field, sizeof c->info->field, "login");
		snprintf(c->info->detail, sizeof c->info->detail, "login '%s' is already taken", jstr(in, "login"));
		return ST_CONFLICT;
	}
	if (e != DB_OK)
		return ST_DB;
	c->id = db_int(r, 0, 0);
	db_res_free(r);
	if ((rc = user_load(tx, who, c->id, &c->out)) != ST_OK)
		return rc;
	if ((rc = audit_add(tx, c->a, "create", "user", c->id, NULL, c->out)) != ST_OK)
		return rc;
	return idem_save(tx, c->a, 201, c->out, NULL);
}

int store_user_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info)
{
	/* Hash outside the transaction: the writer must not wait for Argon2. */
	struct user_ctx c = {.a = a, .in = in, .info = info, .hash = password_hash(jstr(in, "password"))};
	if (!c.hash)
		return ST_DB;
	int rc = db_write(d, create_fn, &c);
	free(c.hash);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

static int end_sessions(db_tx *tx, const principal *who, int64_t user_id, int64_t keep_session)
{
	dbv p[] = {VI(who->tenant_id), VI(user_id), VI(keep_session)};
	return db_exec(tx, "DELETE FROM sessions WHERE tenant_id = ? AND user_id = ? AND id <> ?", p, 3) == DB_OK ? ST_OK
														      : ST_DB;
}

static int update_fn(db_tx *tx, void *arg)
{
	struct user_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *before = NULL, *in = c->in;
	int rc = user_load(tx, who, c->id, &before);
	if (rc != ST_OK)
		return rc;
	int64_t version = json_integer_value(json_object_get(before, "version"));
	if (c->if_match && c->if_match != version) {
		c->info->current_version = version;
		json_decref(before);
		return ST_STALE;
	}
	json_t *m = json_deep_copy(before);
	json_object_update(m, in);
	int64_t org = json_integer_value(json_object_get(m, "org_id"));
	if (json_object_get(in, "org_id"))
		rc = check_org(tx, c, org);
	if (rc == ST_OK && c->id == who->user_id && jstr(in, "status") && strcmp(jstr(in, "status"), "active")) {
		snprintf(c->info->field, sizeof c->info->field, "status");
		snprintf(c->info->detail, sizeof c->info->detail, "you cannot disable your own account");
		rc = ST_INVALID;
	}
	if (rc == ST_OK && json_object_get(in, "roles")) {
		uint32_t bits = 0;
		char *csv = roles_from_json(json_object_get(m, "roles"));
		roles_parse_csv(csv, &bits);
		free(csv);
		bool cust = json_integer_value(json_object_get(m, "customer_id")) != 0;
		if ((bits & (1u << ROLE_CUSTOMER)) != (cust ? (1u << ROLE_CUSTOMER) : 0u) ||
		    (cust && bits != (1u << ROLE_CUSTOMER))) {
			snprintf(c->info->field, sizeof c->info->field, "roles");
			snprintf(c->info->detail, sizeof c->info->detail,
				 "a customer account keeps the single role customer; staff cannot become customers");
			rc = ST_INVALID;
		}
	}
	if (rc == ST_OK) {
		char *roles = roles_from_json(json_object_get(m, "roles"));
		dbv p[] = {VT(jstr(m, "name")), VT(jstr(m, "phone")), VT(jstr(m, "email")), VI(org), VT(roles),
			   VT(jstr(m, "status")), VI(now_ms()), VI(c->id), VI(version)};
		int e = db_exec(tx,
				"UPDATE users SET name = ?, phone = ?, email = ?, org_id = ?, roles = ?, status = ?, "
				"updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
				p, 9);
		free(roles);
		rc = e != DB_OK ? ST_DB : db_changes(tx) == 0 ? ST_STALE : ST_OK;
	}
	if (rc == ST_OK && strcmp(jstr(m, "status"), "active"))
		rc = end_sessions(tx, who, c->id, 0);
	if (rc == ST_OK)
		rc = user_load(tx, who, c->id, &c->out);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "update", "user", c->id, before, c->out);
	json_decref(before);
	json_decref(m);
	return rc;
}

int store_user_update(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info)
{
	struct user_ctx c = {.a = a, .id = id, .if_match = if_match, .in = in, .info = info};
	int rc = db_write(d, update_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

int store_user_disable(db *d, const actor *a, int64_t id)
{
	st_info info = {0};
	json_t *in = json_pack("{s:s}", "status", "disabled"), *out = NULL;
	int rc = store_user_update(d, a, id, 0, in, &out, &info);
	json_decref(in);
	json_decref(out);
	return rc;
}

static int old_hash_fn(db_tx *tx, void *arg)
{
	struct user_ctx *c = arg;
	dbv p[] = {VI(c->id), VI(c->who->tenant_id)};
	db_res *r;
	if (db_query(tx, "SELECT password_hash FROM users WHERE id = ? AND tenant_id = ?", p, 2, &r) != DB_OK)
		return ST_DB;
	int rc = ST_NOT_FOUND;
	if (db_rows(r)) {
		c->hash = xstrdup(db_text(r, 0, 0));
		rc = ST_OK;
	}
	db_res_free(r);
	return rc;
}

static int passwd_fn(db_tx *tx, void *arg)
{
	struct user_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *before = NULL;
	int rc = user_load(tx, who, c->id, &before);
	if (rc != ST_OK)
		return rc;
	dbv p[] = {VT(c->hash), VI(now_ms()), VI(c->id)};
	rc = db_exec(tx, "UPDATE users SET password_hash = ?, updated_at = ?, version = version + 1 WHERE id = ?", p, 3) ==
			     DB_OK
		     ? ST_OK
		     : ST_DB;
	if (rc == ST_OK)
		rc = end_sessions(tx, who, c->id, who->user_id == c->id ? who->session_id : 0);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "password", "user", c->id, NULL, NULL);
	json_decref(before);
	return rc;
}

int store_user_set_password(db *d, const actor *a, int64_t id, const char *old_password, const char *password,
			    st_info *info)
{
	struct user_ctx c = {.a = a, .who = a->who, .id = id, .info = info};
	if (old_password) {
		int rc = db_read(d, old_hash_fn, &c);
		if (rc != ST_OK)
			return rc;
		bool ok = password_verify(c.hash, old_password);
		free(c.hash);
		c.hash = NULL;
		if (!ok) {
			snprintf(info->field, sizeof info->field, "old_password");
			snprintf(info->detail, sizeof info->detail, "the old password is not correct");
			return ST_INVALID;
		}
	}
	c.hash = password_hash(password);
	if (!c.hash)
		return ST_DB;
	int rc = db_write(d, passwd_fn, &c);
	free(c.hash);
	return rc;
}
