/*
 * live.c — what the console needs to follow the work in progress (issue 4 items 11, 12):
 *
 *   - per-state counts: wo_state_counts(tenant, org, status, n), moved in the transaction of
 *     every create and transition, so the list header sums a few rows of the caller's subtree
 *     instead of counting a million orders; "late" reads the partial indexes of open orders
 *     (migrations/0007_live.sql);
 *   - the wall board (进度看板): the open orders of each board column;
 *   - the timeline rows the live stream (api/events.c) fans out, read by id.
 */
#include "store/store.h"
#include "domain/perm.h"

#include <stdlib.h>
#include <string.h>

/* The states before completion: an order in one of them is "open" for the late count. The
 * same list, in the same words, as the partial indexes of 0007_live.sql. */
#define OPEN_STATES                                                                                        \
	"('new', 'accepted', 'dispatched', 'taken', 'on_the_way', 'in_service', 'waiting_parts', "         \
	"'waiting_customer')"

static int counts_add(db_tx *tx, int64_t tenant_id, int64_t org_id, const char *status, int delta)
{
	dbv p[] = {VI(tenant_id), VI(org_id), VT(status), VI(delta)};
	return db_exec(tx,
		       "INSERT INTO wo_state_counts(tenant_id, org_id, status, n) VALUES (?, ?, ?, ?) "
		       "ON CONFLICT (tenant_id, org_id, status) DO UPDATE SET n = wo_state_counts.n + excluded.n",
		       p, 4) == DB_OK
		       ? ST_OK
		       : ST_DB;
}

int wo_counts_move(db_tx *tx, int64_t tenant_id, int64_t org_id, const char *from, const char *to)
{
	if (from && to && !strcmp(from, to))
		return ST_OK; /* a reassignment (dispatched → dispatched) changes no count */
	/* Rows are always locked in the same (name) order, so two transactions moving orders in
	 * opposite directions between the same two states cannot deadlock on PostgreSQL. */
	const char *first = from, *second = to;
	int d1 = -1, d2 = 1;
	if (from && to && strcmp(from, to) > 0) {
		first = to;
		second = from;
		d1 = 1;
		d2 = -1;
	}
	int rc = ST_OK;
	if (first)
		rc = counts_add(tx, tenant_id, org_id, first, d1);
	if (rc == ST_OK && second)
		rc = counts_add(tx, tenant_id, org_id, second, d2);
	return rc;
}

int wo_counts_rebuild_tx(db_tx *tx, int64_t tenant_id)
{
	dbv p[] = {VI(tenant_id)};
	if (db_exec(tx, "DELETE FROM wo_state_counts WHERE tenant_id = ?", p, 1) != DB_OK)
		return ST_DB;
	return db_exec(tx,
		       "INSERT INTO wo_state_counts(tenant_id, org_id, status, n) SELECT tenant_id, org_id, status, count(*) "
		       "FROM work_orders WHERE tenant_id = ? GROUP BY tenant_id, org_id, status",
		       p, 1) == DB_OK
		       ? ST_OK
		       : ST_DB;
}

static bool is_customer(const principal *who)
{
	return who->customer_id || (who->roles & (1u << ROLE_CUSTOMER));
}

/* The order scope of the caller for an order aliased w (as work_orders.c applies it). With
 * by_org the tenant's root also names its organisations (every one is in its subtree): the
 * late counts then read the partial indexes organisation by organisation. */
static void scope_sql(buf *sql, dbv *p, int *n, const principal *who, bool by_org)
{
	buf_puts(sql, " w.tenant_id = ?");
	p[(*n)++] = VI(who->tenant_id);
	if (is_customer(who)) {
		buf_puts(sql, " AND w.customer_id = ?");
		p[(*n)++] = VI(who->customer_id);
	} else if (by_org || who->org_id != who->root_org_id) {
		buf_puts(sql, " AND w.org_id IN (SELECT id FROM organizations WHERE tenant_id = ? AND path LIKE ? || '%')");
		p[(*n)++] = VI(who->tenant_id);
		p[(*n)++] = VT(who->org_path);
	}
}

struct sum_ctx {
	const principal *who;
	int64_t now;
	json_t *out;
};

static int late_count(db_tx *tx, const principal *who, int64_t now, int64_t *late)
{
	/* Two counts that do not overlap: the resolution deadline passed; or no deadline passed
	 * (none set, or still ahead) but the promised time did. Each reads its partial index, a
	 * range per organisation (by_org), never the orders that are closed. */
	static const char *const conds[2] = {
		" AND w.status IN " OPEN_STATES " AND w.sla_resolve_due IS NOT NULL AND w.sla_resolve_due < ?",
		" AND w.status IN " OPEN_STATES " AND w.promised_at IS NOT NULL AND w.promised_at < ? AND "
		"(w.sla_resolve_due IS NULL OR w.sla_resolve_due >= ?)",
	};
	*late = 0;
	for (int i = 0; i < 2; i++) {
		buf sql;
		buf_init(&sql, 0);
		dbv p[8];
		int n = 0;
		buf_puts(&sql, "SELECT count(*) FROM work_orders w WHERE");
		scope_sql(&sql, p, &n, who, true);
		buf_puts(&sql, conds[i]);
		p[n++] = VI(now);
		if (i == 1)
			p[n++] = VI(now);
		int64_t v = 0;
		int rc = db_query_int(tx, sql.data, p, n, &v);
		buf_free(&sql);
		if (rc != ST_OK)
			return rc;
		*late += v;
	}
	return ST_OK;
}

