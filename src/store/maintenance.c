/*
 * maintenance.c — the "due this month / overdue" list (到期保养, issue 3 item 7): for each
 * asset whose model has a maintenance schedule, the next service by km or time, whichever
 * first (domain/maint.c), from its purchase date, mileage readings and the maintenance work
 * orders done. Filtered by the outlet of the customer (organisation subtree).
 */
#include "store/store.h"
#include "domain/maint.h"
#include "domain/perm.h"
#include "domain/warranty.h"

#include <stdlib.h>
#include <string.h>

struct md_ctx {
	const principal *who;
	int64_t org_id;
	int32_t today, until;
	int limit;
	json_t *out;
};

static int cmp_due(const void *a, const void *b)
{
	const char *x = json_string_value(json_object_get(*(json_t *const *)a, "due_date"));
	const char *y = json_string_value(json_object_get(*(json_t *const *)b, "due_date"));
	return strcmp(x ? x : "", y ? y : "");
}

/* What the due day of a page of assets needs besides the asset rows, read in two queries
 * for the whole page (not two per asset): the mileage readings and the number of finished
 * maintenance orders of each, and each model's schedule parsed once. */
struct due_facts {
	json_t *row_of;     /* "asset id" → row index */
	maint_reading **rd; /* per row */
	int *nrd;
	int64_t *done;
	json_t *sched;      /* "model id" → parsed schedule */
};

static void facts_free(struct due_facts *f, int rows)
{
	for (int i = 0; f->rd && i < rows; i++)
		free(f->rd[i]);
	free(f->rd);
	free(f->nrd);
	free(f->done);
	json_decref(f->row_of);
	json_decref(f->sched);
}

static int facts_load(db_tx *tx, int64_t tenant, db_res *r, struct due_facts *f)
{
	int rows = db_rows(r);
	f->row_of = json_object();
	f->sched = json_object();
	f->rd = xcalloc((size_t)rows + 1, sizeof *f->rd);
	f->nrd = xcalloc((size_t)rows + 1, sizeof *f->nrd);
	f->done = xcalloc((size_t)rows + 1, sizeof *f->done);
	if (!rows)
		return ST_OK;
	buf ids;
	buf_init(&ids, 0);
	for (int i = 0; i < rows; i++) {
		buf_printf(&ids, "%s%lld", i ? "," : "", (long long)db_int(r, i, 0));
		json_object_set_new(f->row_of, db_text(r, i, 0), json_integer(i));
		const char *mid = db_text(r, i, 7);
		if (!json_object_get(f->sched, mid)) {
			json_t *sc = json_loads(db_text(r, i, 4) ? db_text(r, i, 4) : "[]", 0, NULL);
			json_object_set_new(f->sched, mid, sc ? sc : json_array());
		}
	}
	/* asset ids are integers printed here, never user text */
	char *q1 = xasprintf("SELECT asset_id, read_on, km, odometer_change FROM asset_readings WHERE tenant_id = ? AND "
			     "asset_id IN (%s) ORDER BY asset_id, id", ids.data);
	char *q2 = xasprintf("SELECT asset_id, count(*) FROM work_orders WHERE tenant_id = ? AND asset_id IN (%s) AND "
			     "type = 'maintenance' AND status IN ('completed', 'qc_passed', 'settled', 'closed', 'followed_up') "
			     "GROUP BY asset_id", ids.data);
	buf_free(&ids);
	dbv p[] = {VI(tenant)};
	db_res *r1 = NULL, *r2 = NULL;
	int rc = ST_DB;
	if (db_query(tx, q1, p, 1, &r1) != DB_OK || db_query(tx, q2, p, 1, &r2) != DB_OK)
		goto out;
	for (int k = 0; k < db_rows(r1); k++) {
		json_t *at = json_object_get(f->row_of, db_text(r1, k, 0));
		int32_t day;
		if (!at || !wty_day_parse(db_text(r1, k, 1), &day))
			continue;
		int i = (int)json_integer_value(at);
		f->rd[i] = xrealloc(f->rd[i], (size_t)(f->nrd[i] + 1) * sizeof **f->rd);
		f->rd[i][f->nrd[i]++] = (maint_reading){day, db_int(r1, k, 2), db_int(r1, k, 3) != 0};
	}
	for (int k = 0; k < db_rows(r2); k++) {
		json_t *at = json_object_get(f->row_of, db_text(r2, k, 0));
		if (at)
			f->done[json_integer_value(at)] = db_int(r2, k, 1);
	}
	rc = ST_OK;
out:
	db_res_free(r1);
	db_res_free(r2);
	free(q1);
	free(q2);
	return rc;
}

