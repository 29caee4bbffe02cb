/*
 * network.c — two-level network dispatch (DOMAIN §4): a manufacturer's (or the platform's)
 * order goes to the station of the consumer's city, the station hands it to one of its
 * outlets — nearest and least loaded among those authorised (网签) for the brand and category
 * of the product — and the outlet dispatches to its technician (dispatch.c).
 *
 * An outlet never receives brand work it is not authorised for: the hand-over re-checks
 * authz_allows() inside the write, whoever asks. An order without a brand (no asset, or a
 * model without one) needs no authorisation.
 */
#include "domain/dispatch.h"
#include "domain/warranty.h"
#include "store/store.h"
#include "util/util.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

/* What the next level is for an order held by an organisation of this type. */
static const char *next_level(const char *holder_type)
{
	if (!holder_type)
		return NULL;
	if (!strcmp(holder_type, "platform") || !strcmp(holder_type, "manufacturer"))
		return "station";
	if (!strcmp(holder_type, "station"))
		return "outlet";
	return NULL;
}

struct net_order {
	int64_t id, org_id, version;
	char status[24], holder_type[24], holder_path[256], region[64], brand[64], category[64];
	double lat, lon;
};

static void copy(char *dst, size_t len, const char *s)
{
	snprintf(dst, len, "%s", s ? s : "");
}

static int net_order_load(db_tx *tx, const principal *who, int64_t id, struct net_order *o)
{
	json_t *w = NULL;
	int rc = wo_load_tx(tx, who, id, &w); /* in scope, or 404 */
	json_decref(w);
	if (rc != ST_OK)
		return rc;
	dbv p[] = {VI(id), VI(who->tenant_id)};
	db_res *r;
	if (db_query(tx,
		     "SELECT w.org_id, w.version, w.status, o.type, o.path, w.region, m.brand, m.category, w.lat, w.lon "
		     "FROM work_orders w JOIN organizations o ON o.id = w.org_id LEFT JOIN assets a ON a.id = w.asset_id "
		     "LEFT JOIN product_models m ON m.id = a.model_id WHERE w.id = ? AND w.tenant_id = ?",
		     p, 2, &r) != DB_OK)
		return ST_DB;
	if (!db_rows(r)) {
		db_res_free(r);
		return ST_NOT_FOUND;
	}
	o->id = id;
	o->org_id = db_int(r, 0, 0);
	o->version = db_int(r, 0, 1);
	copy(o->status, sizeof o->status, db_text(r, 0, 2));
	copy(o->holder_type, sizeof o->holder_type, db_text(r, 0, 3));
	copy(o->holder_path, sizeof o->holder_path, db_text(r, 0, 4));
	copy(o->region, sizeof o->region, db_text(r, 0, 5));
	copy(o->brand, sizeof o->brand, db_text(r, 0, 6));
	copy(o->category, sizeof o->category, db_text(r, 0, 7));
	o->lat = db_isnull(r, 0, 8) ? NAN : db_real(r, 0, 8);
	o->lon = db_isnull(r, 0, 9) ? NAN : db_real(r, 0, 9);
	db_res_free(r);
	return ST_OK;
}

static void today_text(const principal *who, char out[11])
{
	wty_day_format((int32_t)((now_ms() + (int64_t)who->tz_offset_min * 60000) / 86400000), out);
}

/*
 * The candidates of the next level, best first. Stations: those of the order's city first,
 * then by distance. Outlets: under the holding station, authorised for the brand and category
 * today (when the order has a brand), ranked by
 *   score = 60 / (1 + km / 10) + 40 / (1 + open_orders / 10)
 * (nearest and balanced; unknown distance counts as 10 km).
 */
