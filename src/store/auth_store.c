/*
 * auth_store.c — tenants, log-in, sessions, API tokens and the first admin.
 *
 * Tokens are random (32 bytes), shown once, stored only as a BLAKE2b hash. Passwords are
 * Argon2id (libsodium). The password check runs outside any transaction: the SQLite writer
 * must never wait for a 50 ms hash. Failed log-ins are rows in the database, so the rate
 * limit holds across nodes.
 */
#include "store/store.h"
#include "domain/perm.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SESSION_TTL_MS (12LL * 3600 * 1000)
#define FAIL_WINDOW_MS (15LL * 60 * 1000)
#define FAIL_MAX_LOGIN 10
#define FAIL_MAX_IP 30

/* Argon2id takes 64 MiB per hash by design: at most two run at once, so a burst of log-ins
 * queues instead of multiplying the memory. */
static pthread_mutex_t pw_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pw_cond = PTHREAD_COND_INITIALIZER;
static int pw_running;
#define PW_MAX_CONCURRENT 2

static void pw_enter(void)
{
	pthread_mutex_lock(&pw_mu);
	while (pw_running >= PW_MAX_CONCURRENT)
		pthread_cond_wait(&pw_cond, &pw_mu);
	pw_running++;
	pthread_mutex_unlock(&pw_mu);
}

static void pw_leave(void)
{
	pthread_mutex_lock(&pw_mu);
	pw_running--;
	pthread_cond_signal(&pw_cond);
	pthread_mutex_unlock(&pw_mu);
}

char *password_hash(const char *password)
{
	char *out = xmalloc(crypto_pwhash_STRBYTES);
	pw_enter();
	int rc = crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				   crypto_pwhash_MEMLIMIT_INTERACTIVE);
	pw_leave();
	if (rc != 0) {
		free(out);
		return NULL;
	}
	return out;
}

bool password_verify(const char *hash, const char *password)
{
	pw_enter();
	bool ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
	pw_leave();
	return ok;
}

static char *dummy_hash;
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void dummy_init(void) { dummy_hash = password_hash("fuwu-no-such-user"); }

/* The principal columns, in this order, after any leading columns of a query. */
#define PRINCIPAL_COLS "u.id, u.tenant_id, u.org_id, u.login, u.name, u.roles, u.status, u.customer_id, o.path, t.tz_offset_min"

static bool principal_from(const db_res *r, int row, int c0, principal *w)
{
	memset(w, 0, sizeof *w);
	w->user_id = db_int(r, row, c0);
	w->tenant_id = db_int(r, row, c0 + 1);
	w->org_id = db_int(r, row, c0 + 2);
	snprintf(w->login, sizeof w->login, "%s", db_text(r, row, c0 + 3));
	snprintf(w->name, sizeof w->name, "%s", db_text(r, row, c0 + 4));
	if (!roles_parse_csv(db_text(r, row, c0 + 5), &w->roles))
		return false;
	if (strcmp(db_text(r, row, c0 + 6), "active"))
		return false;
	w->customer_id = db_int(r, row, c0 + 7);
	snprintf(w->org_path, sizeof w->org_path, "%s", db_text(r, row, c0 + 8));
	w->tz_offset_min = (int)db_int(r, row, c0 + 9);
	w->perms = perm_for_roles(w->roles);
	/* The root organisation is the first segment of the path "/1/4/9/". */
	char first[24] = "";
	const char *p = w->org_path + 1, *slash = strchr(p, '/');
	if (slash && (size_t)(slash - p) < sizeof first) {
		memcpy(first, p, (size_t)(slash - p));
		first[slash - p] = '\0';
		parse_i64(first, 1, INT64_MAX, &w->root_org_id);
	}
	return true;
}

json_t *principal_json(const principal *w)
{
	json_t *roles = json_array(), *perms = json_array();
	for (int i = 0; i < ROLE_COUNT; i++)
		if (w->roles & (1u << i))
			json_array_append_new(roles, json_string(role_name(i)));
	for (int i = 0; i < P_COUNT; i++)
		if (perm_has(w->perms, i))
			json_array_append_new(perms, json_string(perm_name(i)));
	return json_pack("{s:I, s:s, s:s, s:I, s:I, s:o, s:o, s:o}", "id", (json_int_t)w->user_id, "login", w->login,
			 "name", w->name, "tenant_id", (json_int_t)w->tenant_id, "org_id", (json_int_t)w->org_id, "roles",
			 roles, "permissions", perms, "customer_id",
			 w->customer_id ? json_integer(w->customer_id) : json_null());
}

