/*
 * pg.c — the PostgreSQL engine (libpq). A fixed pool of connections shared by the request
 * threads; a write is BEGIN … COMMIT on one of them (PostgreSQL batches concurrent commits
 * itself). Queries are written with `?` placeholders and rewritten to $1, $2 … here.
 * A broken connection is reset when it is next taken from the pool, so a database restart
 * costs the requests in flight, not the node.
 *
 * Statements with parameters are prepared once per connection and kept (a 4-way cache by the
 * statement's text, like sqlite.c's): after a few executions PostgreSQL keeps a generic plan,
 * so a query of several joins is no longer planned on every request — planning was most of
 * their time. Statements without parameters (literal one-offs, scripts) run unprepared.
 */
#include "store/db.h"
#include "util/util.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG_STMTS 128 /* prepared statements kept per connection */
#define PG_WAYS 4

struct pstmt {
	char *sql; /* the text as given (with `?`); NULL: free slot */
	int n;     /* its parameters */
	char name[24];
};

struct pconn {
	PGconn *h;
	int64_t changes;
	char err[512];
	struct pconn *next;
	struct pstmt stmts[PG_STMTS]; /* PG_STMTS / PG_WAYS sets of PG_WAYS */
	unsigned evict;
	uint64_t seq; /* names s1, s2 …: never reused on a connection */
};

/* Forget every prepared statement (the connection was reset: the server has none left). */
static void stmts_forget(struct pconn *c)
{
	for (int i = 0; i < PG_STMTS; i++) {
		free(c->stmts[i].sql);
		c->stmts[i].sql = NULL;
	}
}

struct pdb {
	char *url;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	struct pconn *free_list;
	int open, max;
};

static const struct db_ops pg_ops;

static void notice_quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static struct pconn *pconn_open(const char *url, char *err, size_t errlen)
{
	PGconn *h = PQconnectdb(url);
	if (PQstatus(h) != CONNECTION_OK) {
		snprintf(err, errlen, "postgres: %s", PQerrorMessage(h));
		PQfinish(h);
		return NULL;
	}
	PQsetNoticeProcessor(h, notice_quiet, NULL);
	PGresult *r = PQexec(h, "SET TIME ZONE 'UTC'; SET client_encoding = 'UTF8'");
	PQclear(r);
	struct pconn *c = xcalloc(1, sizeof *c);
	c->h = h;
	return c;
}

static struct pconn *take(struct pdb *p)
{
	pthread_mutex_lock(&p->mu);
	while (!p->free_list && p->open >= p->max)
		pthread_cond_wait(&p->cond, &p->mu);
	struct pconn *c = p->free_list;
	if (c) {
		p->free_list = c->next;
	} else {
		p->open++;
	}
	pthread_mutex_unlock(&p->mu);
	if (!c) {
		char err[512];
		c = pconn_open(p->url, err, sizeof err);
		if (!c) {
			log_msg("error", "%s", err);
			pthread_mutex_lock(&p->mu);
			p->open--;
			pthread_cond_signal(&p->cond);
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
	} else if (PQstatus(c->h) != CONNECTION_OK) {
		PQreset(c->h);
		stmts_forget(c);
	}
	return c;
}

static void give(struct pdb *p, struct pconn *c)
{
	pthread_mutex_lock(&p->mu);
	c->next = p->free_list;
	p->free_list = c;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->mu);
}

/* `?` → `$n`, outside quoted strings. Caller frees. */
static char *rewrite(const char *sql)
{
	buf b;
	buf_init(&b, 0);
	int n = 0;
	bool quote = false;
	for (const char *s = sql; *s; s++) {
		if (*s == '\'')
			quote = !quote;
		if (*s == '?' && !quote)
			buf_printf(&b, "$%d", ++n);
		else
			buf_append(&b, s, 1);
	}
	return buf_steal(&b);
}

static int map_state(PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (state && !strcmp(state, "23505"))
		return DB_UNIQUE;
	if (state && !strcmp(state, "23503"))
		return DB_FK;
	return DB_ERROR;
}