struct cand {
	int64_t id;
	const char *name, *city;
	double km, score;
	int64_t open;
	bool same_city;
};

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->same_city != y->same_city)
		return x->same_city ? -1 : 1;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int candidates_tx(db_tx *tx, const principal *who, const struct net_order *o, db_res **r, struct cand **out,
			 size_t *n)
{
	const char *level = next_level(o->holder_type);
	*out = NULL;
	*n = 0;
	if (!level)
		return ST_OK;
	char day[11];
	today_text(who, day);
	bool outlet = !strcmp(level, "outlet"), branded = outlet && o->brand[0];
	dbv p[] = {VI(who->tenant_id), VT(level), VT(outlet ? o->holder_path : "/"), VT(o->brand), VT(o->category), VT(day),
		   VT(day)};
	char sql[1024];
	snprintf(sql, sizeof sql,
		 "SELECT g.id, g.name, g.city, g.lat, g.lon, (SELECT count(*) FROM work_orders w WHERE w.tenant_id = "
		 "g.tenant_id AND w.org_id = g.id AND w.status NOT IN ('completed', 'qc_passed', 'settled', 'closed', "
		 "'followed_up', 'cancelled')) FROM organizations g WHERE g.tenant_id = ? AND g.type = ? AND g.path LIKE "
		 "? || '%%'%s ORDER BY g.id",
		 branded ? " AND EXISTS (SELECT 1 FROM authorizations a WHERE a.tenant_id = g.tenant_id AND a.outlet_org_id = "
			   "g.id AND a.brand = ? AND a.category = ? AND a.status = 'active' AND a.valid_from <= ? AND "
			   "a.valid_to >= ?)"
			 : "");
	if (db_query(tx, sql, p, branded ? 7 : 3, r) != DB_OK)
		return ST_DB;
	*n = (size_t)db_rows(*r);
	*out = xcalloc(*n + 1, sizeof **out);
	for (size_t i = 0; i < *n; i++) {
		struct cand *c = &(*out)[i];
		int row = (int)i;
		c->id = db_int(*r, row, 0);
		c->name = db_text(*r, row, 1);
		c->city = db_text(*r, row, 2);
		c->km = db_isnull(*r, row, 3) ? NAN : dsp_km(o->lat, o->lon, db_real(*r, row, 3), db_real(*r, row, 4));
		c->open = db_int(*r, row, 5);
		c->same_city = !outlet && o->region[0] && c->city && !strcmp(c->city, o->region);
		c->score = 60 / (1 + (isnan(c->km) ? 10 : c->km) / 10) + 40 / (1 + (double)c->open / 10);
	}
	qsort(*out, *n, sizeof **out, cand_cmp);
	return ST_OK;
}

struct net_ctx {
	const principal *who;
	const actor *a;
	int64_t id, if_match, to_org;
	bool automatic;
	const char *reason;
	st_info *info;
	json_t *out;
};

static int options_fn(db_tx *tx, void *arg)
{
	struct net_ctx *c = arg;
	struct net_order o;
	int rc = net_order_load(tx, c->who, c->id, &o);
	db_res *r = NULL;
	struct cand *cs = NULL;
	size_t n = 0;
	if (rc == ST_OK)
		rc = candidates_tx(tx, c->who, &o, &r, &cs, &n);
	if (rc == ST_OK) {
		json_t *items = json_array();
		for (size_t i = 0; i < n && i < 20; i++) {
			json_t *it = json_pack("{s:I, s:s, s:s?, s:o, s:I, s:f, s:b}", "org_id", (json_int_t)cs[i].id, "name",
					       cs[i].name, "city", cs[i].city, "km",
					       isnan(cs[i].km) ? json_null() : json_real(round(cs[i].km * 10) / 10), "open_orders",
					       (json_int_t)cs[i].open, "score", round(cs[i].score * 10) / 10, "same_city",
					       cs[i].same_city);
			json_array_append_new(items, it);
		}
		const char *level = next_level(o.holder_type);
		c->out = json_pack("{s:I, s:s, s:s?, s:s?, s:s?, s:o}", "order_id", (json_int_t)c->id, "holder_type",
				   o.holder_type, "next_level", level, "brand", o.brand[0] ? o.brand : NULL, "category",
				   o.category[0] ? o.category : NULL, "items", items);
	}
	free(cs);
	db_res_free(r);
	return rc;
}

