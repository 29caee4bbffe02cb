/*
 * sqlite.c — the embedded engine. One file under ./var/ in WAL mode with synchronous=FULL
 * (every acknowledged commit is on disk), foreign keys on.
 *
 * Reads run on a pool of reading connections (WAL lets them run beside the writer).
 * In server mode all writes go to one writer thread: it takes every transaction queued
 * while the previous commit was being fsynced, runs each inside its own SAVEPOINT, and
 * commits them together — group commit, so durable write throughput does not hinge on the
 * cost of one fsync. Outside server mode (CLI commands) writes run directly.
 */
#include "store/db.h"
#include "util/util.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STMT_CACHE 128

struct stmt_slot {
	char *sql;
	sqlite3_stmt *st;
};

#define STMT_WAYS 4

struct sconn {
	sqlite3 *h;
	struct stmt_slot cache[STMT_CACHE]; /* STMT_CACHE / STMT_WAYS sets of STMT_WAYS slots */
	unsigned evict;                      /* round-robin victim within a set */
	int64_t changes;
	struct sconn *next; /* free list */
};

struct wjob {
	db_fn fn;
	void *ctx;
	int rc;
	bool done;
	struct wjob *next;
};

struct sdb {
	char *path;
	bool server;
	pthread_mutex_t mu; /* guards readers free list and, in CLI mode, the writer */
	struct sconn *readers;
	struct sconn *writer;
	/* writer thread (server mode) */
	pthread_t thread;
	pthread_mutex_t qmu;
	pthread_cond_t qcond, dcond;
	struct wjob *head, *tail;
	bool stop;
};

static const struct db_ops sqlite_ops;

/* cache_kib: the page cache of this connection. Readers get a small one (the kernel's page
 * cache holds the file anyway, and there is one reader per request thread); the writer a
 * larger one. */
static struct sconn *conn_open(const char *path, int cache_kib, char *err, size_t errlen)
{
	sqlite3 *h = NULL;
	int rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", path, h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
		sqlite3_close(h);
		return NULL;
	}
	sqlite3_busy_timeout(h, 10000);
	char *msg = NULL;
	rc = sqlite3_exec(h,
			  "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
			  "PRAGMA temp_store=MEMORY;",
			  NULL, NULL, &msg);
	if (rc == SQLITE_OK) {
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA cache_size=-%d", cache_kib);
		rc = sqlite3_exec(h, pragma, NULL, NULL, &msg);
	}
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot configure %s: %s", path, msg ? msg : "?");
		sqlite3_free(msg);
		sqlite3_close(h);
		return NULL;
	}
	struct sconn *c = xcalloc(1, sizeof *c);
	c->h = h;
	return c;
}

static void conn_close(struct sconn *c)
{
	if (!c)
		return;
	for (int i = 0; i < STMT_CACHE; i++) {
		free(c->cache[i].sql);
		sqlite3_finalize(c->cache[i].st);
	}
	sqlite3_close(c->h);
	free(c);
}

static uint32_t fnv(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* A prepared statement from the connection's cache: a 4-way set per hash, so two hot
 * statements whose hashes clash do not keep re-preparing each other. */
static sqlite3_stmt *prepare(struct sconn *c, const char *sql)
{
	struct stmt_slot *set = &c->cache[(fnv(sql) % (STMT_CACHE / STMT_WAYS)) * STMT_WAYS];
	struct stmt_slot *slot = NULL;
	for (int i = 0; i < STMT_WAYS; i++) {
		if (set[i].st && !strcmp(set[i].sql, sql)) {
			sqlite3_reset(set[i].st);
			sqlite3_clear_bindings(set[i].st);
			return set[i].st;
		}
		if (!set[i].st && !slot)
			slot = &set[i];
	}
	if (!slot)
		slot = &set[c->evict++ % STMT_WAYS];
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(c->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		return NULL;
	free(slot->sql);
	sqlite3_finalize(slot->st);
	slot->sql = xstrdup(sql);
	slot->st = st;
	return st;
}

static int map_err(int rc)
{
	if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		return DB_UNIQUE;
	if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
		return DB_FK;
	return DB_ERROR;
}

static int s_exec(db_tx *tx, const char *sql, const dbv *p, int n, db_res **out)
{
	struct sconn *c = tx->conn;
	sqlite3_stmt *st = prepare(c, sql);
	if (!st) {
		log_msg("error", "sqlite prepare: %s: %s", sqlite3_errmsg(c->h), sql);
		return DB_ERROR;
	}
	for (int i = 0; i < n; i++) {
		switch (p[i].k) {
		case V_NULL: sqlite3_bind_null(st, i + 1); break;
		case V_INT: sqlite3_bind_int64(st, i + 1, p[i].i); break;
		case V_REAL: sqlite3_bind_double(st, i + 1, p[i].d); break;
		case V_TEXT: sqlite3_bind_text(st, i + 1, p[i].s, -1, SQLITE_STATIC); break;
		}
	}
	int cols = sqlite3_column_count(st);
	db_res *r = NULL;
	if (out) {
		r = db_res_new(cols);
		for (int i = 0; i < cols; i++)
			db_res_set_name(r, i, sqlite3_column_name(st, i));
		*out = r;
	}
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!r)
			continue;
		db_res_add_row(r);
		for (int i = 0; i < cols; i++) {
			int t = sqlite3_column_type(st, i);
			if (t == SQLITE_NULL) {
				db_res_set(r, i, NULL, 0, true);
			} else if (t == SQLITE_FLOAT) {
				char tmp[64];
				int len = snprintf(tmp, sizeof tmp, "%.17g", sqlite3_column_double(st, i));
				db_res_set(r, i, tmp, (size_t)len, false);
			} else {
				const unsigned char *s = sqlite3_column_text(st, i);
				db_res_set(r, i, (const char *)s, (size_t)sqlite3_column_bytes(st, i), false);
			}
		}
	}
	int result = DB_OK;
	if (rc != SQLITE_DONE) {
		result = map_err(sqlite3_extended_errcode(c->h));
		if (result == DB_ERROR)
			log_msg("error", "sqlite: %s: %s", sqlite3_errmsg(c->h), sql);
	}
	c->changes = sqlite3_changes64(c->h);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return result;
}