/* --- log in ------------------------------------------------------------------------- */

struct login_read {
	const char *tenant, *login, *ip;
	int64_t tenant_id;
	int64_t fails_login, fails_ip, oldest;
	char *hash;
	principal who;
	bool user_ok;
};

static int login_read_fn(db_tx *tx, void *arg)
{
	struct login_read *l = arg;
	dbv pt[] = {VT(l->tenant)};
	int rc = db_query_int(tx, "SELECT id FROM tenants WHERE code = ?", pt, 1, &l->tenant_id);
	if (rc != ST_OK)
		return rc;
	char klogin[120], kip[80];
	snprintf(klogin, sizeof klogin, "login:%s", l->login);
	snprintf(kip, sizeof kip, "ip:%s", l->ip);
	int64_t since = now_ms() - FAIL_WINDOW_MS;
	dbv pf[] = {VI(l->tenant_id), VT(klogin), VI(since)};
	if (db_query_int(tx, "SELECT count(*) FROM login_failures WHERE tenant_id = ? AND key = ? AND at > ?", pf, 3,
			 &l->fails_login) != ST_OK)
		return ST_DB;
	dbv pi[] = {VI(l->tenant_id), VT(kip), VI(since)};
	if (db_query_int(tx, "SELECT count(*) FROM login_failures WHERE tenant_id = ? AND key = ? AND at > ?", pi, 3,
			 &l->fails_ip) != ST_OK)
		return ST_DB;
	dbv po[] = {VI(l->tenant_id), VT(klogin), VT(kip), VI(since)};
	l->oldest = 0;
	db_query_int(tx, "SELECT min(at) FROM login_failures WHERE tenant_id = ? AND key IN (?, ?) AND at > ?", po, 4,
		     &l->oldest);
	dbv pu[] = {VI(l->tenant_id), VT(l->login)};
	db_res *r;
	if (db_query(tx,
		     "SELECT u.password_hash, " PRINCIPAL_COLS " FROM users u JOIN organizations o ON o.id = u.org_id "
		     "JOIN tenants t ON t.id = u.tenant_id WHERE u.tenant_id = ? AND u.login = ?",
		     pu, 2, &r) != DB_OK)
		return ST_DB;
	if (db_rows(r)) {
		l->hash = xstrdup(db_text(r, 0, 0));
		l->user_ok = principal_from(r, 0, 1, &l->who);
	}
	db_res_free(r);
	return ST_OK;
}

struct login_write {
	struct login_read *l;
	const char *req_id;
	bool ok;
	char *token;
	char csrf[64];
	int64_t expires_at;
};

static int login_write_fn(db_tx *tx, void *arg)
{
	struct login_write *w = arg;
	struct login_read *l = w->l;
	int64_t now = now_ms();
	if (!w->ok) {
		char klogin[120], kip[80];
		snprintf(klogin, sizeof klogin, "login:%s", l->login);
		snprintf(kip, sizeof kip, "ip:%s", l->ip);
		dbv p1[] = {VI(l->tenant_id), VT(klogin), VI(now)};
		dbv p2[] = {VI(l->tenant_id), VT(kip), VI(now)};
		dbv p3[] = {VI(l->tenant_id), VI(now - 24 * 3600 * 1000LL)};
		if (db_exec(tx, "INSERT INTO login_failures(tenant_id, key, at) VALUES (?, ?, ?)", p1, 3) != DB_OK ||
		    db_exec(tx, "INSERT INTO login_failures(tenant_id, key, at) VALUES (?, ?, ?)", p2, 3) != DB_OK ||
		    db_exec(tx, "DELETE FROM login_failures WHERE tenant_id = ? AND at < ?", p3, 2) != DB_OK)
			return ST_DB;
		return ST_OK;
	}
	char hash[65];
	hash_hex(w->token, strlen(w->token), hash);
	w->expires_at = now + SESSION_TTL_MS;
	dbv p[] = {VI(l->tenant_id), VI(l->who.user_id), VT(hash), VT(w->csrf), VI(now), VI(w->expires_at)};
	db_res *r;
	if (db_query(tx,
		     "INSERT INTO sessions(tenant_id, user_id, token_hash, csrf, created_at, expires_at) "
		     "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
		     p, 6, &r) != DB_OK)
		return ST_DB;
	l->who.session_id = db_int(r, 0, 0);
	db_res_free(r);
	char klogin[120];
	snprintf(klogin, sizeof klogin, "login:%s", l->login);
	dbv pd[] = {VI(l->tenant_id), VT(klogin)};
	if (db_exec(tx, "DELETE FROM login_failures WHERE tenant_id = ? AND key = ?", pd, 2) != DB_OK)
		return ST_DB;
	dbv pe[] = {VI(now - 24 * 3600 * 1000LL), VI(l->tenant_id)};
	db_exec(tx, "DELETE FROM sessions WHERE expires_at < ? AND tenant_id = ?", pe, 2);
	actor a = {&l->who, w->req_id, NULL, NULL};
	json_t *after = json_pack("{s:s}", "ip", l->ip);
	int rc = audit_add(tx, &a, "login", "session", l->who.session_id, NULL, after);
	json_decref(after);
	return rc;
}