int store_network_options(db *d, const principal *who, int64_t id, json_t **out)
{
	struct net_ctx c = {.who = who, .id = id};
	int rc = db_read(d, options_fn, &c);
	*out = c.out;
	return rc;
}

static int refuse(st_info *info, int rc, const char *code, const char *detail)
{
	snprintf(info->detail, sizeof info->detail, "%s", detail);
	if (code)
		info->current = json_pack("{s:s}", "code", code);
	return rc;
}

/* The target must be of the next level for the holder, under the holding station for an
 * outlet, and authorised when the order carries a brand. */
static int target_check(db_tx *tx, const principal *who, const struct net_order *o, int64_t to, st_info *info)
{
	const char *level = next_level(o->holder_type);
	if (!level)
		return refuse(info, ST_CONFLICT, "no_next_level",
			      "the order is at an outlet already: dispatch it to a technician");
	dbv p[] = {VI(to), VI(who->tenant_id)};
	db_res *r;
	if (db_query(tx, "SELECT type, path FROM organizations WHERE id = ? AND tenant_id = ?", p, 2, &r) != DB_OK)
		return ST_DB;
	int rc = ST_OK;
	if (!db_rows(r)) {
		snprintf(info->field, sizeof info->field, "org_id");
		rc = refuse(info, ST_INVALID, NULL, "no organisation with this id");
	} else if (strcmp(db_text(r, 0, 0), level)) {
		snprintf(info->field, sizeof info->field, "org_id");
		rc = refuse(info, ST_INVALID, NULL,
			    !strcmp(level, "station") ? "the order goes to a station first" : "a station hands orders to an outlet");
	} else if (!strcmp(level, "outlet") && strncmp(db_text(r, 0, 1), o->holder_path, strlen(o->holder_path))) {
		rc = refuse(info, ST_FORBIDDEN, NULL, "the outlet is not one of this station's");
	}
	db_res_free(r);
	if (rc != ST_OK || strcmp(level, "outlet") || !o->brand[0])
		return rc;
	char day[11];
	today_text(who, day);
	bool ok = false;
	if ((rc = authz_allows(tx, who->tenant_id, to, o->brand, o->category, day, &ok)) != ST_OK)
		return rc;
	if (!ok) {
		char d[200];
		snprintf(d, sizeof d, "the outlet is not authorised (网签) for %s %s today", o->brand, o->category);
		return refuse(info, ST_CONFLICT, "not_authorised", d);
	}
	return ST_OK;
}

