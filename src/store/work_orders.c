/*
 * work_orders.c — work orders (DOMAIN §3), the slice the foundation proves end to end:
 * create (the customer found by phone or created), read, update with optimistic locking,
 * list with filters and cursor paging, and the timeline.
 *
 * Numbers are WO + the date in the tenant's zone + a 5-digit counter per tenant and day,
 * taken from the counters table inside the creating transaction: a rolled-back create
 * rolls its number back too, so numbers have no gaps however many requests race.
 */
#include "store/store.h"
#include "domain/perm.h"
#include "domain/wo_fsm.h"

#include <stdlib.h>
#include <string.h>

/* Columns 7 and 8 are the customer's name and phone; the rest are shown as they are named. */
#define WO_COLS "w.id, w.number, w.status, w.type, w.priority, w.channel, w.customer_id, w.customer_name AS _cname, " \
		"w.customer_phone AS _cphone, w.asset_id, w.address, w.fault_description, w.org_id, w.assignee_id, " \
		"w.created_by, w.created_at, w.updated_at, w.version, w.fault_category_id, w.fault_code, w.work_class, " \
		"w.payment_type, w.contract, w.region, w.lat, w.lon, w.state_since, w.hold_parts_ms, w.hold_customer_ms, " \
		"w.rework_count, w.cancel_reason, w.completed_at, w.closed_at, w.promised_at, w.approval_limit_fen, " \
		"w.approved_total_fen, w.approved_at, w.appointment_start AS appointment_start_at, " \
		"w.appointment_end AS appointment_end_at, w.mileage, w.sla_response_due, w.sla_answer_due, " \
		"w.sla_onsite_due, w.sla_resolve_due, w.responded_at, w.answered_at, w.onsite_at, w.resolved_at, " \
		"w.sla_breached, w.delivery_json, w.confirmed_at, w.confirm_channel, w.rating, w.rating_comment, " \
		"(SELECT name FROM users WHERE id = w.assignee_id) AS assignee_name, " \
		"(SELECT name FROM organizations WHERE id = w.org_id) AS org_name, w.bay_id, w.no_show_at, " \
		"(SELECT name FROM bays WHERE id = w.bay_id) AS bay_name, w.accept_due_at, w.late_eta_at, w.route_due_at"

static json_t *wo_json(const db_res *r, int row)
{
	json_t *o = row_json(r, row);
	json_t *cust = json_object();
	json_object_set(cust, "id", json_object_get(o, "customer_id"));
	json_object_set_new(cust, "name", json_string(db_text(r, row, 7)));
	const char *ph = db_text(r, row, 8);
	json_object_set_new(cust, "phone", ph ? json_string(ph) : json_null());
	json_object_set_new(o, "customer", cust);
	return o;
}

/* The scope condition for a work order aliased w: tenant, subtree, a customer's own. */
static void scope_sql(buf *sql, dbv *p, int *n, const principal *who)
{
	buf_puts(sql, " w.tenant_id = ?");
	p[(*n)++] = VI(who->tenant_id);
	if (who->customer_id || (who->roles & (1u << ROLE_CUSTOMER))) {
		buf_puts(sql, " AND w.customer_id = ?");
		p[(*n)++] = VI(who->customer_id);
	} else if (who->org_id != who->root_org_id) {
		/* the caller's subtree, and the orders assigned to the caller wherever they live */
		buf_puts(sql, " AND (w.org_id IN (SELECT id FROM organizations WHERE tenant_id = ? AND path LIKE ? || '%')"
			      " OR w.assignee_id = ?)");
		p[(*n)++] = VI(who->tenant_id);
		p[(*n)++] = VT(who->org_path);
		p[(*n)++] = VI(who->user_id);
	}
}

int wo_load_tx(db_tx *tx, const principal *who, int64_t id, json_t **out)
{
	buf sql;
	buf_init(&sql, 0);
	dbv p[6];
	int n = 0;
	buf_puts(&sql, "SELECT " WO_COLS " FROM work_orders w WHERE w.id = ? AND");
	p[n++] = VI(id);
	scope_sql(&sql, p, &n, who);
	db_res *r;
	int e = db_query(tx, sql.data, p, n, &r);
	buf_free(&sql);
	if (e != DB_OK)
		return ST_DB;
	int rc = ST_NOT_FOUND;
	if (db_rows(r)) {
		*out = wo_json(r, 0);
		json_t *allowed = json_array();
		uint32_t bits = wo_allowed(wo_state_parse(db_text(r, 0, 2)), who->roles);
		for (int ev = 0; ev < WE_COUNT; ev++)
			if (bits & (1u << ev))
				json_array_append_new(allowed, json_string(wo_event_name(ev)));
		json_object_set_new(*out, "allowed_events", allowed);
		rc = ST_OK;
	}
	db_res_free(r);
	return rc;
}