/* The next service of the asset of row `row`, or NULL if none is due by `until`. */
static json_t *asset_due(struct md_ctx *c, db_res *r, int row, const struct due_facts *f)
{
	int64_t id = db_int(r, row, 0);
	int32_t buy;
	if (!wty_day_parse(db_text(r, row, 3), &buy))
		return NULL;
	json_t *sched = json_object_get(f->sched, db_text(r, row, 7));
	size_t n = json_array_size(sched);
	if (!n || n > 64)
		return NULL;
	maint_step steps[64];
	for (size_t i = 0; i < n; i++) {
		steps[i].km = json_integer_value(json_object_get(json_array_get(sched, i), "km"));
		steps[i].months = (int)json_integer_value(json_object_get(json_array_get(sched, i), "months"));
	}
	int64_t done = f->done[row];
	maint_input in = {.purchase_day = buy, .today = c->today, .steps = steps, .nsteps = (int)n, .done = (int)done,
			  .readings = f->rd[row], .nreadings = f->nrd[row]};
	maint_due d;
	maint_next(&in, &d);
	if (d.step < 0 || d.due_day > c->until)
		return NULL;
	char due[11];
	wty_day_format(d.due_day, due);
	json_t *step = json_array_get(sched, (size_t)d.step);
	json_t *o = json_pack("{s:I, s:s, s:s?, s:{s:I, s:s}, s:{s:I, s:s, s:s, s:s}, s:s, s:I, s:O, s:s, s:s, s:I, s:s}",
			      "asset_id", (json_int_t)id, "serial", db_text(r, row, 1), "plate", db_text(r, row, 2),
			      "customer", "id", (json_int_t)db_int(r, row, 5), "name", db_text(r, row, 6),
			      "model", "id", (json_int_t)db_int(r, row, 7), "brand", db_text(r, row, 8), "category",
			      db_text(r, row, 9), "model", db_text(r, row, 10),
			      "purchase_date", db_text(r, row, 3), "service_index", (json_int_t)d.step, "service", step,
			      "due_date", due, "due_by", d.by_km ? "km" : "time", "services_done", (json_int_t)done,
			      "status", d.due_day < c->today ? "overdue" : "due");
	json_object_set_new(o, "estimated_km", d.est_km >= 0 ? json_integer(d.est_km) : json_null());
	json_object_set_new(o, "customer_org_id", db_isnull(r, row, 11) ? json_null() : json_integer(db_int(r, row, 11)));
	return o;
}

/* The asset row asset_due() reads: id, serial, plate, purchase date, schedule, customer id
 * and name, model id, brand, category, model, the customer's org, the cached due day. */
#define DUE_COLS "a.id, a.serial, a.plate, a.purchase_date, m.maintenance_json, c.id, c.name, m.id, m.brand, " \
		 "m.category, m.model, c.org_id, a.next_due_on"
#define DUE_FROM " FROM assets a JOIN product_models m ON m.id = a.model_id JOIN customers c ON c.id = a.customer_id " \
		 "WHERE a.tenant_id = ? AND a.status = 'active' AND a.purchase_date IS NOT NULL " \
		 "AND m.maintenance_json IS NOT NULL AND m.maintenance_json <> '[]'"

