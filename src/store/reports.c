/*
 * reports.c — reports over the work orders of the caller's subtree. The rework report (返修率,
 * DOMAIN §3 QC: "failed → back to the technician as rework, counted"; issue 4 item 8):
 *
 *   orders           the orders a technician completed in the period (work_orders.completed_at,
 *                    by the assignee) or that came back to them as rework in the period;
 *   reworks          wo_reworks rows of the technician in the period (QC failures, reopenings);
 *   reworked_orders  distinct orders among them;
 *   rework_rate      reworked_orders / orders (0 when there are no orders), 4 decimals.
 */
#include "store/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rw_ctx {
	const principal *who;
	int64_t from, to, technician_id;
	json_t *out;
};

/* Orders (aliased w) inside the caller's organisation subtree. */
static void subtree_sql(buf *sql, dbv *p, int *n, const principal *who)
{
	if (who->org_id != who->root_org_id) {
		buf_puts(sql, " AND w.org_id IN (SELECT id FROM organizations WHERE tenant_id = ? AND path LIKE ? || '%')");
		p[(*n)++] = VI(who->tenant_id);
		p[(*n)++] = VT(who->org_path);
	}
}

static double rate(int64_t part, int64_t whole)
{
	return whole > 0 ? round((double)part * 10000.0 / (double)whole) / 10000.0 : 0.0;
}

static json_t *tech_item(json_t *by, int64_t id, const char *name)
{
	char k[24];
	snprintf(k, sizeof k, "%lld", (long long)id);
	json_t *o = json_object_get(by, k);
	if (!o) {
		o = json_pack("{s:{s:I, s:s?}, s:I, s:I, s:I, s:I, s:I}", "technician", "id", (json_int_t)id, "name", name,
			      "orders", (json_int_t)0, "reworks", (json_int_t)0, "reworked_orders", (json_int_t)0, "qc_fail",
			      (json_int_t)0, "reopen", (json_int_t)0);
		json_object_set_new(by, k, o);
	}
	return o;
}

static void add(json_t *o, const char *key, int64_t v)
{
	json_object_set_new(o, key, json_integer(json_integer_value(json_object_get(o, key)) + v));
}

static int cmp_items(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	double rx = json_real_value(json_object_get(x, "rework_rate")), ry = json_real_value(json_object_get(y, "rework_rate"));
	if (rx != ry)
		return rx < ry ? 1 : -1;
	json_int_t ox = json_integer_value(json_object_get(x, "orders")), oy = json_integer_value(json_object_get(y, "orders"));
	return ox < oy ? 1 : ox > oy ? -1 : 0;
}

/* The orders of one technician with their reworks in the period (the drill-down). */
static int tech_orders(db_tx *tx, struct rw_ctx *c, json_t **out)
{
	const principal *who = c->who;
	buf sql;
	buf_init(&sql, 0);
	dbv p[16];
	int n = 0;
	buf_puts(&sql,
		 "SELECT w.id, w.number, w.status, w.type, w.completed_at, w.rework_count, "
		 "(SELECT count(*) FROM wo_reworks r WHERE r.tenant_id = w.tenant_id AND r.order_id = w.id AND "
		 "r.technician_id = ? AND r.at >= ? AND r.at < ?) AS reworks_count, "
		 "(SELECT r.reason FROM wo_reworks r WHERE r.tenant_id = w.tenant_id AND r.order_id = w.id AND "
		 "r.technician_id = ? ORDER BY r.id DESC LIMIT 1) AS last_reason "
		 "FROM work_orders w WHERE w.tenant_id = ? AND ((w.assignee_id = ? AND w.completed_at >= ? AND w.completed_at < ?) "
		 "OR w.id IN (SELECT order_id FROM wo_reworks WHERE tenant_id = ? AND technician_id = ? AND at >= ? AND at < ?))");
	int64_t t = c->technician_id;
	dbv fixed[] = {VI(t), VI(c->from), VI(c->to), VI(t), VI(who->tenant_id), VI(t), VI(c->from), VI(c->to),
		       VI(who->tenant_id), VI(t), VI(c->from), VI(c->to)};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		p[n++] = fixed[i];
	subtree_sql(&sql, p, &n, who);
	buf_puts(&sql, " ORDER BY w.id DESC LIMIT 500");
	db_res *r;
	int e = db_query(tx, sql.data, p, n, &r);
	buf_free(&sql);
	if (e != DB_OK)
		return ST_DB;
	*out = json_array();
	for (int i = 0; i < db_rows(r); i++)
		json_array_append_new(*out, row_json(r, i));
	db_res_free(r);
	return ST_OK;
}