int wo_event_add(db_tx *tx, const actor *a, int64_t order_id, const char *event, json_t *data, bool public_)
{
	char *s = data ? json_dumps(data, JSON_COMPACT) : NULL;
	dbv p[] = {VI(a->who->tenant_id), VI(order_id), VI(now_ms()), a->who->user_id ? VI(a->who->user_id) : VN,
		   VT(event), VT(s), VI(public_)};
	int rc = db_exec(tx,
			 "INSERT INTO wo_events(tenant_id, order_id, at, actor_id, event, data, public) "
			 "VALUES (?, ?, ?, ?, ?, ?, ?)",
			 p, 7);
	free(s);
	return rc == DB_OK ? ST_OK : ST_DB;
}

struct wo_ctx {
	const principal *who;
	const actor *a;
	int64_t id, if_match, cursor, next;
	int limit;
	const wo_filter *f;
	json_t *in, *out;
	st_info *info;
};

static int invalid(struct wo_ctx *c, const char *field, const char *detail)
{
	snprintf(c->info->field, sizeof c->info->field, "%s", field);
	snprintf(c->info->detail, sizeof c->info->detail, "%s", detail);
	return ST_INVALID;
}

/* Find the customer by phone, or create them; sets *cid. */
static int customer_for(db_tx *tx, const actor *a, const char *name, const char *phone, int64_t *cid)
{
	const principal *who = a->who;
	dbv p[] = {VI(who->tenant_id), VT(phone)};
	/* PostgreSQL: two requests creating the same new customer at once wait for each other
	 * here instead of one failing on the unique phone. (SQLite has one writer already.) */
	if (db_tx_kind(tx) == DB_PG &&
	    db_exec(tx, "SELECT pg_advisory_xact_lock(?, hashtext(?))", (dbv[]){VI(who->tenant_id % 2147483647), VT(phone)}, 2) != DB_OK)
		return ST_DB;
	int rc = db_query_int(tx, "SELECT customer_id FROM customer_phones WHERE tenant_id = ? AND phone = ?", p, 2, cid);
	if (rc != ST_NOT_FOUND)
		return rc;
	int64_t now = now_ms();
	dbv pc[] = {VI(who->tenant_id), VI(who->org_id), VT(name), VI(now), VI(now)};
	if (db_query_int(tx,
			 "INSERT INTO customers(tenant_id, org_id, name, source, created_at, updated_at) "
			 "VALUES (?, ?, ?, 'work_order', ?, ?) RETURNING id",
			 pc, 5, cid) != ST_OK)
		return ST_DB;
	dbv pp[] = {VI(who->tenant_id), VI(*cid), VT(phone)};
	if (db_exec(tx, "INSERT INTO customer_phones(tenant_id, customer_id, phone) VALUES (?, ?, ?)", pp, 3) != DB_OK)
		return ST_DB;
	json_t *after = json_pack("{s:s, s:s}", "name", name, "phone", phone);
	rc = audit_add(tx, a, "create", "customer", *cid, NULL, after);
	json_decref(after);
	return rc;
}

/* The asset belongs to the order's customer; the fault category to the tenant. */
static int check_refs(db_tx *tx, struct wo_ctx *c, int64_t cid, int64_t asset, int64_t cat)
{
	int64_t n = 0;
	if (asset) {
		dbv p[] = {VI(asset), VI(c->a->who->tenant_id), VI(cid)};
		if (db_query_int(tx, "SELECT count(*) FROM assets WHERE id = ? AND tenant_id = ? AND customer_id = ?", p, 3, &n) !=
		    ST_OK)
			return ST_DB;
		if (!n)
			return invalid(c, "asset_id", "no such asset of this customer");
	}
	if (cat) {
		dbv p[] = {VI(cat), VI(c->a->who->tenant_id)};
		if (db_query_int(tx, "SELECT count(*) FROM fault_categories WHERE id = ? AND tenant_id = ?", p, 2, &n) != ST_OK)
			return ST_DB;
		if (!n)
			return invalid(c, "fault_category_id", "no such fault category");
	}
	return ST_OK;
}