/* Scope of the list: the org's subtree, the caller's, or a customer's own assets. */
static void due_scope(buf *sql, dbv *p, int *n, const principal *who, const char *path)
{
	if (who->customer_id || (who->roles & (1u << ROLE_CUSTOMER))) {
		buf_puts(sql, " AND a.customer_id = ?");
		p[(*n)++] = VI(who->customer_id);
	} else if (path[0]) {
		buf_puts(sql, " AND c.org_id IN (SELECT id FROM organizations WHERE tenant_id = ? AND path LIKE ? || '%')");
		p[(*n)++] = VI(who->tenant_id);
		p[(*n)++] = VT(path);
	}
}

/* Exact due of each candidate row of r; the ones due by `until` go to c->out. */
static int due_rows(db_tx *tx, struct md_ctx *c, db_res *r)
{
	struct due_facts f = {0};
	int rc = facts_load(tx, c->who->tenant_id, r, &f);
	for (int i = 0; rc == ST_OK && i < db_rows(r); i++) {
		json_t *o = asset_due(c, r, i, &f);
		if (o)
			json_array_append_new(c->out, o);
	}
	facts_free(&f, db_rows(r));
	return rc;
}

static void sort_due(json_t *arr)
{
	size_t cnt = json_array_size(arr);
	json_t **v = xcalloc(cnt + 1, sizeof *v);
	for (size_t i = 0; i < cnt; i++)
		v[i] = json_incref(json_array_get(arr, i));
	qsort(v, cnt, sizeof *v, cmp_due);
	json_array_clear(arr);
	for (size_t i = 0; i < cnt; i++)
		json_array_append_new(arr, v[i]);
	free(v);
}

/* Rows of the candidates `ids` (a comma list of integers) with every column asset_due needs. */
static int due_details(db_tx *tx, struct md_ctx *c, const char *ids)
{
	/* by id: "+a.tenant_id" keeps the planner on the primary key (with the tenant as an index
	 * term it walked assets_next_due, whose third column is the id, over the whole tenant) */
	char *sql = xasprintf("SELECT " DUE_COLS " FROM assets a JOIN product_models m ON m.id = a.model_id JOIN customers c "
			      "ON c.id = a.customer_id WHERE a.id IN (%s) AND +a.tenant_id = ? AND a.status = 'active' AND "
			      "a.purchase_date IS NOT NULL AND m.maintenance_json IS NOT NULL AND m.maintenance_json <> '[]'",
			      ids);
	dbv p[] = {VI(c->who->tenant_id)};
	db_res *r;
	int e = db_query(tx, sql, p, 1, &r);
	free(sql);
	if (e != DB_OK)
		return ST_DB;
	int rc = due_rows(tx, c, r);
	db_res_free(r);
	return rc;
}

/* The list reads assets.next_due_on (0005_archive_care.sql) in order through its index
 * (tenant, next_due_on, id, due_org_id): the cached day is never later than the true one (a
 * finished service only moves it later), so candidates are taken earliest-cached first,
 * filtered by organisation on the index alone, and recomputed exactly; the walk stops once
 * `limit` items are known to come before anything not read yet. Rows never computed (NULL)
 * are recomputed every time until store_maint_refresh() fills them in. */