int store_login(db *d, const char *tenant_code, const char *login, const char *password, const char *ip,
		const char *req_id, login_result *out)
{
	pthread_once(&dummy_once, dummy_init);
	memset(out, 0, sizeof *out);
	struct login_read l = {.tenant = tenant_code, .login = login, .ip = ip};
	int rc = db_read(d, login_read_fn, &l);
	if (rc == ST_NOT_FOUND) /* no such tenant: same answer as a wrong password */
		return LOGIN_BAD;
	if (rc != ST_OK) {
		free(l.hash);
		return LOGIN_ERROR;
	}
	if (l.fails_login >= FAIL_MAX_LOGIN || l.fails_ip >= FAIL_MAX_IP) {
		int64_t wait = l.oldest + FAIL_WINDOW_MS - now_ms();
		out->retry_after = (int)(wait > 1000 ? wait / 1000 : 1);
		free(l.hash);
		return LOGIN_LIMITED;
	}
	const char *h = l.hash ? l.hash : dummy_hash;
	bool ok = h && password_verify(h, password) && l.hash && l.user_ok;
	free(l.hash);
	struct login_write w = {.l = &l, .req_id = req_id, .ok = ok};
	if (ok) {
		w.token = token_new("fws_", 32);
		char *c = token_new("", 18);
		snprintf(w.csrf, sizeof w.csrf, "%s", c);
		free(c);
	}
	rc = db_write(d, login_write_fn, &w);
	if (rc != ST_OK) {
		free(w.token);
		return LOGIN_ERROR;
	}
	if (!ok)
		return LOGIN_BAD;
	out->who = l.who;
	snprintf(out->who.csrf, sizeof out->who.csrf, "%s", w.csrf);
	out->token = w.token;
	out->expires_at = w.expires_at;
	return LOGIN_OK;
}

struct logout_ctx {
	const principal *who;
	const char *req_id;
};

static int logout_fn(db_tx *tx, void *arg)
{
	struct logout_ctx *c = arg;
	dbv p[] = {VI(c->who->session_id), VI(c->who->tenant_id)};
	if (db_exec(tx, "DELETE FROM sessions WHERE id = ? AND tenant_id = ?", p, 2) != DB_OK)
		return ST_DB;
	actor a = {c->who, c->req_id, NULL, NULL};
	return audit_add(tx, &a, "logout", "session", c->who->session_id, NULL, NULL);
}

int store_logout(db *d, const principal *who, const char *req_id)
{
	if (!who->session_id)
		return ST_OK;
	struct logout_ctx c = {who, req_id};
	return db_write(d, logout_fn, &c);
}

struct auth_ctx {
	const char *hash;
	bool api;
	principal *who;
};

static int auth_fn(db_tx *tx, void *arg)
{
	struct auth_ctx *c = arg;
	dbv p[] = {VT(c->hash), VI(now_ms())};
	int np = c->api ? 1 : 2;
	db_res *r;
	const char *sql = c->api
		? "SELECT 0, '', " PRINCIPAL_COLS " FROM api_tokens s JOIN users u ON u.id = s.user_id "
		  "JOIN organizations o ON o.id = u.org_id JOIN tenants t ON t.id = u.tenant_id "
		  "WHERE s.token_hash = ? AND s.revoked_at IS NULL"
		: "SELECT s.id, s.csrf, " PRINCIPAL_COLS " FROM sessions s JOIN users u ON u.id = s.user_id "
		  "JOIN organizations o ON o.id = u.org_id JOIN tenants t ON t.id = u.tenant_id "
		  "WHERE s.token_hash = ? AND s.expires_at > ?";
	if (db_query(tx, sql, p, np, &r) != DB_OK)
		return ST_DB;
	int rc = ST_NOT_FOUND;
	if (db_rows(r) && principal_from(r, 0, 2, c->who)) {
		c->who->session_id = db_int(r, 0, 0);
		snprintf(c->who->csrf, sizeof c->who->csrf, "%s", db_text(r, 0, 1));
		rc = ST_OK;
	}
	db_res_free(r);
	return rc;
}