static int create_fn(db_tx *tx, void *arg)
{
	struct wo_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *in = c->in;
	int64_t cid = json_integer_value(json_object_get(in, "customer_id"));
	const char *cname = NULL, *cphone = NULL;
	db_res *r = NULL;
	int rc;
	if (who->roles & (1u << ROLE_CUSTOMER)) {
		if (cid && cid != who->customer_id)
			return invalid(c, "customer_id", "customer not found");
		cid = who->customer_id;
	}
	if (cid) {
		dbv p[] = {VI(cid), VI(who->tenant_id)};
		if (db_query(tx,
			     "SELECT c.name, (SELECT min(phone) FROM customer_phones WHERE tenant_id = c.tenant_id AND "
			     "customer_id = c.id) FROM customers c WHERE c.id = ? AND c.tenant_id = ?",
			     p, 2, &r) != DB_OK)
			return ST_DB;
		if (!db_rows(r)) {
			db_res_free(r);
			return invalid(c, "customer_id", "customer not found");
		}
		cname = db_text(r, 0, 0);
		cphone = db_text(r, 0, 1);
	} else {
		json_t *cust = json_object_get(in, "customer");
		cname = jstr(cust, "name");
		cphone = jstr(cust, "phone");
		if ((rc = customer_for(tx, c->a, cname, cphone, &cid)) != ST_OK)
			return rc;
	}
	int64_t org = json_integer_value(json_object_get(in, "org_id"));
	if (org) {
		rc = org_in_scope(tx, who, org, NULL, 0);
		if (rc != ST_OK) {
			db_res_free(r);
			return rc == ST_NOT_FOUND ? invalid(c, "org_id", "organisation not found") : rc;
		}
	} else {
		org = who->org_id;
	}
	int64_t now = now_ms();
	char day[9], counter[24], number[32];
	ymd_compact(now, who->tz_offset_min, day);
	snprintf(counter, sizeof counter, "wo:%s", day);
	int64_t seq;
	dbv pc[] = {VI(who->tenant_id), VT(counter)};
	if (db_query_int(tx,
			 "INSERT INTO counters(tenant_id, name, value) VALUES (?, ?, 1) "
			 "ON CONFLICT (tenant_id, name) DO UPDATE SET value = counters.value + 1 RETURNING value",
			 pc, 2, &seq) != ST_OK) {
		db_res_free(r);
		return ST_DB;
	}
	snprintf(number, sizeof number, "WO%s-%05lld", day, (long long)seq);
	int64_t asset = json_integer_value(json_object_get(in, "asset_id"));
	int64_t cat = json_integer_value(json_object_get(in, "fault_category_id"));
	if ((rc = check_refs(tx, c, cid, asset, cat)) != ST_OK) {
		db_res_free(r);
		return rc;
	}
	int64_t appt[2] = {0, 0};
	ms_from_iso(jstr(in, "appointment_start"), &appt[0]);
	ms_from_iso(jstr(in, "appointment_end"), &appt[1]);
	json_t *lat = json_object_get(in, "lat"), *lon = json_object_get(in, "lon");
	json_t *km = json_object_get(in, "mileage");
	dbv p[] = {VI(who->tenant_id),
		   VI(org),
		   VT(number),
		   VT(jstr(in, "type")),
		   VT(jstr(in, "priority") ? jstr(in, "priority") : "P3"),
		   VT(jstr(in, "channel") ? jstr(in, "channel") : "api"),
		   VI(cid),
		   VT(cname),
		   VT(cphone),
		   VT(jstr(in, "address")),
		   VT(jstr(in, "fault_description")),
		   who->user_id ? VI(who->user_id) : VN,
		   VI(now),
		   VI(now),
		   asset ? VI(asset) : VN,
		   cat ? VI(cat) : VN,
		   VT(jstr(in, "fault_code")),
		   VT(jstr(in, "work_class")),
		   VT(jstr(in, "payment_type")),
		   VT(jstr(in, "contract")),
		   VT(jstr(in, "region")),
		   json_is_number(lat) ? VR(json_number_value(lat)) : VN,
		   json_is_number(lon) ? VR(json_number_value(lon)) : VN,
		   VI(now),
		   appt[0] ? VI(appt[0]) : VN,
		   appt[1] ? VI(appt[1]) : VN,
		   json_is_integer(km) ? VI(json_integer_value(km)) : VN};
	int64_t id;
	rc = db_query_int(tx,
			  "INSERT INTO work_orders(tenant_id, org_id, number, type, priority, channel, status, customer_id, "
			  "customer_name, customer_phone, address, fault_description, created_by, created_at, updated_at, "
			  "asset_id, fault_category_id, fault_code, work_class, payment_type, contract, region, lat, lon, "
			  "state_since, appointment_start, appointment_end, mileage) "
			  "VALUES (?, ?, ?, ?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
			  "RETURNING id",
			  p, 27, &id);
	if (rc == ST_OK && (rc = sla_stamp_order(tx, who, id)) == ST_OK)
		rc = wo_counts_move(tx, who->tenant_id, org, NULL, "new");
	/* the customer's acknowledgement with the order number, through the outbox (cphone may
	 * live in r: free it only after) */
	if (rc == ST_OK && cphone) {
		json_t *ack = json_pack("{s:s, s:s}", "number", number, "fault", jstr(in, "fault_description"));
		rc = outbox_add(tx, who->tenant_id, "sms", cphone, "wo_ack", ack, id, cid);
		json_decref(ack);
	}
	db_res_free(r);
	if (rc != ST_OK)
		return rc == ST_NOT_FOUND ? ST_DB : rc;
	c->id = id;
	if ((rc = wo_load_tx(tx, who, id, &c->out)) != ST_OK)
		return rc;
	json_t *data = json_pack("{s:s, s:s}", "number", number, "channel", jstr(c->out, "channel"));
	rc = wo_event_add(tx, c->a, id, "create", data, true);
	json_decref(data);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "create", "work_order", id, NULL, c->out);
	if (rc == ST_OK) {
		char loc[64];
		snprintf(loc, sizeof loc, "/api/v1/work-orders/%lld", (long long)id);
		rc = idem_save(tx, c->a, 201, c->out, loc);
	}
	return rc;
}