static int summary_fn(db_tx *tx, void *arg)
{
	struct sum_ctx *c = arg;
	const principal *who = c->who;
	db_res *r;
	int e;
	if (is_customer(who)) {
		/* a customer's own orders are few: count them directly */
		dbv p[] = {VI(who->tenant_id), VI(who->customer_id)};
		e = db_query(tx,
			     "SELECT status, count(*) FROM work_orders WHERE tenant_id = ? AND customer_id = ? GROUP BY status",
			     p, 2, &r);
	} else if (who->org_id == who->root_org_id) {
		dbv p[] = {VI(who->tenant_id)};
		e = db_query(tx, "SELECT status, sum(n) FROM wo_state_counts WHERE tenant_id = ? GROUP BY status", p, 1, &r);
	} else {
		dbv p[] = {VI(who->tenant_id), VI(who->tenant_id), VT(who->org_path)};
		e = db_query(tx,
			     "SELECT c.status, sum(c.n) FROM wo_state_counts c WHERE c.tenant_id = ? AND c.org_id IN "
			     "(SELECT id FROM organizations WHERE tenant_id = ? AND path LIKE ? || '%') GROUP BY c.status",
			     p, 3, &r);
	}
	if (e != DB_OK)
		return ST_DB;
	json_t *counts = json_object();
	int64_t total = 0;
	for (int i = 0; i < db_rows(r); i++) {
		int64_t n = db_int(r, i, 1);
		if (n <= 0)
			continue;
		json_object_set_new(counts, db_text(r, i, 0), json_integer(n));
		total += n;
	}
	db_res_free(r);
	int64_t late = 0;
	int rc = late_count(tx, who, c->now, &late);
	if (rc != ST_OK) {
		json_decref(counts);
		return rc;
	}
	c->out = json_pack("{s:o, s:I, s:I}", "counts", counts, "late", (json_int_t)late, "total", (json_int_t)total);
	return ST_OK;
}

int store_wo_summary(db *d, const principal *who, json_t **out)
{
	struct sum_ctx c = {.who = who, .now = now_ms()};
	int rc = db_read(d, summary_fn, &c);
	*out = c.out;
	return rc;
}

/* --- the wall board ------------------------------------------------------------------- */

const char *const wo_board_states[] = {"new", "accepted", "dispatched", "taken", "on_the_way", "in_service",
				       "waiting_parts", "waiting_customer", "completed", "qc_passed", "settled", NULL};

struct board_ctx {
	const principal *who;
	int limit;
	int64_t now;
	json_t *out;
};

static json_t *board_card(const db_res *r, int row, int64_t now)
{
	json_t *o = row_json(r, row);
	int64_t due = db_isnull(r, row, 11) ? 0 : db_int(r, row, 11);
	int64_t promised = db_isnull(r, row, 12) ? 0 : db_int(r, row, 12);
	const char *st = db_text(r, row, 2);
	bool open = st && strcmp(st, "completed") && strcmp(st, "qc_passed") && strcmp(st, "settled");
	json_object_set_new(o, "late", json_boolean(open && ((due && due < now) || (promised && promised < now))));
	return o;
}

static int board_fn(db_tx *tx, void *arg)
{
	struct board_ctx *c = arg;
	json_t *cols = json_object();
	int rc = ST_OK;
	for (int s = 0; wo_board_states[s] && rc == ST_OK; s++) {
		buf sql;
		buf_init(&sql, 0);
		dbv p[8];
		int n = 0;
		/* columns 11 and 12 (sla_resolve_due, promised_at) decide "late" */
		buf_puts(&sql,
			 "SELECT w.id, w.number, w.status, w.type, w.priority, w.customer_name, w.assignee_id, "
			 "(SELECT name FROM users WHERE id = w.assignee_id) AS assignee_name, "
			 "coalesce(w.state_since, w.created_at) AS state_since, w.org_id, w.asset_id, "
			 "w.sla_resolve_due, w.promised_at, a.plate AS asset_plate, a.serial AS asset_serial, "
			 "(SELECT m.brand || ' ' || m.model FROM product_models m WHERE m.id = a.model_id) AS asset_model "
			 "FROM work_orders w LEFT JOIN assets a ON a.id = w.asset_id WHERE");
		scope_sql(&sql, p, &n, c->who, false);
		buf_printf(&sql, " AND w.status = ? ORDER BY w.id DESC LIMIT %d", c->limit);
		p[n++] = VT(wo_board_states[s]);
		db_res *r;
		if (db_query(tx, sql.data, p, n, &r) != DB_OK) {
			rc = ST_DB;
		} else {
			json_t *cards = json_array();
			for (int i = 0; i < db_rows(r); i++)
				json_array_append_new(cards, board_card(r, i, c->now));
			json_object_set_new(cols, wo_board_states[s], cards);
			db_res_free(r);
		}
		buf_free(&sql);
	}
	if (rc != ST_OK) {
		json_decref(cols);
		return rc;
	}
	c->out = json_object();
	json_object_set_new(c->out, "columns", cols);
	json_set_time(c->out, "now", c->now);
	return ST_OK;
}