static int route_fn(db_tx *tx, void *arg)
{
	struct net_ctx *c = arg;
	const principal *who = c->a->who;
	char status[24] = "";
	int rc = wo_lock_tx(tx, who, c->id, c->if_match, c->info, status, sizeof status);
	struct net_order o;
	if (rc == ST_OK)
		rc = net_order_load(tx, who, c->id, &o);
	if (rc != ST_OK)
		return rc;
	if (strcmp(o.status, "new") && strcmp(o.status, "accepted"))
		return refuse(c->info, ST_CONFLICT, "invalid_transition",
			      "an order is handed to another organisation before it is dispatched to a technician");
	if (c->automatic) {
		db_res *r = NULL, *tried = NULL;
		struct cand *cs = NULL;
		size_t n = 0;
		rc = candidates_tx(tx, who, &o, &r, &cs, &n);
		/* not back to one that declined it or let it time out */
		dbv pt[] = {VI(who->tenant_id), VI(c->id)};
		if (rc == ST_OK && db_query(tx,
					    "SELECT org_id FROM dispatch_attempts WHERE tenant_id = ? AND order_id = ? AND "
					    "org_id IS NOT NULL",
					    pt, 2, &tried) != DB_OK)
			rc = ST_DB;
		c->to_org = 0;
		for (size_t i = 0; rc == ST_OK && i < n && !c->to_org; i++) {
			bool skip = false;
			for (int k = 0; k < db_rows(tried) && !skip; k++)
				skip = db_int(tried, k, 0) == cs[i].id;
			if (!skip)
				c->to_org = cs[i].id;
		}
		free(cs);
		db_res_free(r);
		db_res_free(tried);
		if (rc == ST_OK && !c->to_org)
			return refuse(c->info, ST_CONFLICT, "no_candidate",
				      o.brand[0] ? "no organisation of the next level is authorised for this brand and category"
						 : "no organisation of the next level");
	}
	if (rc == ST_OK)
		rc = target_check(tx, who, &o, c->to_org, c->info);
	if (rc != ST_OK)
		return rc;
	json_t *before = NULL;
	if ((rc = wo_load_tx(tx, who, c->id, &before)) != ST_OK)
		return rc;
	/* an outlet has the policy's time to accept (or dispatch) before it goes to the next one */
	int64_t now = now_ms(), due = 0, minutes = 0;
	bool to_outlet = !strcmp(next_level(o.holder_type), "outlet");
	if (to_outlet) {
		dispatch_policy pol;
		if ((rc = dispatch_policy_resolve_tx(tx, who->tenant_id, c->to_org, NULL, NULL, &pol)) != ST_OK) {
			json_decref(before);
			return rc;
		}
		json_decref(pol.weights);
		minutes = pol.accept_timeout_min;
		due = now + minutes * store_minute_ms();
	}
	dbv pu[] = {VI(c->to_org), VI(now), due ? VI(due) : VN, VI(o.org_id), VI(c->id)};
	if (db_exec(tx,
		    "UPDATE work_orders SET org_id = ?, updated_at = ?, version = version + 1, route_due_at = ?, "
		    "route_from_org_id = ? WHERE id = ?",
		    pu, 5) != DB_OK) {
		json_decref(before);
		return ST_DB;
	}
	rc = wo_counts_move(tx, who->tenant_id, o.org_id, o.status, NULL);
	if (rc == ST_OK)
		rc = wo_counts_move(tx, who->tenant_id, c->to_org, NULL, o.status);
	json_t *data = json_pack("{s:I, s:I, s:b}", "from_org_id", (json_int_t)o.org_id, "to_org_id", (json_int_t)c->to_org,
				 "automatic", c->automatic);
	if (c->reason && *c->reason)
		json_object_set_new(data, "reason", json_string(c->reason));
	if (due) {
		json_set_time(data, "accept_due_at", due);
		json_object_set_new(data, "accept_timeout_min", json_integer(minutes));
	}
	/* the order may now be outside the caller's subtree (a manufacturer's order at a station):
	 * the answer is read with the tenant's root scope */
	principal wide = *who;
	snprintf(wide.org_path, sizeof wide.org_path, "/%lld/", (long long)who->root_org_id);
	if (rc == ST_OK)
		rc = wo_load_tx(tx, &wide, c->id, &c->out);
	if (rc == ST_OK)
		json_object_set(data, "to_org_name", json_object_get(c->out, "org_name"));
	if (rc == ST_OK)
		rc = wo_event_add(tx, c->a, c->id, "route", data, false);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, "route", "work_order", c->id, before, c->out);
	json_decref(data);
	json_decref(before);
	return rc;
}

int network_route_tx(db_tx *tx, const actor *a, int64_t id, int64_t if_match, int64_t to_org, bool automatic,
		     const char *reason, json_t **out, st_info *info)
{
	struct net_ctx c = {.who = a->who, .a = a, .id = id, .if_match = if_match, .to_org = to_org,
			    .automatic = automatic, .reason = reason, .info = info};
	int rc = route_fn(tx, &c);
	*out = c.out;
	return rc;
}