static int due_fn(db_tx *tx, void *arg)
{
	struct md_ctx *c = arg;
	const principal *who = c->who;
	char path[256] = "";
	if (c->org_id) {
		int rc = org_in_scope(tx, who, c->org_id, path, sizeof path);
		if (rc != ST_OK)
			return rc;
	} else if (who->org_id != who->root_org_id) {
		snprintf(path, sizeof path, "%s", who->org_path);
	}
	bool own = who->customer_id || (who->roles & (1u << ROLE_CUSTOMER));
	char until[11];
	wty_day_format(c->until, until);
	c->out = json_array();
	/* never computed, or (a customer account) all of one's own: computed here */
	buf sql;
	buf_init(&sql, 0);
	dbv p[12];
	int n = 0;
	buf_printf(&sql, "SELECT " DUE_COLS DUE_FROM "%s", own ? "" : " AND a.next_due_on IS NULL");
	p[n++] = VI(who->tenant_id);
	due_scope(&sql, p, &n, who, path);
	db_res *r;
	int e = db_query(tx, sql.data, p, n, &r);
	buf_free(&sql);
	if (e != DB_OK)
		return ST_DB;
	int rc = due_rows(tx, c, r);
	db_res_free(r);
	if (rc != ST_OK || own)
		goto sorted;
	/* cached: earliest first, a page at a time; the cached day is exact unless a service was
	 * done since, so a page a little longer than the list is normally the only one */
	int page = c->limit + c->limit / 10 + 10;
	char last_due[11] = "";
	int64_t last_id = 0;
	for (;;) {
		buf_init(&sql, 0);
		n = 0;
		buf_puts(&sql, "SELECT a.id, a.next_due_on FROM assets a WHERE a.tenant_id = ? AND a.next_due_on <= ?");
		p[n++] = VI(who->tenant_id);
		p[n++] = VT(until);
		if (last_id) {
			buf_puts(&sql, " AND (a.next_due_on > ? OR (a.next_due_on = ? AND a.id > ?))");
			p[n++] = VT(last_due);
			p[n++] = VT(last_due);
			p[n++] = VI(last_id);
		}
		if (path[0]) {
			buf_puts(&sql, " AND a.due_org_id IN (SELECT id FROM organizations WHERE tenant_id = ? AND path LIKE ? || '%')");
			p[n++] = VI(who->tenant_id);
			p[n++] = VT(path);
		}
		buf_printf(&sql, " ORDER BY a.next_due_on, a.id LIMIT %d", page);
		e = db_query(tx, sql.data, p, n, &r);
		buf_free(&sql);
		if (e != DB_OK)
			return ST_DB;
		int rows = db_rows(r);
		buf ids;
		buf_init(&ids, 0);
		for (int i = 0; i < rows; i++)
			buf_printf(&ids, "%s%lld", i ? "," : "", (long long)db_int(r, i, 0));
		if (rows) {
			snprintf(last_due, sizeof last_due, "%s", db_text(r, rows - 1, 1) ? db_text(r, rows - 1, 1) : "");
			last_id = db_int(r, rows - 1, 0);
		}
		db_res_free(r);
		rc = rows ? due_details(tx, c, ids.data) : ST_OK;
		buf_free(&ids);
		if (rc != ST_OK)
			return rc;
		if (rows < page)
			break;
		if ((int)json_array_size(c->out) >= c->limit) {
			sort_due(c->out);
			const char *kth = jstr(json_array_get(c->out, (size_t)c->limit - 1), "due_date");
			if (kth && strcmp(last_due, kth) >= 0)
				break; /* everything unread is due on or after last_due */
		}
	}
sorted:
	sort_due(c->out);
	while ((int)json_array_size(c->out) > c->limit)
		json_array_remove(c->out, json_array_size(c->out) - 1);
	return rc;
}