int store_wo_board(db *d, const principal *who, int limit, json_t **out)
{
	struct board_ctx c = {.who = who, .limit = limit, .now = now_ms()};
	int rc = db_read(d, board_fn, &c);
	*out = c.out;
	return rc;
}

/* --- timeline rows for the live stream ------------------------------------------------ */

#define LIVE_COLS                                                                                          \
	"SELECT e.id, e.tenant_id, e.order_id, e.at, e.actor_id, e.event, e.data, e.public, w.number, w.status, " \
	"w.customer_id, o.path, u.name, w.assignee_id FROM wo_events e JOIN work_orders w ON w.id = e.order_id "            \
	"LEFT JOIN organizations o ON o.id = w.org_id LEFT JOIN users u ON u.id = e.actor_id WHERE "

struct live_ctx {
	int64_t after;
	const int64_t *ids;
	int nids, max;
	live_event *rows;
	int n;
};

static void copy_text(char *dst, size_t len, const char *s)
{
	snprintf(dst, len, "%s", s ? s : "");
}

/* The status after the event: a transition names it ("to"); any other row shows the order's
 * status as it is now. */
static void status_after(const char *data, const char *current, char *out, size_t len)
{
	copy_text(out, len, current);
	if (!data || !strstr(data, "\"to\""))
		return;
	json_t *j = json_loads(data, 0, NULL);
	const char *to = json_string_value(json_object_get(j, "to"));
	if (to)
		copy_text(out, len, to);
	json_decref(j);
}

static int live_fn(db_tx *tx, void *arg)
{
	struct live_ctx *c = arg;
	buf sql;
	buf_init(&sql, 0);
	dbv p[LIVE_MAX_IDS + 1];
	int n = 0;
	buf_puts(&sql, LIVE_COLS);
	if (c->ids) {
		buf_puts(&sql, "e.id IN (");
		for (int i = 0; i < c->nids && i < LIVE_MAX_IDS; i++) {
			buf_puts(&sql, i ? ", ?" : "?");
			p[n++] = VI(c->ids[i]);
		}
		buf_puts(&sql, ") ORDER BY e.id");
	} else {
		buf_printf(&sql, "e.id > ? ORDER BY e.id LIMIT %d", c->max);
		p[n++] = VI(c->after);
	}
	db_res *r;
	int e = db_query(tx, sql.data, p, n, &r);
	buf_free(&sql);
	if (e != DB_OK)
		return ST_DB;
	c->n = db_rows(r);
	c->rows = c->n ? xcalloc((size_t)c->n, sizeof *c->rows) : NULL;
	for (int i = 0; i < c->n; i++) {
		live_event *v = &c->rows[i];
		v->id = db_int(r, i, 0);
		v->tenant_id = db_int(r, i, 1);
		v->order_id = db_int(r, i, 2);
		v->at = db_int(r, i, 3);
		v->actor_id = db_int(r, i, 4);
		copy_text(v->event, sizeof v->event, db_text(r, i, 5));
		v->public_ = db_int(r, i, 7) != 0;
		copy_text(v->number, sizeof v->number, db_text(r, i, 8));
		status_after(db_text(r, i, 6), db_text(r, i, 9), v->status, sizeof v->status);
		v->customer_id = db_int(r, i, 10);
		copy_text(v->org_path, sizeof v->org_path, db_text(r, i, 11));
		copy_text(v->actor_name, sizeof v->actor_name, db_text(r, i, 12));
		v->assignee_id = db_int(r, i, 13);
	}
	db_res_free(r);
	return ST_OK;
}

int store_live_events(db *d, int64_t after, const int64_t *ids, int nids, int max, live_event **out, int *n)
{
	struct live_ctx c = {.after = after, .ids = ids, .nids = nids, .max = max > 0 ? max : 500};
	*out = NULL;
	*n = 0;
	if (ids && nids <= 0)
		return ST_OK;
	int rc = db_read(d, live_fn, &c);
	if (rc != ST_OK) {
		free(c.rows);
		return rc;
	}
	*out = c.rows;
	*n = c.n;
	return ST_OK;
}

static int max_fn(db_tx *tx, void *arg)
{
	int64_t *v = arg;
	int rc = db_query_int(tx, "SELECT coalesce(max(id), 0) FROM wo_events", NULL, 0, v);
	return rc == ST_NOT_FOUND ? ST_OK : rc;
}

int store_live_max_id(db *d, int64_t *out)
{
	*out = 0;
	return db_read(d, max_fn, out);
}