int store_auth_token(db *d, const char *token, principal *who)
{
	bool api = !strncmp(token, "fwt_", 4);
	if (!api && strncmp(token, "fws_", 4))
		return ST_NOT_FOUND;
	if (strlen(token) > 100)
		return ST_NOT_FOUND;
	char hash[65];
	hash_hex(token, strlen(token), hash);
	struct auth_ctx c = {hash, api, who};
	return db_read(d, auth_fn, &c);
}

/* --- API tokens --------------------------------------------------------------------- */

struct tok_ctx {
	const actor *a;
	const principal *who;
	int64_t user_id, id, cursor, next;
	int limit;
	const char *name;
	json_t *out;
	st_info *info;
};

static int tokens_list_fn(db_tx *tx, void *arg)
{
	struct tok_ctx *c = arg;
	dbv p[] = {VI(c->who->tenant_id), VI(c->cursor ? c->cursor : INT64_MAX)};
	char *sql = xasprintf("SELECT k.id, k.name, k.user_id, u.login AS user_login, k.created_at, k.revoked_at "
			      "FROM api_tokens k JOIN users u ON u.id = k.user_id WHERE k.tenant_id = ? AND k.id < ? "
			      "ORDER BY k.id DESC LIMIT %d",
			      c->limit + 1);
	db_res *r;
	int e = db_query(tx, sql, p, 2, &r);
	free(sql);
	if (e != DB_OK)
		return ST_DB;
	c->out = json_array();
	int rows = db_rows(r);
	for (int i = 0; i < rows && i < c->limit; i++)
		json_array_append_new(c->out, row_json(r, i));
	c->next = rows > c->limit ? db_int(r, c->limit - 1, 0) : 0;
	db_res_free(r);
	return ST_OK;
}

int store_tokens_list(db *d, const principal *who, int limit, int64_t cursor, json_t **items, int64_t *next)
{
	struct tok_ctx c = {.who = who, .limit = limit, .cursor = cursor};
	int rc = db_read(d, tokens_list_fn, &c);
	*items = c.out;
	*next = c.next;
	return rc;
}

static int token_create_fn(db_tx *tx, void *arg)
{
	struct tok_ctx *c = arg;
	const principal *who = c->a->who;
	dbv pu[] = {VI(c->user_id), VI(who->tenant_id), VT(who->org_path)};
	int64_t found;
	int rc = db_query_int(tx,
			      "SELECT u.id FROM users u JOIN organizations o ON o.id = u.org_id "
			      "WHERE u.id = ? AND u.tenant_id = ? AND o.path LIKE ? || '%'",
			      pu, 3, &found);
	if (rc != ST_OK) {
		snprintf(c->info->field, sizeof c->info->field, "user_id");
		return rc == ST_NOT_FOUND ? ST_INVALID : rc;
	}
	char *token = token_new("fwt_", 32);
	char hash[65];
	hash_hex(token, strlen(token), hash);
	int64_t now = now_ms();
	dbv p[] = {VI(who->tenant_id), VI(c->user_id), VT(c->name), VT(hash), VI(who->user_id), VI(now)};
	db_res *r;
	if (db_query(tx,
		     "INSERT INTO api_tokens(tenant_id, user_id, name, token_hash, created_by, created_at) "
		     "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
		     p, 6, &r) != DB_OK) {
		free(token);
		return ST_DB;
	}
	c->id = db_int(r, 0, 0);
	db_res_free(r);
	c->out = json_pack("{s:I, s:s, s:I}", "id", (json_int_t)c->id, "name", c->name, "user_id", (json_int_t)c->user_id);
	json_set_time(c->out, "created_at", now);
	json_t *audit_after = json_deep_copy(c->out);
	json_object_set_new(c->out, "token", json_string(token));
	free(token);
	rc = audit_add(tx, c->a, "create", "api_token", c->id, NULL, audit_after);
	json_decref(audit_after);
	if (rc == ST_OK)
		rc = idem_save(tx, c->a, 201, c->out, NULL);
	return rc;
}

