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

static int due_fn(db_tx *tx, void *arg)
{
	struct md_ctx *c = arg;
	const principal *who = c->who;
	buf sql;
	buf_init(&sql, 0);
	dbv p[8];
	int n = 0;
	char path[256] = "";
	if (c->org_id) {
		int rc = org_in_scope(tx, who, c->org_id, path, sizeof path);
		if (rc != ST_OK) {
			buf_free(&sql);
			return rc;
		}
	} else if (who->org_id != who->root_org_id) {
		snprintf(path, sizeof path, "%s", who->org_path);
	}
	buf_puts(&sql, "SELECT a.id, a.serial, a.plate, a.purchase_date, m.maintenance_json, c.id, c.name, m.id, m.brand, "
		       "m.category, m.model, c.org_id FROM assets a JOIN product_models m ON m.id = a.model_id JOIN customers c "
		       "ON c.id = a.customer_id WHERE a.tenant_id = ? AND a.status = 'active' AND a.purchase_date IS NOT NULL "
		       "AND m.maintenance_json IS NOT NULL AND m.maintenance_json <> '[]'");
	p[n++] = VI(who->tenant_id);
	if (who->customer_id || (who->roles & (1u << ROLE_CUSTOMER))) {
		buf_puts(&sql, " AND a.customer_id = ?");
		p[n++] = VI(who->customer_id);
	} else if (path[0]) {
		buf_puts(&sql, " AND c.org_id IN (SELECT id FROM organizations WHERE tenant_id = ? AND path LIKE ? || '%')");
		p[n++] = VI(who->tenant_id);
		p[n++] = VT(path);
	}
	buf_puts(&sql, " ORDER BY a.id");
	db_res *r;
	int e = db_query(tx, sql.data, p, n, &r);
	buf_free(&sql);
	if (e != DB_OK)
		return ST_DB;
	c->out = json_array();
	for (int i = 0; i < db_rows(r); i++) {
		json_t *o = asset_due(tx, c, r, i);
		if (o)
			json_array_append_new(c->out, o);
	}
	db_res_free(r);
	/* Earliest due first, at most `limit`. */
	size_t cnt = json_array_size(c->out);
	json_t **v = xcalloc(cnt + 1, sizeof *v);
	for (size_t i = 0; i < cnt; i++)
		v[i] = json_incref(json_array_get(c->out, i));
	qsort(v, cnt, sizeof *v, cmp_due);
	json_array_clear(c->out);
	for (size_t i = 0; i < cnt; i++) {
		if ((int)i < c->limit)
			json_array_append(c->out, v[i]);
		json_decref(v[i]);
	}
	free(v);
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
