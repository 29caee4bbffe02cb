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

/* The next service of one asset (row r of the asset query), or NULL if none is due by `until`. */
static json_t *asset_due(db_tx *tx, struct md_ctx *c, db_res *r, int row)
{
	int64_t id = db_int(r, row, 0);
	int32_t buy;
	if (!wty_day_parse(db_text(r, row, 3), &buy))
		return NULL;
	json_t *sched = json_loads(db_text(r, row, 4), 0, NULL);
	if (!json_is_array(sched) || !json_array_size(sched)) {
		json_decref(sched);
		return NULL;
	}
	size_t n = json_array_size(sched);
	maint_step *steps = xcalloc(n, sizeof *steps);
	for (size_t i = 0; i < n; i++) {
		steps[i].km = json_integer_value(json_object_get(json_array_get(sched, i), "km"));
		steps[i].months = (int)json_integer_value(json_object_get(json_array_get(sched, i), "months"));
	}
	dbv p[] = {VI(c->who->tenant_id), VI(id)};
	db_res *rr = NULL;
	json_t *o = NULL;
	maint_reading *rd = NULL;
	if (db_query(tx, "SELECT read_on, km, odometer_change FROM asset_readings WHERE tenant_id = ? AND asset_id = ? ORDER BY id",
		     p, 2, &rr) != DB_OK)
		goto out;
	int nr = db_rows(rr);
	rd = xcalloc((size_t)nr + 1, sizeof *rd);
	int k = 0;
	for (int i = 0; i < nr; i++)
		if (wty_day_parse(db_text(rr, i, 0), &rd[k].day)) {
			rd[k].km = db_int(rr, i, 1);
			rd[k].odometer_change = db_int(rr, i, 2) != 0;
			k++;
		}
	int64_t done = 0;
	if (db_query_int(tx,
			 "SELECT count(*) FROM work_orders WHERE tenant_id = ? AND asset_id = ? AND type = 'maintenance' AND "
			 "status IN ('completed', 'qc_passed', 'settled', 'closed', 'followed_up')",
			 p, 2, &done) != ST_OK)
		goto out;
	maint_input in = {.purchase_day = buy, .today = c->today, .steps = steps, .nsteps = (int)n, .done = (int)done,
			  .readings = rd, .nreadings = k};
	maint_due d;
	maint_next(&in, &d);
	if (d.step < 0 || d.due_day > c->until)
		goto out;
	char due[11];
	wty_day_format(d.due_day, due);
	json_t *step = json_array_get(sched, (size_t)d.step);
	o = json_pack("{s:I, s:s, s:s?, s:{s:I, s:s}, s:{s:I, s:s, s:s, s:s}, s:s, s:I, s:O, s:s, s:s, s:I, s:s}",
		      "asset_id", (json_int_t)id, "serial", db_text(r, row, 1), "plate", db_text(r, row, 2),
		      "customer", "id", (json_int_t)db_int(r, row, 5), "name", db_text(r, row, 6),
		      "model", "id", (json_int_t)db_int(r, row, 7), "brand", db_text(r, row, 8), "category",
		      db_text(r, row, 9), "model", db_text(r, row, 10),
		      "purchase_date", db_text(r, row, 3), "service_index", (json_int_t)d.step, "service", step,
		      "due_date", due, "due_by", d.by_km ? "km" : "time", "services_done", (json_int_t)done,
		      "status", d.due_day < c->today ? "overdue" : "due");
	json_object_set_new(o, "estimated_km", d.est_km >= 0 ? json_integer(d.est_km) : json_null());
	json_object_set_new(o, "customer_org_id", db_isnull(r, row, 11) ? json_null() : json_integer(db_int(r, row, 11)));
out:
	db_res_free(rr);
	free(rd);
	free(steps);
	json_decref(sched);
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
static void due_rows(db_tx *tx, struct md_ctx *c, db_res *r)
{
	for (int i = 0; i < db_rows(r); i++) {
		json_t *o = asset_due(tx, c, r, i);
		if (o)
			json_array_append_new(c->out, o);
	}
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

/* The list reads assets.next_due_on (0005_archive_care.sql) in order through its index: the
 * cached day is never later than the true one (a finished service only moves it later), so
 * candidates are taken earliest-cached first and recomputed exactly, and the walk stops once
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
	char until[11];
	wty_day_format(c->until, until);
	c->out = json_array();
	/* never computed */
	buf sql;
	buf_init(&sql, 0);
	dbv p[12];
	int n = 0;
	buf_puts(&sql, "SELECT " DUE_COLS DUE_FROM " AND a.next_due_on IS NULL");
	p[n++] = VI(who->tenant_id);
	due_scope(&sql, p, &n, who, path);
	db_res *r;
	int e = db_query(tx, sql.data, p, n, &r);
	buf_free(&sql);
	if (e != DB_OK)
		return ST_DB;
	due_rows(tx, c, r);
	db_res_free(r);
	/* cached: earliest first, a page at a time */
	int page = c->limit * 2 < 200 ? 200 : c->limit * 2;
	char last_due[11] = "";
	int64_t last_id = 0;
	for (;;) {
		buf_init(&sql, 0);
		n = 0;
		buf_puts(&sql, "SELECT " DUE_COLS DUE_FROM " AND a.next_due_on <= ?");
		p[n++] = VI(who->tenant_id);
		p[n++] = VT(until);
		if (last_id) {
			buf_puts(&sql, " AND (a.next_due_on > ? OR (a.next_due_on = ? AND a.id > ?))");
			p[n++] = VT(last_due);
			p[n++] = VT(last_due);
			p[n++] = VI(last_id);
		}
		due_scope(&sql, p, &n, who, path);
		buf_printf(&sql, " ORDER BY a.next_due_on, a.id LIMIT %d", page);
		e = db_query(tx, sql.data, p, n, &r);
		buf_free(&sql);
		if (e != DB_OK)
			return ST_DB;
		int rows = db_rows(r);
		due_rows(tx, c, r);
		if (rows) {
			snprintf(last_due, sizeof last_due, "%s", db_text(r, rows - 1, 12) ? db_text(r, rows - 1, 12) : "");
			last_id = db_int(r, rows - 1, 0);
		}
		db_res_free(r);
		if (rows < page)
			break;
		if ((int)json_array_size(c->out) >= c->limit) {
			sort_due(c->out);
			const char *kth = jstr(json_array_get(c->out, (size_t)c->limit - 1), "due_date");
			if (kth && strcmp(last_due, kth) >= 0)
				break; /* everything unread is due on or after last_due */
		}
	}
	sort_due(c->out);
	while ((int)json_array_size(c->out) > c->limit)
		json_array_remove(c->out, json_array_size(c->out) - 1);
	return ST_OK;
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
		     "m.category, m.model, c.org_id FROM assets a JOIN product_models m ON m.id = a.model_id JOIN customers c "
		     "ON c.id = a.customer_id WHERE a.id = ? AND a.tenant_id = ?",
		     p, 2, &r) != DB_OK)
		return ST_DB;
	if (!db_rows(r)) {
		db_res_free(r);
		return ST_OK;
	}
	principal sys = {.tenant_id = tenant_id};
	/* until the end of time: asset_due answers for any due day */
	struct md_ctx c = {.who = &sys, .today = 0, .until = INT32_MAX - 1};
	json_t *o = asset_due(tx, &c, r, 0);
	db_res_free(r);
	const char *due = o ? jstr(o, "due_date") : DUE_NEVER;
	dbv pu[] = {VT(due), VI(asset_id)};
	int e = db_exec(tx, "UPDATE assets SET next_due_on = ? WHERE id = ?", pu, 2);
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