static int rework_fn(db_tx *tx, void *arg)
{
	struct rw_ctx *c = arg;
	const principal *who = c->who;
	json_t *by = json_object();
	int rc = ST_DB;
	db_res *r = NULL;
	buf sql;
	/* orders per technician: completed in the period, or reworked in it */
	buf_init(&sql, 0);
	dbv p[16];
	int n = 0;
	buf_puts(&sql, "SELECT t.tech, u.name, count(DISTINCT t.oid) FROM (SELECT w.assignee_id AS tech, w.id AS oid "
		       "FROM work_orders w WHERE w.tenant_id = ? AND w.assignee_id IS NOT NULL AND w.completed_at >= ? AND "
		       "w.completed_at < ?");
	p[n++] = VI(who->tenant_id);
	p[n++] = VI(c->from);
	p[n++] = VI(c->to);
	subtree_sql(&sql, p, &n, who);
	buf_puts(&sql, " UNION SELECT r.technician_id, r.order_id FROM wo_reworks r JOIN work_orders w ON w.id = r.order_id "
		       "WHERE r.tenant_id = ? AND r.technician_id IS NOT NULL AND r.at >= ? AND r.at < ?");
	p[n++] = VI(who->tenant_id);
	p[n++] = VI(c->from);
	p[n++] = VI(c->to);
	subtree_sql(&sql, p, &n, who);
	buf_puts(&sql, ") t LEFT JOIN users u ON u.id = t.tech GROUP BY t.tech, u.name");
	int e = db_query(tx, sql.data, p, n, &r);
	buf_free(&sql);
	if (e != DB_OK)
		goto out;
	for (int i = 0; i < db_rows(r); i++)
		add(tech_item(by, db_int(r, i, 0), db_text(r, i, 1)), "orders", db_int(r, i, 2));
	db_res_free(r);
	r = NULL;
	/* reworks per technician and cause */
	buf_init(&sql, 0);
	n = 0;
	buf_puts(&sql, "SELECT r.technician_id, u.name, r.cause, count(*), count(DISTINCT r.order_id) FROM wo_reworks r "
		       "JOIN work_orders w ON w.id = r.order_id LEFT JOIN users u ON u.id = r.technician_id "
		       "WHERE r.tenant_id = ? AND r.technician_id IS NOT NULL AND r.at >= ? AND r.at < ?");
	p[n++] = VI(who->tenant_id);
	p[n++] = VI(c->from);
	p[n++] = VI(c->to);
	subtree_sql(&sql, p, &n, who);
	buf_puts(&sql, " GROUP BY r.technician_id, u.name, r.cause");
	e = db_query(tx, sql.data, p, n, &r);
	buf_free(&sql);
	if (e != DB_OK)
		goto out;
	for (int i = 0; i < db_rows(r); i++) {
		json_t *o = tech_item(by, db_int(r, i, 0), db_text(r, i, 1));
		const char *cause = db_text(r, i, 2);
		add(o, "reworks", db_int(r, i, 3));
		add(o, cause && !strcmp(cause, "reopen") ? "reopen" : "qc_fail", db_int(r, i, 3));
	}
	db_res_free(r);
	r = NULL;
	/* distinct reworked orders per technician (across causes) */
	buf_init(&sql, 0);
	n = 0;
	buf_puts(&sql, "SELECT r.technician_id, count(DISTINCT r.order_id) FROM wo_reworks r JOIN work_orders w ON w.id = r.order_id "
		       "WHERE r.tenant_id = ? AND r.technician_id IS NOT NULL AND r.at >= ? AND r.at < ?");
	p[n++] = VI(who->tenant_id);
	p[n++] = VI(c->from);
	p[n++] = VI(c->to);
	subtree_sql(&sql, p, &n, who);
	buf_puts(&sql, " GROUP BY r.technician_id");
	e = db_query(tx, sql.data, p, n, &r);
	buf_free(&sql);
	if (e != DB_OK)
		goto out;
	for (int i = 0; i < db_rows(r); i++)
		add(tech_item(by, db_int(r, i, 0), NULL), "reworked_orders", db_int(r, i, 1));
	/* rates, totals, order */
	size_t cnt = json_object_size(by), k = 0;
	json_t **v = xcalloc(cnt + 1, sizeof *v);
	int64_t t_orders = 0, t_reworks = 0, t_reworked = 0;
	const char *key;
	json_t *o;
	json_object_foreach(by, key, o) {
		int64_t ord = json_integer_value(json_object_get(o, "orders"));
		int64_t rwo = json_integer_value(json_object_get(o, "reworked_orders"));
		json_object_set_new(o, "rework_rate", json_real(rate(rwo, ord)));
		t_orders += ord;
		t_reworks += json_integer_value(json_object_get(o, "reworks"));
		t_reworked += rwo;
		v[k++] = o;
	}
	qsort(v, cnt, sizeof *v, cmp_items);
	json_t *items = json_array();
	for (size_t i = 0; i < cnt; i++)
		json_array_append(items, v[i]);
	free(v);
	c->out = json_pack("{s:o, s:{s:I, s:I, s:I, s:f}}", "items", items, "total", "orders", (json_int_t)t_orders,
			   "reworks", (json_int_t)t_reworks, "reworked_orders", (json_int_t)t_reworked, "rework_rate",
			   rate(t_reworked, t_orders));
	json_set_time(c->out, "from", c->from);
	json_set_time(c->out, "to", c->to);
	rc = ST_OK;
	if (c->technician_id) {
		json_t *orders = NULL;
		rc = tech_orders(tx, c, &orders);
		if (rc == ST_OK)
			json_object_set_new(c->out, "orders", orders);
	}
out:
	db_res_free(r);
	json_decref(by);
	return rc;
}

int store_report_rework(db *d, const principal *who, int64_t from, int64_t to, int64_t technician_id, json_t **out)
{
	struct rw_ctx c = {.who = who, .from = from, .to = to, .technician_id = technician_id};
	int rc = db_read(d, rework_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}