int store_network_route(db *d, const actor *a, int64_t id, int64_t if_match, int64_t to_org, bool automatic,
			const char *reason, json_t **out, st_info *info)
{
	struct net_ctx c = {.who = a->who, .a = a, .id = id, .if_match = if_match, .to_org = to_org,
			    .automatic = automatic, .reason = reason, .info = info};
	int rc = db_write(d, route_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}

/* --- the outlet's answer ---------------------------------------------------------------------- */

struct answer_ctx {
	const actor *a;
	int64_t id, if_match;
	bool accept;
	const char *reason;
	st_info *info;
	json_t *out;
};

/* The order must be at the caller's outlet, handed on by a station and not dispatched yet. */
static int answer_fn(db_tx *tx, void *arg)
{
	struct answer_ctx *c = arg;
	const principal *who = c->a->who;
	int rc = wo_lock_tx(tx, who, c->id, c->if_match, c->info, NULL, 0);
	struct net_order o;
	if (rc == ST_OK)
		rc = net_order_load(tx, who, c->id, &o);
	if (rc != ST_OK)
		return rc;
	dbv pq[] = {VI(c->id)};
	int64_t from = 0, assignee = 0;
	bool awaited = false;
	db_res *r;
	if (db_query(tx, "SELECT route_from_org_id, assignee_id, route_due_at FROM work_orders WHERE id = ?", pq, 1, &r) !=
	    DB_OK)
		return ST_DB;
	from = db_rows(r) && !db_isnull(r, 0, 0) ? db_int(r, 0, 0) : 0;
	assignee = db_rows(r) && !db_isnull(r, 0, 1) ? db_int(r, 0, 1) : 0;
	awaited = db_rows(r) && !db_isnull(r, 0, 2);
	db_res_free(r);
	/* accepted once; declined (handed back) any time before a technician has it */
	if (!from || strcmp(o.holder_type, "outlet") || assignee || (c->accept && !awaited) ||
	    (strcmp(o.status, "new") && strcmp(o.status, "accepted")))
		return refuse(c->info, ST_CONFLICT, "invalid_transition",
			      "only an order a station handed to your outlet, not yet dispatched, is accepted or declined");
	json_t *before = NULL;
	if ((rc = wo_load_tx(tx, who, c->id, &before)) != ST_OK)
		return rc;
	int64_t now = now_ms();
	json_t *data = json_pack("{s:I}", "org_id", (json_int_t)o.org_id);
	if (c->accept) {
		dbv pa[] = {VI(now), VI(c->id)};
		if (db_exec(tx, "UPDATE work_orders SET route_due_at = NULL, updated_at = ?, version = version + 1 WHERE id = ?",
			    pa, 2) != DB_OK)
			rc = ST_DB;
	} else {
		json_object_set_new(data, "to_org_id", json_integer(from));
		json_object_set_new(data, "reason", json_string(c->reason));
		dbv pd[] = {VI(from), VI(now), VI(c->id)};
		if (db_exec(tx,
			    "UPDATE work_orders SET org_id = ?, route_due_at = NULL, route_from_org_id = NULL, updated_at = ?, "
			    "version = version + 1, auto_next_at = NULL WHERE id = ?",
			    pd, 3) != DB_OK)
			rc = ST_DB;
		if (rc == ST_OK)
			rc = dispatch_attempt_add_tx(tx, who->tenant_id, c->id, 0, o.org_id, "declined", c->reason);
		if (rc == ST_OK)
			rc = wo_counts_move(tx, who->tenant_id, o.org_id, o.status, NULL);
		if (rc == ST_OK)
			rc = wo_counts_move(tx, who->tenant_id, from, NULL, o.status);
	}
	principal wide = *who; /* a declined order is the station's again: read for the tenant */
	wide.org_id = wide.root_org_id;
	if (rc == ST_OK)
		rc = wo_load_tx(tx, &wide, c->id, &c->out);
	if (rc == ST_OK)
		rc = wo_event_add(tx, c->a, c->id, c->accept ? "route_accept" : "route_decline", data, false);
	if (rc == ST_OK)
		rc = audit_add(tx, c->a, c->accept ? "route_accept" : "route_decline", "work_order", c->id, before, c->out);
	if (rc == ST_OK)
		rc = idem_save(tx, c->a, 200, c->out, NULL);
	json_decref(data);
	json_decref(before);
	return rc;
}

int store_network_answer(db *d, const actor *a, int64_t id, int64_t if_match, bool accept, const char *reason,
			 json_t **out, st_info *info)
{
	struct answer_ctx c = {.a = a, .id = id, .if_match = if_match, .accept = accept, .reason = reason, .info = info};
	int rc = db_write(d, answer_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}
