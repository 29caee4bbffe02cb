/*
 * db.h — the one storage interface. Two engines sit behind it: SQLite (embedded default,
 * WAL, synchronous=FULL) and PostgreSQL 15 (libpq, a connection pool). Store modules write
 * SQL once, with `?` placeholders, in the dialect both engines share (RETURNING, ON CONFLICT,
 * BIGINT/TEXT/DOUBLE PRECISION columns, epoch-millisecond times).
 *
 * Work is a function run on a connection: db_read() runs it on a reading connection,
 * db_write() inside one transaction. On SQLite every write goes to one writer thread that
 * batches concurrent transactions into one commit (group commit: one fsync for many
 * requests, each request in its own SAVEPOINT so one failing request rolls back alone).
 * A write function must not call db_write() itself.
 */
#ifndef FUWU_DB_H
#define FUWU_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { DB_SQLITE, DB_PG } db_engine;

typedef struct db db;
typedef struct db_tx db_tx;
typedef struct db_res db_res;

/* Status codes shared by the store layer; handlers turn them into HTTP in one place. */
typedef enum {
	ST_OK = 0,
	ST_NOT_FOUND,   /* no such record in the caller's scope */
	ST_CONFLICT,    /* unique value taken, or state forbids it */
	ST_STALE,       /* If-Match version is not the current one */
	ST_INVALID,     /* input refers to something that is not allowed */
	ST_FORBIDDEN,
	ST_DB,          /* the database failed */
} st_code;

typedef enum { V_NULL, V_INT, V_TEXT, V_REAL } dbv_kind;
typedef struct dbv {
	dbv_kind k;
	int64_t i;
	double d;
	const char *s; /* borrowed for the duration of the call */
} dbv;

#define VI(x) ((dbv){.k = V_INT, .i = (int64_t)(x)})
static inline dbv db_text_value(const char *s)
{
	return (dbv){.k = s ? V_TEXT : V_NULL, .s = s};
}
#define VT(x) db_text_value(x)
#define VR(x) ((dbv){.k = V_REAL, .d = (x)})
#define VN ((dbv){.k = V_NULL})

/* Low-level results of db_exec/db_query. */
enum { DB_OK = 0, DB_ERROR = -1, DB_UNIQUE = -2, DB_FK = -3 };

typedef int (*db_fn)(db_tx *tx, void *ctx);

/* Open by URL: "sqlite:PATH" or "postgres://…" / "postgresql://…". `server` starts the
 * SQLite writer thread and sizes pools for `threads` request threads. NULL + message on error. */
db *db_open(const char *url, bool server, int threads, char *err, size_t errlen);
void db_close(db *d);
db_engine db_kind(const db *d);
db_engine db_tx_kind(const db_tx *tx);

int db_read(db *d, db_fn fn, void *ctx);
int db_write(db *d, db_fn fn, void *ctx);
bool db_ping(db *d);

int db_exec(db_tx *tx, const char *sql, const dbv *p, int n);  /* DB_* */
int db_query(db_tx *tx, const char *sql, const dbv *p, int n, db_res **out);
int db_script(db_tx *tx, const char *sql);                     /* several statements, no params */
int64_t db_changes(db_tx *tx);                                 /* rows changed by the last exec */
const char *db_errmsg(db_tx *tx);

int db_rows(const db_res *r);
int db_cols(const db_res *r);
const char *db_colname(const db_res *r, int c);
bool db_isnull(const db_res *r, int row, int c);
const char *db_text(const db_res *r, int row, int c); /* NULL if SQL NULL; borrowed from r */
int64_t db_int(const db_res *r, int row, int c);      /* 0 if NULL */
double db_real(const db_res *r, int row, int c);
void db_res_free(db_res *r);

/* One-row convenience: returns ST_OK and sets *out, ST_NOT_FOUND, or ST_DB. */
int db_query_int(db_tx *tx, const char *sql, const dbv *p, int n, int64_t *out);

/* Metrics: total time spent in database calls, and their number. */
void db_stats(uint64_t *ns, uint64_t *calls);

/* Engine internals (sqlite.c, pg.c) share this table. */
struct db_ops {
	void (*close)(db *d);
	int (*read)(db *d, db_fn fn, void *ctx);
	int (*write)(db *d, db_fn fn, void *ctx);
	int (*exec)(db_tx *tx, const char *sql, const dbv *p, int n, db_res **out);
	int (*script)(db_tx *tx, const char *sql);
	int64_t (*changes)(db_tx *tx);
	const char *(*errmsg)(db_tx *tx);
};
struct db {
	const struct db_ops *ops;
	db_engine kind;
	void *impl;
};
struct db_tx {
	db *d;
	void *conn;
};

/* Results are built by the engines through these. */
db_res *db_res_new(int cols);
void db_res_set_name(db_res *r, int c, const char *name);
void db_res_add_row(db_res *r);
void db_res_set(db_res *r, int c, const char *text, size_t len, bool null);

db *db_sqlite_open(const char *path, bool server, int threads, char *err, size_t errlen);
db *db_pg_open(const char *url, bool server, int threads, char *err, size_t errlen);
int db_sqlite_backup(const char *src_path, const char *dest, char *err, size_t errlen);
void db_account(int64_t ns);

/* Migrations (migrate.c): apply every embedded migrations/NNNN_*.sql not yet applied. */
int db_migrate(db *d, char *err, size_t errlen);
/* Normalised schema text "table.column type" per line, sorted; caller frees. */
char *db_schema_text(db *d);

#endif
