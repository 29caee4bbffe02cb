/*
 * db.c — the engine-independent half of the storage interface: dispatch to the engine,
 * materialised results, and the time accounting that /metrics reports as DB time.
 */
#include "store/db.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cell {
	char *s;
	bool null;
};
struct db_res {
	int cols, rows, cap;
	char **names;
	struct cell *cells; /* rows × cols */
};

static uint64_t stat_ns, stat_calls;

void db_account(int64_t ns)
{
	__atomic_add_fetch(&stat_ns, (uint64_t)ns, __ATOMIC_RELAXED);
	__atomic_add_fetch(&stat_calls, 1, __ATOMIC_RELAXED);
}

void db_stats(uint64_t *ns, uint64_t *calls)
{
	*ns = __atomic_load_n(&stat_ns, __ATOMIC_RELAXED);
	*calls = __atomic_load_n(&stat_calls, __ATOMIC_RELAXED);
}

db *db_open(const char *url, bool server, int threads, char *err, size_t errlen)
{
	if (!strncmp(url, "sqlite:", 7))
		return db_sqlite_open(url + 7, server, threads, err, errlen);
	if (!strncmp(url, "postgres://", 11) || !strncmp(url, "postgresql://", 13))
		return db_pg_open(url, server, threads, err, errlen);
	snprintf(err, errlen, "unknown database URL '%s' (use sqlite:PATH or postgres://…)", url);
	return NULL;
}

void db_close(db *d)
{
	if (d)
		d->ops->close(d);
}

db_engine db_kind(const db *d) { return d->kind; }
db_engine db_tx_kind(const db_tx *tx) { return tx->d->kind; }
int db_read(db *d, db_fn fn, void *ctx) { return d->ops->read(d, fn, ctx); }
int db_write(db *d, db_fn fn, void *ctx) { return d->ops->write(d, fn, ctx); }

int db_exec(db_tx *tx, const char *sql, const dbv *p, int n)
{
	int64_t t0 = mono_ns();
	int rc = tx->d->ops->exec(tx, sql, p, n, NULL);
	db_account(mono_ns() - t0);
	return rc;
}

int db_query(db_tx *tx, const char *sql, const dbv *p, int n, db_res **out)
{
	int64_t t0 = mono_ns();
	*out = NULL;
	int rc = tx->d->ops->exec(tx, sql, p, n, out);
	db_account(mono_ns() - t0);
	if (rc != DB_OK) {
		db_res_free(*out);
		*out = NULL;
	}
	return rc;
}

int db_script(db_tx *tx, const char *sql) { return tx->d->ops->script(tx, sql); }
int64_t db_changes(db_tx *tx) { return tx->d->ops->changes(tx); }
const char *db_errmsg(db_tx *tx) { return tx->d->ops->errmsg(tx); }

static int ping_fn(db_tx *tx, void *ctx)
{
	(void)ctx;
	int64_t one = 0;
	return db_query_int(tx, "SELECT 1", NULL, 0, &one) == ST_OK && one == 1 ? ST_OK : ST_DB;
}

bool db_ping(db *d)
{
	return db_read(d, ping_fn, NULL) == ST_OK;
}

int db_query_int(db_tx *tx, const char *sql, const dbv *p, int n, int64_t *out)
{
	db_res *r;
	if (db_query(tx, sql, p, n, &r) != DB_OK)
		return ST_DB;
	int rc = ST_NOT_FOUND;
	if (db_rows(r) > 0 && !db_isnull(r, 0, 0)) {
		*out = db_int(r, 0, 0);
		rc = ST_OK;
	}
	db_res_free(r);
	return rc;
}

db_res *db_res_new(int cols)
{
	db_res *r = xcalloc(1, sizeof *r);
	r->cols = cols;
	r->names = xcalloc((size_t)cols + 1, sizeof *r->names);
	return r;
}

void db_res_set_name(db_res *r, int c, const char *name)
{
	free(r->names[c]);
	r->names[c] = xstrdup(name);
}

void db_res_add_row(db_res *r)
{
	if (r->rows == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->cells = xrealloc(r->cells, (size_t)r->cap * (size_t)(r->cols ? r->cols : 1) * sizeof *r->cells);
	}
	memset(r->cells + (size_t)r->rows * (size_t)r->cols, 0, (size_t)r->cols * sizeof *r->cells);
	r->rows++;
}

void db_res_set(db_res *r, int c, const char *text, size_t len, bool null)
{
	struct cell *cell = &r->cells[(size_t)(r->rows - 1) * (size_t)r->cols + (size_t)c];
	cell->null = null;
	cell->s = null ? NULL : xstrndup(text, len);
}

int db_rows(const db_res *r) { return r ? r->rows : 0; }
int db_cols(const db_res *r) { return r ? r->cols : 0; }
const char *db_colname(const db_res *r, int c) { return r->names[c]; }

static const struct cell *cell_at(const db_res *r, int row, int c)
{
	if (!r || row < 0 || row >= r->rows || c < 0 || c >= r->cols)
		return NULL;
	return &r->cells[(size_t)row * (size_t)r->cols + (size_t)c];
}

bool db_isnull(const db_res *r, int row, int c)
{
	const struct cell *x = cell_at(r, row, c);
	return !x || x->null;
}

const char *db_text(const db_res *r, int row, int c)
{
	const struct cell *x = cell_at(r, row, c);
	return x && !x->null ? x->s : NULL;
}

int64_t db_int(const db_res *r, int row, int c)
{
	const char *s = db_text(r, row, c);
	int64_t v = 0;
	if (s && !parse_i64(s, INT64_MIN, INT64_MAX, &v)) {
		double d;
		v = parse_double(s, &d) ? (int64_t)d : 0;
	}
	return v;
}

double db_real(const db_res *r, int row, int c)
{
	const char *s = db_text(r, row, c);
	double d = 0;
	if (s)
		parse_double(s, &d);
	return d;
}

void db_res_free(db_res *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->cols; i++)
		free(r->names[i]);
	free(r->names);
	for (size_t i = 0; i < (size_t)r->rows * (size_t)r->cols; i++)
		free(r->cells[i].s);
	free(r->cells);
	free(r);
}