static uint32_t fnv(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The connection's prepared statement for sql (q: rewritten), preparing it on first use; NULL
 * if it cannot be prepared (p_exec then runs it unprepared, which reports the error). An
 * evicted statement is deallocated. */
static const struct pstmt *prepared(struct pconn *c, const char *sql, const char *q, int n)
{
	struct pstmt *set = &c->stmts[(fnv(sql) % (PG_STMTS / PG_WAYS)) * PG_WAYS], *slot = NULL;
	for (int i = 0; i < PG_WAYS; i++) {
		if (set[i].sql && set[i].n == n && !strcmp(set[i].sql, sql))
			return &set[i];
		if (!set[i].sql && !slot)
			slot = &set[i];
	}
	if (!slot) {
		slot = &set[c->evict++ % PG_WAYS];
		char dealloc[48];
		snprintf(dealloc, sizeof dealloc, "DEALLOCATE %s", slot->name);
		PQclear(PQexec(c->h, dealloc));
		free(slot->sql);
		slot->sql = NULL;
	}
	snprintf(slot->name, sizeof slot->name, "s%llu", (unsigned long long)++c->seq);
	PGresult *r = PQprepare(c->h, slot->name, q, n, NULL);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	if (!ok)
		return NULL;
	slot->sql = xstrdup(sql);
	slot->n = n;
	return slot;
}

static int p_exec(db_tx *tx, const char *sql, const dbv *p, int n, db_res **out)
{
	struct pconn *c = tx->conn;
	char *q = rewrite(sql);
	const char *vals[64];
	char nums[64][32];
	if (n > 64)
		n = 64;
	for (int i = 0; i < n; i++) {
		switch (p[i].k) {
		case V_NULL: vals[i] = NULL; break;
		case V_INT:
			snprintf(nums[i], sizeof nums[i], "%lld", (long long)p[i].i);
			vals[i] = nums[i];
			break;
		case V_REAL:
			snprintf(nums[i], sizeof nums[i], "%.17g", p[i].d);
			vals[i] = nums[i];
			break;
		case V_TEXT: vals[i] = p[i].s; break;
		}
	}
	const struct pstmt *ps = n ? prepared(c, sql, q, n) : NULL;
	PGresult *res = ps ? PQexecPrepared(c->h, ps->name, n, vals, NULL, NULL, 0)
			   : PQexecParams(c->h, q, n, NULL, vals, NULL, NULL, 0);
	free(q);
	ExecStatusType st = PQresultStatus(res);
	int rc = DB_OK;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		rc = map_state(res);
		snprintf(c->err, sizeof c->err, "%s", PQresultErrorMessage(res));
		if (rc == DB_ERROR)
			log_msg("error", "postgres: %s: %s", c->err, sql);
		PQclear(res);
		return rc;
	}
	const char *ct = PQcmdTuples(res);
	int64_t ch = 0;
	c->changes = ct && *ct && parse_i64(ct, 0, INT64_MAX, &ch) ? ch : 0;
	if (out) {
		int cols = PQnfields(res), rows = PQntuples(res);
		db_res *r = db_res_new(cols);
		for (int i = 0; i < cols; i++)
			db_res_set_name(r, i, PQfname(res, i));
		for (int row = 0; row < rows; row++) {
			db_res_add_row(r);
			for (int i = 0; i < cols; i++) {
				bool null = PQgetisnull(res, row, i);
				db_res_set(r, i, PQgetvalue(res, row, i), (size_t)PQgetlength(res, row, i), null);
			}
		}
		*out = r;
	}
	PQclear(res);
	return rc;
}

static int p_script(db_tx *tx, const char *sql)
{
	struct pconn *c = tx->conn;
	PGresult *res = PQexec(c->h, sql);
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK ? DB_OK : DB_ERROR;
	if (rc != DB_OK) {
		snprintf(c->err, sizeof c->err, "%s", PQresultErrorMessage(res));
		log_msg("error", "postgres script: %s", c->err);
	}
	PQclear(res);
	return rc;
}

static int64_t p_changes(db_tx *tx) { return ((struct pconn *)tx->conn)->changes; }
static const char *p_errmsg(db_tx *tx) { return ((struct pconn *)tx->conn)->err; }

static int p_read(db *d, db_fn fn, void *ctx)
{
	struct pdb *p = d->impl;
	struct pconn *c = take(p);
	if (!c)
		return ST_DB;
	db_tx tx = {d, c};
	int rc = fn(&tx, ctx);
	if (PQtransactionStatus(c->h) != PQTRANS_IDLE) {
		PGresult *r = PQexec(c->h, "ROLLBACK");
		PQclear(r);
	}
	give(p, c);
	return rc;
}

static int p_write(db *d, db_fn fn, void *ctx)
{
	struct pdb *p = d->impl;
	struct pconn *c = take(p);
	if (!c)
		return ST_DB;
	db_tx tx = {d, c};
	int rc;
	if (p_script(&tx, "BEGIN") != DB_OK) {
		rc = ST_DB;
	} else {
		rc = fn(&tx, ctx);
		if (rc == ST_OK) {
			PGresult *r = PQexec(c->h, "COMMIT");
			/* COMMIT of a failed transaction reports success but rolls back. */
			bool ok = PQresultStatus(r) == PGRES_COMMAND_OK && !strcmp(PQcmdStatus(r), "COMMIT");
			if (!ok)
				log_msg("error", "postgres commit failed: %s", PQresultErrorMessage(r));
			PQclear(r);
			if (!ok)
				rc = ST_DB;
		} else {
			PGresult *r = PQexec(c->h, "ROLLBACK");
			PQclear(r);
		}
	}
	give(p, c);
	return rc;
}

static void p_close(db *d)
{
	struct pdb *p = d->impl;
	while (p->free_list) {
		struct pconn *c = p->free_list;
		p->free_list = c->next;
		PQfinish(c->h);
		stmts_forget(c);
		free(c);
	}
	free(p->url);
	free(p);
	free(d);
}

db *db_pg_open(const char *url, bool server, int threads, char *err, size_t errlen)
{
	struct pconn *first = pconn_open(url, err, errlen);
	if (!first)
		return NULL;
	struct pdb *p = xcalloc(1, sizeof *p);
	p->url = xstrdup(url);
	p->max = server ? (threads > 0 ? threads + 2 : 8) : 2;
	p->open = 1;
	p->free_list = first;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cond, NULL);
	db *d = xcalloc(1, sizeof *d);
	d->ops = &pg_ops;
	d->kind = DB_PG;
	d->impl = p;
	return d;
}

static const struct db_ops pg_ops = {
	.close = p_close,
	.read = p_read,
	.write = p_write,
	.exec = p_exec,
	.script = p_script,
	.changes = p_changes,
	.errmsg = p_errmsg,
};