static int s_script(db_tx *tx, const char *sql)
{
	struct sconn *c = tx->conn;
	char *msg = NULL;
	if (sqlite3_exec(c->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_msg("error", "sqlite script: %s", msg ? msg : "?");
		sqlite3_free(msg);
		return DB_ERROR;
	}
	return DB_OK;
}

static int64_t s_changes(db_tx *tx) { return ((struct sconn *)tx->conn)->changes; }
static const char *s_errmsg(db_tx *tx) { return sqlite3_errmsg(((struct sconn *)tx->conn)->h); }

/* Transaction control (BEGIN, COMMIT, SAVEPOINT …) through the statement cache: these run
 * for every request, and parsing them each time was a measurable part of the CPU. */
static int simple(struct sconn *c, const char *sql)
{
	sqlite3_stmt *st = prepare(c, sql);
	if (!st)
		return DB_ERROR;
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? DB_OK : DB_ERROR;
}

static struct sconn *reader_get(struct sdb *s)
{
	pthread_mutex_lock(&s->mu);
	struct sconn *c = s->readers;
	if (c)
		s->readers = c->next;
	pthread_mutex_unlock(&s->mu);
	if (!c) {
		char err[256];
		c = conn_open(s->path, 2000, err, sizeof err);
		if (!c)
			log_msg("error", "%s", err);
	}
	return c;
}

static void reader_put(struct sdb *s, struct sconn *c)
{
	pthread_mutex_lock(&s->mu);
	c->next = s->readers;
	s->readers = c;
	pthread_mutex_unlock(&s->mu);
}

static int s_read(db *d, db_fn fn, void *ctx)
{
	struct sdb *s = d->impl;
	struct sconn *c = reader_get(s);
	if (!c)
		return ST_DB;
	db_tx tx = {d, c};
	/* A read transaction gives the function one consistent snapshot. */
	int rc = simple(c, "BEGIN");
	if (rc == DB_OK) {
		rc = fn(&tx, ctx);
		simple(c, "COMMIT");
	} else {
		rc = ST_DB;
	}
	reader_put(s, c);
	return rc;
}

/* Run queued jobs as one transaction. Called with the writer connection, no lock held. */
static void run_batch(db *d, struct sdb *s, struct wjob *jobs)
{
	struct sconn *c = s->writer;
	db_tx tx = {d, c};
	if (simple(c, "BEGIN IMMEDIATE") != DB_OK) {
		log_msg("error", "sqlite begin: %s", sqlite3_errmsg(c->h));
		for (struct wjob *j = jobs; j; j = j->next)
			j->rc = ST_DB;
		return;
	}
	if (!jobs->next) {
		/* One job: no SAVEPOINT (its sub-journal slows statements that touch many rows). */
		jobs->rc = jobs->fn(&tx, jobs->ctx);
		if (jobs->rc != ST_OK) {
			simple(c, "ROLLBACK");
			return;
		}
	}
	for (struct wjob *j = jobs->next ? jobs : NULL; j; j = j->next) {
		simple(c, "SAVEPOINT job");
		j->rc = j->fn(&tx, j->ctx);
		if (j->rc != ST_OK)
			simple(c, "ROLLBACK TO job");
		simple(c, "RELEASE job");
	}
	if (simple(c, "COMMIT") != DB_OK) {
		log_msg("error", "sqlite commit: %s", sqlite3_errmsg(c->h));
		simple(c, "ROLLBACK");
		for (struct wjob *j = jobs; j; j = j->next)
			if (j->rc == ST_OK)
				j->rc = ST_DB;
	}
}

static void *writer_main(void *arg)
{
	db *d = arg;
	struct sdb *s = d->impl;
	for (;;) {
		pthread_mutex_lock(&s->qmu);
		while (!s->head && !s->stop)
			pthread_cond_wait(&s->qcond, &s->qmu);
		struct wjob *jobs = s->head;
		s->head = s->tail = NULL;
		bool stop = s->stop;
		pthread_mutex_unlock(&s->qmu);
		if (jobs) {
			run_batch(d, s, jobs);
			pthread_mutex_lock(&s->qmu);
			for (struct wjob *j = jobs, *next; j; j = next) {
				next = j->next;
				j->done = true;
			}
			pthread_cond_broadcast(&s->dcond);
			pthread_mutex_unlock(&s->qmu);
		} else if (stop) {
			break;
		}
	}
	return NULL;
}

static int s_write(db *d, db_fn fn, void *ctx)
{
	struct sdb *s = d->impl;
	if (!s->server) {
		pthread_mutex_lock(&s->mu);
		struct wjob j = {.fn = fn, .ctx = ctx};
		run_batch(d, s, &j);
		pthread_mutex_unlock(&s->mu);
		return j.rc;
	}
	struct wjob j = {.fn = fn, .ctx = ctx};
	pthread_mutex_lock(&s->qmu);
	if (s->tail)
		s->tail->next = &j;
	else
		s->head = &j;
	s->tail = &j;
	pthread_cond_signal(&s->qcond);
	while (!j.done)
		pthread_cond_wait(&s->dcond, &s->qmu);
	pthread_mutex_unlock(&s->qmu);
	return j.rc;
}

static void s_close(db *d)
{
	struct sdb *s = d->impl;
	if (s->server) {
		pthread_mutex_lock(&s->qmu);
		s->stop = true;
		pthread_cond_signal(&s->qcond);
		pthread_mutex_unlock(&s->qmu);
		pthread_join(s->thread, NULL);
	}
	while (s->readers) {
		struct sconn *c = s->readers;
		s->readers = c->next;
		conn_close(c);
	}
	conn_close(s->writer);
	free(s->path);
	free(s);
	free(d);
}

db *db_sqlite_open(const char *path, bool server, int threads, char *err, size_t errlen)
{
	(void)threads;
	if (!*path) {
		snprintf(err, errlen, "sqlite: empty path");
		return NULL;
	}
	struct sconn *w = conn_open(path, 16000, err, errlen);
	if (!w)
		return NULL;
	struct sdb *s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	s->server = server;
	s->writer = w;
	pthread_mutex_init(&s->mu, NULL);
	pthread_mutex_init(&s->qmu, NULL);
	pthread_cond_init(&s->qcond, NULL);
	pthread_cond_init(&s->dcond, NULL);
	db *d = xcalloc(1, sizeof *d);
	d->ops = &sqlite_ops;
	d->kind = DB_SQLITE;
	d->impl = s;
	if (server && pthread_create(&s->thread, NULL, writer_main, d) != 0) {
		snprintf(err, errlen, "cannot start the writer thread");
		s->server = false;
		s_close(d);
		return NULL;
	}
	return d;
}

static const struct db_ops sqlite_ops = {
	.close = s_close,
	.read = s_read,
	.write = s_write,
	.exec = s_exec,
	.script = s_script,
	.changes = s_changes,
	.errmsg = s_errmsg,
};

/* Online backup of a live SQLite database into `dest` (sqlite3_backup, page by page). */
int db_sqlite_backup(const char *src_path, const char *dest, char *err, size_t errlen)
{
	sqlite3 *src = NULL, *dst = NULL;
	int rc = sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_open(dest, &dst);
	if (rc == SQLITE_OK) {
		sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
		if (b) {
			while ((rc = sqlite3_backup_step(b, 256)) == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
				sqlite3_sleep(5);
			sqlite3_backup_finish(b);
			if (rc == SQLITE_DONE)
				rc = SQLITE_OK;
		} else {
			rc = sqlite3_errcode(dst);
		}
	}
	if (rc != SQLITE_OK)
		snprintf(err, errlen, "backup failed: %s", dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
	sqlite3_close(src);
	sqlite3_close(dst);
	return rc == SQLITE_OK ? 0 : -1;
}