int store_maint_due(db *d, const principal *who, int64_t org_id, int32_t today, int32_t until, int limit,
		    json_t **items)
{
	struct md_ctx c = {.who = who, .org_id = org_id, .today = today, .until = until, .limit = limit};
	int rc = db_read(d, due_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*items = c.out;
	return rc;
}

/* --- the cache ---------------------------------------------------------------------- */

/* "9999-12-31": nothing is due (no schedule, no purchase date, schedule finished). */
#define DUE_NEVER "9999-12-31"

int maint_due_update_tx(db_tx *tx, int64_t tenant_id, int64_t asset_id)
{
	dbv p[] = {VI(asset_id), VI(tenant_id)};
	db_res *r;
	if (db_query(tx,
		     "SELECT a.id, a.serial, a.plate, a.purchase_date, m.maintenance_json, c.id, c.name, m.id, m.brand, "
		     "m.category, m.model, c.org_id, a.status FROM assets a JOIN product_models m ON m.id = a.model_id JOIN "
		     "customers c ON c.id = a.customer_id WHERE a.id = ? AND a.tenant_id = ?",
		     p, 2, &r) != DB_OK)
		return ST_DB;
	if (!db_rows(r)) {
		db_res_free(r);
		return ST_OK;
	}
	principal sys = {.tenant_id = tenant_id};
	/* until the end of time: asset_due answers for any due day */
	struct md_ctx c = {.who = &sys, .today = 0, .until = INT32_MAX - 1};
	struct due_facts f = {0};
	int rc = facts_load(tx, tenant_id, r, &f);
	/* only active assets fall due (a scrapped or sold one never does) */
	const char *st = db_text(r, 0, 12);
	json_t *o = rc == ST_OK && st && !strcmp(st, "active") ? asset_due(&c, r, 0, &f) : NULL;
	dbv pu[] = {VT(o ? jstr(o, "due_date") : DUE_NEVER), db_isnull(r, 0, 11) ? VN : VI(db_int(r, 0, 11)), VI(asset_id)};
	facts_free(&f, db_rows(r));
	int e = rc == ST_OK ? db_exec(tx, "UPDATE assets SET next_due_on = ?, due_org_id = ? WHERE id = ?", pu, 3) : DB_OK;
	db_res_free(r);
	if (rc != ST_OK) {
		json_decref(o);
		return rc;
	}
	json_decref(o);
	return e == DB_OK ? ST_OK : ST_DB;
}

int maint_due_stale_model_tx(db_tx *tx, int64_t tenant_id, int64_t model_id)
{
	/* '' sorts before every day: each is a candidate (recomputed when listed) until refreshed */
	dbv p[] = {VI(tenant_id), VI(model_id)};
	return db_exec(tx, "UPDATE assets SET next_due_on = '' WHERE tenant_id = ? AND model_id = ?", p, 2) == DB_OK ? ST_OK
														       : ST_DB;
}

struct refresh_ctx {
	int64_t tenant_id; /* 0: every tenant */
	int64_t since;     /* maintenance orders changed after this (ms) */
	int64_t started;
	int64_t updated;
	int64_t last_id;   /* walk position among the candidates */
	int phase;         /* 0: never computed or stale, 1: orders changed */
	bool more;
};

static int refresh_fn(db_tx *tx, void *arg)
{
	struct refresh_ctx *f = arg;
	db_res *r;
	if (f->phase == 0) {
		dbv p[] = {VI(f->tenant_id), VI(f->tenant_id), VI(f->last_id)};
		if (db_query(tx,
			     "SELECT id, tenant_id FROM assets WHERE (? = 0 OR tenant_id = ?) AND (next_due_on IS NULL OR "
			     "next_due_on = '') AND id > ? ORDER BY id LIMIT 2000",
			     p, 3, &r) != DB_OK)
			return ST_DB;
	} else {
		dbv p[] = {VI(f->tenant_id), VI(f->tenant_id), VI(f->since), VI(f->last_id)};
		if (db_query(tx,
			     "SELECT DISTINCT asset_id, tenant_id FROM work_orders WHERE (? = 0 OR tenant_id = ?) AND "
			     "type = 'maintenance' AND asset_id IS NOT NULL AND updated_at >= ? AND asset_id > ? "
			     "ORDER BY asset_id LIMIT 2000",
			     p, 4, &r) != DB_OK)
			return ST_DB;
	}
	int rc = ST_OK;
	for (int i = 0; i < db_rows(r) && rc == ST_OK; i++) {
		rc = maint_due_update_tx(tx, db_int(r, i, 1), db_int(r, i, 0));
		f->last_id = db_int(r, i, 0);
		f->updated++;
	}
	f->more = db_rows(r) == 2000;
	db_res_free(r);
	return rc;
}

static int refresh_mark_fn(db_tx *tx, void *arg)
{
	struct refresh_ctx *f = arg;
	/* one counters row per tenant remembers where the last run began */
	dbv p[] = {VI(f->tenant_id), VI(f->tenant_id)};
	db_res *r;
	if (db_query(tx, "SELECT id FROM tenants WHERE ? = 0 OR id = ?", p, 2, &r) != DB_OK)
		return ST_DB;
	int rc = ST_OK;
	for (int i = 0; i < db_rows(r) && rc == ST_OK; i++) {
		dbv pc[] = {VI(db_int(r, i, 0)), VT("maint:refresh"), VI(f->started)};
		if (db_exec(tx,
			    "INSERT INTO counters(tenant_id, name, value) VALUES (?, ?, ?) "
			    "ON CONFLICT (tenant_id, name) DO UPDATE SET value = excluded.value",
			    pc, 3) != DB_OK)
			rc = ST_DB;
	}
	db_res_free(r);
	return rc;
}

static int refresh_since_fn(db_tx *tx, void *arg)
{
	struct refresh_ctx *f = arg;
	dbv p[] = {VI(f->tenant_id), VI(f->tenant_id)};
	int64_t v = 0;
	int rc = db_query_int(tx, "SELECT min(value) FROM counters WHERE (? = 0 OR tenant_id = ?) AND name = 'maint:refresh'",
			      p, 2, &v);
	f->since = rc == ST_OK ? v : 0;
	return rc == ST_DB ? rc : ST_OK;
}

int store_maint_refresh(db *d, int64_t tenant_id, int64_t *updated)
{
	struct refresh_ctx f = {.tenant_id = tenant_id, .started = now_ms()};
	int rc = db_read(d, refresh_since_fn, &f);
	for (f.phase = 0; rc == ST_OK && f.phase < 2; f.phase++) {
		f.last_id = 0;
		do
			rc = db_write(d, refresh_fn, &f);
		while (rc == ST_OK && f.more);
	}
	if (rc == ST_OK)
		rc = db_write(d, refresh_mark_fn, &f);
	if (updated)
		*updated = f.updated;
	return rc;
}

/* First service (首保) rate, DOMAIN §6: of the assets with a maintenance schedule bought in
 * [from, to] (dates "YYYY-MM-DD"), how many had a finished maintenance work order. */
struct fs_ctx {
	const principal *who;
	int64_t org_id;
	const char *from, *to;
	int64_t sold, served;
};

static int first_fn(db_tx *tx, void *arg)
{
	struct fs_ctx *c = arg;
	const principal *who = c->who;
	char path[256] = "";
	if (c->org_id) {
		int rc = org_in_scope(tx, who, c->org_id, path, sizeof path);
		if (rc != ST_OK)
			return rc;
	} else if (who->org_id != who->root_org_id) {
		snprintf(path, sizeof path, "%s", who->org_path);
	}
	buf sql;
	buf_init(&sql, 0);
	dbv p[8];
	int n = 0;
	buf_puts(&sql, "SELECT count(*), count(CASE WHEN EXISTS (SELECT 1 FROM work_orders w WHERE w.tenant_id = a.tenant_id "
		       "AND w.asset_id = a.id AND w.type = 'maintenance' AND w.status IN ('completed', 'qc_passed', 'settled', "
		       "'closed', 'followed_up')) THEN 1 END) FROM assets a JOIN product_models m ON m.id = a.model_id JOIN "
		       "customers c ON c.id = a.customer_id WHERE a.tenant_id = ? AND a.purchase_date >= ? AND "
		       "a.purchase_date <= ? AND m.maintenance_json IS NOT NULL AND m.maintenance_json <> '[]'");
	p[n++] = VI(who->tenant_id);
	p[n++] = VT(c->from);
	p[n++] = VT(c->to);
	if (path[0]) {
		buf_puts(&sql, " AND c.org_id IN (SELECT id FROM organizations WHERE tenant_id = ? AND path LIKE ? || '%')");
		p[n++] = VI(who->tenant_id);
		p[n++] = VT(path);
	}
	db_res *r;
	int e = db_query(tx, sql.data, p, n, &r);
	buf_free(&sql);
	if (e != DB_OK)
		return ST_DB;
	c->sold = db_int(r, 0, 0);
	c->served = db_int(r, 0, 1);
	db_res_free(r);
	return ST_OK;
}

int store_first_service(db *d, const principal *who, int64_t org_id, const char *from, const char *to, int64_t *sold,
			int64_t *served)
{
	struct fs_ctx c = {.who = who, .org_id = org_id, .from = from, .to = to};
	int rc = db_read(d, first_fn, &c);
	*sold = c.sold;
	*served = c.served;
	return rc;
}