int store_wo_create(db *d, const actor *a, json_t *in, json_t **out, st_info *info)
{
	struct wo_ctx c = {.a = a, .in = in, .info = info};
	int rc = db_write(d, create_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

static int get_fn(db_tx *tx, void *arg)
{
	struct wo_ctx *c = arg;
	return wo_load_tx(tx, c->who, c->id, &c->out);
}

int store_wo_get(db *d, const principal *who, int64_t id, json_t **out)
{
	struct wo_ctx c = {.who = who, .id = id};
	int rc = db_read(d, get_fn, &c);
	*out = c.out;
	return rc;
}

static int update_fn(db_tx *tx, void *arg)
{
	struct wo_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *before = NULL;
	int rc = wo_load_tx(tx, who, c->id, &before);
	if (rc != ST_OK)
		return rc;
	int64_t version = json_integer_value(json_object_get(before, "version"));
	if (c->if_match && c->if_match != version) {
		c->info->current_version = version;
		c->info->current = before;
		return ST_STALE;
	}
	json_t *m = json_deep_copy(before);
	json_t *changed = json_object();
	const char *key;
	json_t *v;
	json_object_foreach(c->in, key, v) {
		json_t *old = json_object_get(before, key);
		if (!json_equal(old, v))
			json_object_set_new(changed, key, json_pack("{s:O?, s:O}", "from", old, "to", v));
		json_object_set(m, key, v);
	}
	int64_t cat = json_integer_value(json_object_get(m, "fault_category_id"));
	if (json_object_get(c->in, "fault_category_id") && cat &&
	    (rc = check_refs(tx, c, json_integer_value(json_object_get(before, "customer_id")), 0, cat)) != ST_OK) {
		json_decref(before);
		json_decref(m);
		json_decref(changed);
		return rc;
	}
	int64_t appt[2] = {0, 0};
	ms_from_iso(jstr(m, "appointment_start_at"), &appt[0]);
	ms_from_iso(jstr(m, "appointment_end_at"), &appt[1]);
	ms_from_iso(jstr(c->in, "appointment_start"), &appt[0]);
	ms_from_iso(jstr(c->in, "appointment_end"), &appt[1]);
	json_t *lat = json_object_get(m, "lat"), *lon = json_object_get(m, "lon");
	dbv p[] = {VT(jstr(m, "type")),
		   VT(jstr(m, "priority")),
		   VT(jstr(m, "address")),
		   VT(jstr(m, "fault_description")),
		   cat ? VI(cat) : VN,
		   VT(jstr(m, "fault_code")),
		   VT(jstr(m, "work_class")),
		   VT(jstr(m, "payment_type")),
		   VT(jstr(m, "contract")),
		   VT(jstr(m, "region")),
		   json_is_number(lat) ? VR(json_number_value(lat)) : VN,
		   json_is_number(lon) ? VR(json_number_value(lon)) : VN,
		   appt[0] ? VI(appt[0]) : VN,
		   appt[1] ? VI(appt[1]) : VN,
		   VI(now_ms()),
		   VI(c->id),
		   VI(version)};
	int e = db_exec(tx,
			"UPDATE work_orders SET type = ?, priority = ?, address = ?, fault_description = ?, "
			"fault_category_id = ?, fault_code = ?, work_class = ?, payment_type = ?, contract = ?, region = ?, "
			"lat = ?, lon = ?, appointment_start = ?, appointment_end = ?, updated_at = ?, "
			"version = version + 1 WHERE id = ? AND version = ?",
			p, 17);
	rc = e != DB_OK ? ST_DB : db_changes(tx) == 0 ? ST_STALE : ST_OK;
	/* The SLA policy is picked by priority, contract and region: a change of any of them
	 * re-stamps the deadlines, counted from the order's creation as before. */
	if (rc == ST_OK && (json_object_get(changed, "priority") || json_object_get(changed, "contract") ||
			    json_object_get(changed, "region")))
		rc = sla_stamp_order(tx, who, c->id);
	if (rc == ST_OK)
		rc = wo_load_tx(tx, who, c->id, &c->out);
	if (rc == ST_OK)
		rc = wo_event_add(tx, c->a, c->id, "update", changed, false);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "update", "work_order", c->id, before, c->out);
	json_decref(before);
	json_decref(m);
	json_decref(changed);
	return rc;
}

int store_wo_update(db *d, const actor *a, int64_t id, int64_t if_match, json_t *in, json_t **out, st_info *info)
{
	struct wo_ctx c = {.a = a, .id = id, .if_match = if_match, .in = in, .info = info};
	int rc = db_write(d, update_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

static int list_fn(db_tx *tx, void *arg)
{
	struct wo_ctx *c = arg;
	const wo_filter *f = c->f;
	buf sql;
	buf_init(&sql, 0);
	dbv p[40];
	int n = 0;
	char *like = NULL;
	char *statuses = NULL;
	buf_puts(&sql, "SELECT " WO_COLS " FROM work_orders w WHERE");
	scope_sql(&sql, p, &n, c->who);
	if (f->status) {
		statuses = xstrdup(f->status);
		buf_puts(&sql, " AND w.status IN (");
		int k = 0;
		for (char *s = statuses, *comma; s && *s && n < 30; s = comma ? comma + 1 : NULL) {
			comma = strchr(s, ',');
			if (comma)
				*comma = '\0';
			buf_printf(&sql, "%s?", k++ ? ", " : "");
			p[n++] = VT(s);
		}
		buf_puts(&sql, ")");
	}
	if (f->type) {
		buf_puts(&sql, " AND w.type = ?");
		p[n++] = VT(f->type);
	}
	if (f->priority) {
		buf_puts(&sql, " AND w.priority = ?");
		p[n++] = VT(f->priority);
	}
	if (f->customer_id) {
		buf_puts(&sql, " AND w.customer_id = ?");
		p[n++] = VI(f->customer_id);
	}
	if (f->assignee_id) {
		buf_puts(&sql, " AND w.assignee_id = ?");
		p[n++] = VI(f->assignee_id);
	}
	if (f->asset_id) {
		buf_puts(&sql, " AND w.asset_id = ?");
		p[n++] = VI(f->asset_id);
	}
	if (f->late) {
		buf_puts(&sql, " AND w.status NOT IN ('completed', 'qc_passed', 'settled', 'closed', 'followed_up', 'cancelled') "
			       "AND (w.sla_resolve_due < ? OR w.promised_at < ?)");
		p[n++] = VI(now_ms());
		p[n++] = VI(now_ms());
	}
	if (f->created_from) {
		buf_puts(&sql, " AND w.created_at >= ?");
		p[n++] = VI(f->created_from);
	}
	if (f->created_to) {
		buf_puts(&sql, " AND w.created_at < ?");
		p[n++] = VI(f->created_to);
	}
	if (f->q) {
		like = like_escape(f->q, false);
		buf_puts(&sql, " AND (w.fault_description LIKE ? ESCAPE '\\' OR w.customer_name LIKE ? ESCAPE '\\' OR "
			       "w.number LIKE ? ESCAPE '\\' OR w.address LIKE ? ESCAPE '\\' OR w.customer_phone LIKE ? ESCAPE '\\')");
		for (int i = 0; i < 5; i++)
			p[n++] = VT(like);
	}
	if (c->cursor) {
		buf_puts(&sql, " AND w.id < ?");
		p[n++] = VI(c->cursor);
	}
	buf_printf(&sql, " ORDER BY w.id DESC LIMIT %d", c->limit + 1);
	int listed = page_query(tx, sql.data, p, n, c->limit, wo_json, &c->out, &c->next);
	buf_free(&sql);
	free(like);
	free(statuses);
	return listed;
}

int store_wo_list(db *d, const principal *who, const wo_filter *f, int limit, int64_t cursor, json_t **items,
		  int64_t *next)
{
	struct wo_ctx c = {.who = who, .f = f, .limit = limit, .cursor = cursor};
	int rc = db_read(d, list_fn, &c);
	*items = c.out;
	*next = c.next;
	return rc;
}

static int timeline_fn(db_tx *tx, void *arg)
{
	struct wo_ctx *c = arg;
	json_t *order = NULL;
	int rc = wo_load_tx(tx, c->who, c->id, &order);
	json_decref(order);
	if (rc != ST_OK)
		return rc;
	dbv p[] = {VI(c->who->tenant_id), VI(c->id)};
	db_res *r;
	if (db_query(tx,
		     (c->who->roles & (1u << ROLE_CUSTOMER))
			     ? "SELECT e.at, e.actor_id, u.name, e.event, e.data, e.public, e.id FROM wo_events e LEFT JOIN users u "
			       "ON u.id = e.actor_id WHERE e.tenant_id = ? AND e.order_id = ? AND e.public = 1 ORDER BY e.id"
			     : "SELECT e.at, e.actor_id, u.name, e.event, e.data, e.public, e.id FROM wo_events e LEFT JOIN users u "
			       "ON u.id = e.actor_id WHERE e.tenant_id = ? AND e.order_id = ? ORDER BY e.id",
		     p, 2, &r) != DB_OK)
		return ST_DB;
	c->out = json_array();
	for (int i = 0; i < db_rows(r); i++) {
		json_t *e = json_object();
		json_set_time(e, "at", db_int(r, i, 0));
		json_object_set_new(e, "actor",
				    db_isnull(r, i, 1) ? json_null()
						       : json_pack("{s:I, s:s?}", "id", (json_int_t)db_int(r, i, 1), "name",
								   db_text(r, i, 2)));
		json_object_set_new(e, "event", json_string(db_text(r, i, 3)));
		json_t *data = db_text(r, i, 4) ? json_loads(db_text(r, i, 4), 0, NULL) : NULL;
		json_object_set_new(e, "data", data ? data : json_object());
		json_object_set_new(e, "public", json_boolean(db_int(r, i, 5)));
		json_object_set_new(e, "id", json_integer(db_int(r, i, 6)));
		json_array_append_new(c->out, e);
	}
	db_res_free(r);
	return ST_OK;
}

int store_wo_timeline(db *d, const principal *who, int64_t id, json_t **items)
{
	struct wo_ctx c = {.who = who, .id = id};
	int rc = db_read(d, timeline_fn, &c);
	*items = c.out;
	return rc;
}

struct comment_ctx {
	const actor *a;
	int64_t id;
	const char *text;
	bool pub;
	json_t *out;
	st_info *info;
};

static int comment_fn(db_tx *tx, void *arg)
{
	struct comment_ctx *c = arg;
	int rc = wo_lock_tx(tx, c->a->who, c->id, 0, c->info, NULL, 0);
	if (rc != ST_OK)
		return rc;
	json_t *data = json_pack("{s:s}", "text", c->text);
	rc = wo_event_add(tx, c->a, c->id, "comment", data, c->pub);
	if (rc == ST_OK) {
		c->out = json_pack("{s:s, s:O, s:b}", "event", "comment", "data", data, "public", c->pub);
		json_set_time(c->out, "at", now_ms());
		rc = idem_save(tx, c->a, 201, c->out, NULL);
	}
	json_decref(data);
	return rc;
}

int store_wo_comment(db *d, const actor *a, int64_t id, const char *text, bool public_, json_t **out, st_info *info)
{
	struct comment_ctx c = {.a = a, .id = id, .text = text, .pub = public_, .info = info};
	int rc = db_write(d, comment_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}