int store_token_create(db *d, const actor *a, int64_t user_id, const char *name, json_t **out, st_info *info)
{
	struct tok_ctx c = {.a = a, .user_id = user_id ? user_id : a->who->user_id, .name = name, .info = info};
	int rc = db_write(d, token_create_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

static int token_revoke_fn(db_tx *tx, void *arg)
{
	struct tok_ctx *c = arg;
	dbv p[] = {VI(now_ms()), VI(c->id), VI(c->a->who->tenant_id)};
	if (db_exec(tx, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND tenant_id = ? AND revoked_at IS NULL", p,
		    3) != DB_OK)
		return ST_DB;
	if (db_changes(tx) == 0)
		return ST_NOT_FOUND;
	return audit_add(tx, c->a, "revoke", "api_token", c->id, NULL, NULL);
}

int store_token_revoke(db *d, const actor *a, int64_t id)
{
	struct tok_ctx c = {.a = a, .id = id};
	return db_write(d, token_revoke_fn, &c);
}

/* --- bootstrap and CLI helpers ------------------------------------------------------ */

struct boot_ctx {
	const char *code, *name;
	char *hash;
	bool created;
	int64_t tenant_id;
};

static int boot_fn(db_tx *tx, void *arg)
{
	struct boot_ctx *b = arg;
	dbv pc[] = {VT(b->code)};
	int64_t tid;
	/* Two nodes starting at once on an empty PostgreSQL database: the second waits here and
	 * then finds the tenant the first created (SQLite has one writer already). */
	if (db_tx_kind(tx) == DB_PG && db_exec(tx, "SELECT pg_advisory_xact_lock(7216001)", NULL, 0) != DB_OK)
		return ST_DB;
	int rc = db_query_int(tx, "SELECT id FROM tenants WHERE code = ?", pc, 1, &tid);
	if (rc == ST_OK) {
		b->tenant_id = tid;
		return ST_OK;
	}
	if (rc != ST_NOT_FOUND)
		return rc;
	int64_t now = now_ms();
	dbv pt[] = {VT(b->code), VT(b->name), VI(now)};
	if (db_query_int(tx, "INSERT INTO tenants(code, name, created_at) VALUES (?, ?, ?) RETURNING id", pt, 3, &tid) !=
	    ST_OK)
		return ST_DB;
	int64_t org;
	dbv po[] = {VI(tid), VT(b->name), VI(now), VI(now)};
	if (db_query_int(tx,
			 "INSERT INTO organizations(tenant_id, type, name, created_at, updated_at) "
			 "VALUES (?, 'platform', ?, ?, ?) RETURNING id",
			 po, 4, &org) != ST_OK)
		return ST_DB;
	char path[32];
	snprintf(path, sizeof path, "/%lld/", (long long)org);
	dbv pp[] = {VT(path), VI(org)};
	if (db_exec(tx, "UPDATE organizations SET path = ? WHERE id = ?", pp, 2) != DB_OK)
		return ST_DB;
	int64_t uid;
	dbv pu[] = {VI(tid), VI(org), VT(b->hash), VI(now), VI(now)};
	if (db_query_int(tx,
			 "INSERT INTO users(tenant_id, org_id, login, name, password_hash, roles, created_at, updated_at) "
			 "VALUES (?, ?, 'admin', '系统管理员', ?, 'admin', ?, ?) RETURNING id",
			 pu, 5, &uid) != ST_OK)
		return ST_DB;
	principal sys = {.tenant_id = tid, .user_id = 0};
	actor a = {&sys, "bootstrap", NULL, NULL};
	json_t *after = json_pack("{s:s, s:s}", "tenant", b->code, "admin", "admin");
	rc = audit_add(tx, &a, "bootstrap", "tenant", tid, NULL, after);
	json_decref(after);
	if (rc == ST_OK) /* a new tenant starts with the standard fault categories, editable later */
		rc = lifecycle_defaults_tx(tx, tid);
	b->created = true;
	b->tenant_id = tid;
	return rc;
}

int store_bootstrap(db *d, const char *tenant_code, const char *tenant_name, const char *admin_password,
		    char *generated, size_t genlen, bool *created)
{
	*created = false;
	if (store_tenant_id(d, tenant_code) > 0)
		return ST_OK;
	char pw[64];
	if (admin_password && *admin_password) {
		snprintf(pw, sizeof pw, "%s", admin_password);
	} else {
		char *t = token_new("", 12);
		snprintf(pw, sizeof pw, "%s", t);
		free(t);
	}
	struct boot_ctx b = {tenant_code, tenant_name, password_hash(pw), false, 0};
	if (!b.hash)
		return ST_DB;
	int rc = db_write(d, boot_fn, &b);
	free(b.hash);
	*created = b.created;
	if (generated)
		snprintf(generated, genlen, "%s", pw);
	return rc;
}

static int tenant_fn(db_tx *tx, void *arg)
{
	struct boot_ctx *b = arg;
	dbv p[] = {VT(b->code)};
	return db_query_int(tx, "SELECT id FROM tenants WHERE code = ?", p, 1, &b->tenant_id);
}

int64_t store_tenant_id(db *d, const char *code)
{
	struct boot_ctx b = {.code = code};
	return db_read(d, tenant_fn, &b) == ST_OK ? b.tenant_id : 0;
}

struct cli_user {
	int64_t tenant_id, org_id;
	const char *login, *name, *roles;
	char *hash;
	char *err;
	size_t errlen;
};

static int cli_user_fn(db_tx *tx, void *arg)
{
	struct cli_user *u = arg;
	int64_t org = u->org_id;
	if (!org) {
		dbv p[] = {VI(u->tenant_id)};
		if (db_query_int(tx, "SELECT min(id) FROM organizations WHERE tenant_id = ? AND parent_id IS NULL", p, 1,
				 &org) != ST_OK)
			return ST_NOT_FOUND;
	} else {
		dbv p[] = {VI(org), VI(u->tenant_id)};
		int64_t x;
		if (db_query_int(tx, "SELECT id FROM organizations WHERE id = ? AND tenant_id = ?", p, 2, &x) != ST_OK) {
			snprintf(u->err, u->errlen, "no organisation %lld in this tenant", (long long)org);
			return ST_INVALID;
		}
	}
	int64_t now = now_ms(), uid;
	dbv p[] = {VI(u->tenant_id), VI(org), VT(u->login), VT(u->name), VT(u->hash), VT(u->roles), VI(now), VI(now)};
	db_res *r;
	int rc = db_query(tx,
			  "INSERT INTO users(tenant_id, org_id, login, name, password_hash, roles, created_at, updated_at) "
			  "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			  p, 8, &r);
	if (rc == DB_UNIQUE) {
		snprintf(u->err, u->errlen, "login '%s' is taken", u->login);
		return ST_CONFLICT;
	}
	if (rc != DB_OK)
		return ST_DB;
	uid = db_int(r, 0, 0);
	db_res_free(r);
	principal sys = {.tenant_id = u->tenant_id};
	actor a = {&sys, "cli", NULL, NULL};
	json_t *after = json_pack("{s:s, s:s}", "login", u->login, "roles", u->roles);
	rc = audit_add(tx, &a, "create", "user", uid, NULL, after);
	json_decref(after);
	return rc;
}

int store_user_add_cli(db *d, int64_t tenant_id, const char *login, const char *name, const char *password,
		       const char *roles_csv, int64_t org_id, char *err, size_t errlen)
{
	uint32_t roles;
	if (!roles_parse_csv(roles_csv, &roles)) {
		snprintf(err, errlen, "unknown role in '%s'", roles_csv);
		return ST_INVALID;
	}
	struct cli_user u = {tenant_id, org_id, login, name, roles_csv, password_hash(password), err, errlen};
	snprintf(err, errlen, "database error");
	int rc = db_write(d, cli_user_fn, &u);
	free(u.hash);
	return rc;
}

static int cli_passwd_fn(db_tx *tx, void *arg)
{
	struct cli_user *u = arg;
	dbv p[] = {VT(u->hash), VI(now_ms()), VI(u->tenant_id), VT(u->login)};
	if (db_exec(tx, "UPDATE users SET password_hash = ?, updated_at = ?, version = version + 1 WHERE tenant_id = ? AND login = ?",
		    p, 4) != DB_OK)
		return ST_DB;
	if (db_changes(tx) == 0)
		return ST_NOT_FOUND;
	principal sys = {.tenant_id = u->tenant_id};
	actor a = {&sys, "cli", NULL, NULL};
	return audit_add(tx, &a, "password", "user", 0, NULL, NULL);
}

int store_user_passwd_cli(db *d, int64_t tenant_id, const char *login, const char *password)
{
	struct cli_user u = {.tenant_id = tenant_id, .login = login, .hash = password_hash(password)};
	int rc = db_write(d, cli_passwd_fn, &u);
	free(u.hash);
	return rc;
}
