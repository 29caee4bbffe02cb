/*
 * dispatch_answer.c — after the dispatch (DOMAIN §4; issue 5 item 5): the assignee accepts
 * ("take") or declines with a reason; an order left unanswered past the dispatch policy's
 * accept_timeout_min is re-dispatched automatically to the next candidate (or, under a
 * "manual" policy or when nobody is free, handed back to the dispatchers); under an "auto"
 * policy an unassigned order is dispatched to its best candidate without a dispatcher; a late
 * technician announces a new arrival (the customer is told) or hands the order back.
 *
 * Every technician who declined an order, let it time out or handed it back is a row of
 * dispatch_attempts, so automatic dispatch never offers them the same order again, and the
 * timeline keeps each step ("accept_timeout", "dispatch" with auto, "late").
 *
 * The sweep (store_dispatch_answers) runs on the cluster's one scheduler; each order is its
 * own transaction that re-checks the order's state and version, so a sweep running twice at
 * once (a lease handed over mid-run) changes an order once.
 */
#include "domain/perm.h"
#include "store/store.h"
#include "util/util.h"

#include <stdio.h>
#include <string.h>

/* Milliseconds in a policy "minute": 60,000, but shorter when the scheduler runs its clock
 * faster for tests (FUWU_SCHEDULER_TICK_MS). */
static int64_t minute_ms = 60000;

void store_set_time_scale(int64_t ms_per_minute)
{
	if (ms_per_minute > 0)
		minute_ms = ms_per_minute;
}

int64_t store_minute_ms(void)
{
	return minute_ms;
}

/* The facts of an order the answers need, read without a caller's scope. */
struct ans_order {
	int64_t id, tenant_id, org_id, root_org_id, version, assignee_id, accept_due_at, route_due_at, route_from;
	int tz_offset_min;
	char status[24], type[24], priority[8], org_type[24], org_path[256];
};

static int ans_order_load(db_tx *tx, int64_t id, struct ans_order *o)
{
	memset(o, 0, sizeof *o);
	dbv p[] = {VI(id)};
	db_res *r;
	if (db_query(tx,
		     "SELECT w.tenant_id, w.org_id, w.version, w.assignee_id, w.accept_due_at, w.status, w.type, "
		     "w.priority, g.type, g.path, t.tz_offset_min, w.route_due_at, w.route_from_org_id FROM work_orders w "
		     "JOIN organizations g ON g.id = "
		     "w.org_id JOIN tenants t ON t.id = w.tenant_id WHERE w.id = ?",
		     p, 1, &r) != DB_OK)
		return ST_DB;
	if (!db_rows(r)) {
		db_res_free(r);
		return ST_NOT_FOUND;
	}
	o->id = id;
	o->tenant_id = db_int(r, 0, 0);
	o->org_id = db_int(r, 0, 1);
	o->version = db_int(r, 0, 2);
	o->assignee_id = db_int(r, 0, 3);
	o->accept_due_at = db_isnull(r, 0, 4) ? 0 : db_int(r, 0, 4);
	snprintf(o->status, sizeof o->status, "%s", db_text(r, 0, 5));
	snprintf(o->type, sizeof o->type, "%s", db_text(r, 0, 6));
	snprintf(o->priority, sizeof o->priority, "%s", db_text(r, 0, 7));
	snprintf(o->org_type, sizeof o->org_type, "%s", db_text(r, 0, 8));
	snprintf(o->org_path, sizeof o->org_path, "%s", db_text(r, 0, 9));
	o->tz_offset_min = (int)db_int(r, 0, 10);
	o->route_due_at = db_isnull(r, 0, 11) ? 0 : db_int(r, 0, 11);
	o->route_from = db_isnull(r, 0, 12) ? 0 : db_int(r, 0, 12);
	const char *first = o->org_path + (o->org_path[0] == '/');
	o->root_org_id = strtoll(first, NULL, 10);
	db_res_free(r);
	return ST_OK;
}

/* The scheduler acting for the organisation holding the order: a dispatcher of its subtree. */
static void sys_principal(const struct ans_order *o, principal *sys)
{
	memset(sys, 0, sizeof *sys);
	sys->tenant_id = o->tenant_id;
	sys->org_id = o->org_id;
	sys->root_org_id = o->root_org_id;
	sys->tz_offset_min = o->tz_offset_min;
	sys->roles = 1u << ROLE_ADMIN;
	sys->perms = perm_for_roles(sys->roles);
	snprintf(sys->org_path, sizeof sys->org_path, "%s", o->org_path);
	snprintf(sys->login, sizeof sys->login, "scheduler");
	snprintf(sys->name, sizeof sys->name, "系统 (scheduler)");
}

int dispatch_accept_due_tx(db_tx *tx, int64_t tenant_id, int64_t order_id, int64_t now, int64_t *due,
			   int64_t *timeout_min)
{
	struct ans_order o;
	int rc = ans_order_load(tx, order_id, &o);
	if (rc != ST_OK)
		return rc;
	if (o.tenant_id != tenant_id)
		return ST_NOT_FOUND;
	dispatch_policy pol;
	if ((rc = dispatch_policy_resolve_tx(tx, tenant_id, o.org_id, o.type, o.priority, &pol)) != ST_OK)
		return rc;
	json_decref(pol.weights);
	*timeout_min = pol.accept_timeout_min;
	*due = now + pol.accept_timeout_min * minute_ms;
	return ST_OK;
}

int dispatch_attempt_add_tx(db_tx *tx, int64_t tenant_id, int64_t order_id, int64_t tech_id, int64_t org_id,
			    const char *outcome, const char *reason)
{
	dbv p[] = {VI(tenant_id), VI(order_id), tech_id ? VI(tech_id) : VN, org_id ? VI(org_id) : VN,
		   VT(outcome),	  VT(reason),	VI(now_ms())};
	return db_exec(tx,
		       "INSERT INTO dispatch_attempts(tenant_id, order_id, tech_id, org_id, outcome, reason, at) "
		       "VALUES (?, ?, ?, ?, ?, ?, ?)",
		       p, 7) == DB_OK
		       ? ST_OK
		       : ST_DB;
}

int dispatch_tried_tx(db_tx *tx, int64_t tenant_id, int64_t order_id, json_t **out)
{
	*out = NULL;
	dbv p[] = {VI(tenant_id), VI(order_id)};
	db_res *r;
	if (db_query(tx,
		     "SELECT a.tech_id, u.name, a.outcome, a.reason, a.at FROM dispatch_attempts a LEFT JOIN users u ON "
		     "u.id = a.tech_id WHERE a.tenant_id = ? AND a.order_id = ? AND a.tech_id IS NOT NULL ORDER BY a.id",
		     p, 2, &r) != DB_OK)
		return ST_DB;
	json_t *a = json_array();
	for (int i = 0; i < db_rows(r); i++) {
		json_t *x = json_pack("{s:I, s:s?, s:s, s:s?}", "technician_id", (json_int_t)db_int(r, i, 0), "name",
				      db_text(r, i, 1), "outcome", db_text(r, i, 2), "reason", db_text(r, i, 3));
		json_set_time(x, "at", db_int(r, i, 4));
		json_array_append_new(a, x);
	}
	db_res_free(r);
	*out = a;
	return ST_OK;
}

/* --- the sweep ------------------------------------------------------------------------------ */

struct sweep_ctx {
	int64_t id, now;
	int64_t redispatched, returned, assigned, rerouted;
};

static int route_auto(db_tx *tx, const principal *sys, const struct ans_order *o, const char *why)
{
	actor a = {sys, "scheduler", NULL, NULL};
	json_t *out = NULL;
	st_info info;
	memset(&info, 0, sizeof info);
	int rc = network_route_tx(tx, &a, o->id, o->version, 0, true, why, &out, &info);
	json_decref(out);
	json_decref(info.current);
	return rc;
}

static int add_event(db_tx *tx, const principal *sys, int64_t id, const char *event, json_t *data)
{
	actor a = {sys, "scheduler", NULL, NULL};
	int rc = wo_event_add(tx, &a, id, event, data, false);
	json_decref(data);
	return rc;
}

static int transition(db_tx *tx, const principal *sys, const struct ans_order *o, const char *event, json_t *body)
{
	actor a = {sys, "scheduler", NULL, NULL};
	json_t *out = NULL;
	st_info info;
	memset(&info, 0, sizeof info);
	int rc = wo_transition_tx(tx, &a, o->id, o->version, event, body, &out, &info);
	json_decref(out);
	json_decref(info.current);
	json_decref(body);
	return rc;
}

/* One unanswered order: the assignee's silence is recorded; the next candidate gets it, or the
 * dispatchers do. */
static int timeout_fn(db_tx *tx, void *arg)
{
	struct sweep_ctx *c = arg;
	struct ans_order o;
	int rc = ans_order_load(tx, c->id, &o);
	if (rc != ST_OK || strcmp(o.status, "dispatched") || !o.accept_due_at || o.accept_due_at > c->now)
		return rc == ST_NOT_FOUND ? ST_OK : rc; /* answered (or moved) meanwhile */
	principal sys;
	sys_principal(&o, &sys);
	dispatch_policy pol;
	if ((rc = dispatch_policy_resolve_tx(tx, o.tenant_id, o.org_id, o.type, o.priority, &pol)) != ST_OK)
		return rc;
	json_decref(pol.weights);
	char why[160];
	snprintf(why, sizeof why, "%lld 分钟内未接单 / no answer within %lld min", (long long)pol.accept_timeout_min,
		 (long long)pol.accept_timeout_min);
	if ((rc = dispatch_attempt_add_tx(tx, o.tenant_id, o.id, o.assignee_id, 0, "timeout", why)) != ST_OK)
		return rc;
	int64_t next = 0, start = 0;
	if (strcmp(pol.mode, "manual") && (rc = dispatch_next_tx(tx, &sys, o.id, &next, &start)) != ST_OK)
		return rc;
	json_t *ev = json_pack("{s:I, s:I, s:s}", "assignee_id", (json_int_t)o.assignee_id, "minutes",
			       (json_int_t)pol.accept_timeout_min, "policy_mode", pol.mode);
	json_object_set_new(ev, "next_assignee_id", next ? json_integer(next) : json_null());
	if ((rc = add_event(tx, &sys, o.id, "accept_timeout", ev)) != ST_OK)
		return rc;
	if (next) {
		rc = transition(tx, &sys, &o, "dispatch",
				json_pack("{s:I, s:s, s:b}", "assignee_id", (json_int_t)next, "reason", why, "auto", 1));
		if (rc == ST_OK)
			c->redispatched++;
		if (rc != ST_CONFLICT)
			return rc;
		/* the candidate turned out not to fit after all: the dispatchers decide */
		if ((rc = ans_order_load(tx, c->id, &o)) != ST_OK)
			return rc;
	}
	char back[240];
	snprintf(back, sizeof back, "%s%s", why, next || !strcmp(pol.mode, "manual") ? "" : "; 无其他可派技师 / nobody else is free");
	rc = transition(tx, &sys, &o, "decline", json_pack("{s:s, s:b}", "reason", back, "auto", 1));
	if (rc == ST_OK)
		c->returned++;
	return rc;
}

/* One unassigned order under an "auto" policy: to its best candidate, or retried later. */
static int auto_fn(db_tx *tx, void *arg)
{
	struct sweep_ctx *c = arg;
	struct ans_order o;
	int rc = ans_order_load(tx, c->id, &o);
	if (rc != ST_OK || o.assignee_id || (strcmp(o.status, "new") && strcmp(o.status, "accepted")))
		return rc == ST_NOT_FOUND ? ST_OK : rc;
	dispatch_policy pol;
	if ((rc = dispatch_policy_resolve_tx(tx, o.tenant_id, o.org_id, o.type, o.priority, &pol)) != ST_OK)
		return rc;
	json_decref(pol.weights);
	principal sys;
	sys_principal(&o, &sys);
	int64_t next = 0, start = 0;
	/* Network levels (platform, manufacturer, station) hand over to the next level by
	 * network dispatch, not straight to a technician of their subtree. */
	bool network = !strcmp(o.org_type, "platform") || !strcmp(o.org_type, "manufacturer") ||
		       !strcmp(o.org_type, "station");
	if (!strcmp(pol.mode, "auto") && network) {
		rc = route_auto(tx, &sys, &o, "自动网络派单 / automatic hand-over");
		if (rc == ST_OK) {
			c->rerouted++;
			return rc;
		}
		if (rc != ST_CONFLICT && rc != ST_INVALID && rc != ST_FORBIDDEN)
			return rc;
		if ((rc = ans_order_load(tx, c->id, &o)) != ST_OK) /* nowhere to go: look again later */
			return rc;
	}
	if (!strcmp(pol.mode, "auto") && !network && (rc = dispatch_next_tx(tx, &sys, o.id, &next, &start)) != ST_OK)
		return rc;
	if (next) {
		rc = transition(tx, &sys, &o, "dispatch",
				json_pack("{s:I, s:s, s:b}", "assignee_id", (json_int_t)next, "reason",
					  "自动派工 / automatic dispatch", "auto", 1));
		if (rc == ST_OK) {
			c->assigned++;
			return rc;
		}
		if (rc != ST_CONFLICT)
			return rc;
	}
	/* not ours to dispatch, or nobody free: look again later (a policy change looks at once) */
	int64_t later = c->now + (strcmp(pol.mode, "auto") ? 60 : 10) * minute_ms;
	dbv p[] = {VI(later), VI(o.id)};
	return db_exec(tx, "UPDATE work_orders SET auto_next_at = ? WHERE id = ?", p, 2) == DB_OK ? ST_OK : ST_DB;
}

/* An outlet that did not answer a station's hand-over in time: back to the station, and on to
 * the next authorised outlet (unless the station dispatches by hand only). */
static int route_timeout_fn(db_tx *tx, void *arg)
{
	struct sweep_ctx *c = arg;
	struct ans_order o;
	int rc = ans_order_load(tx, c->id, &o);
	if (rc != ST_OK || !o.route_due_at || o.route_due_at > c->now || o.assignee_id || !o.route_from ||
	    (strcmp(o.status, "new") && strcmp(o.status, "accepted")))
		return rc == ST_NOT_FOUND ? ST_OK : rc;
	dispatch_policy pol;
	if ((rc = dispatch_policy_resolve_tx(tx, o.tenant_id, o.org_id, NULL, NULL, &pol)) != ST_OK)
		return rc;
	json_decref(pol.weights);
	char why[160];
	snprintf(why, sizeof why, "网点 %lld 分钟内未接单 / the outlet did not answer within %lld min",
		 (long long)pol.accept_timeout_min, (long long)pol.accept_timeout_min);
	dbv pb[] = {VI(o.route_from), VI(c->now), VI(o.id), VI(o.version)};
	if ((rc = dispatch_attempt_add_tx(tx, o.tenant_id, o.id, 0, o.org_id, "timeout", why)) != ST_OK)
		return rc;
	if (db_exec(tx,
		    "UPDATE work_orders SET org_id = ?, route_due_at = NULL, route_from_org_id = NULL, updated_at = ?, "
		    "version = version + 1 WHERE id = ? AND version = ?",
		    pb, 4) != DB_OK)
		return ST_DB;
	if (db_changes(tx) == 0)
		return ST_OK; /* changed meanwhile */
	if ((rc = wo_counts_move(tx, o.tenant_id, o.org_id, o.status, NULL)) != ST_OK ||
	    (rc = wo_counts_move(tx, o.tenant_id, o.route_from, NULL, o.status)) != ST_OK)
		return rc;
	int64_t outlet = o.org_id;
	if ((rc = ans_order_load(tx, c->id, &o)) != ST_OK)
		return rc;
	principal sys;
	sys_principal(&o, &sys);
	if ((rc = add_event(tx, &sys, o.id, "route_timeout",
			    json_pack("{s:I, s:I, s:I, s:s}", "org_id", (json_int_t)outlet, "to_org_id",
				      (json_int_t)o.org_id, "minutes", (json_int_t)pol.accept_timeout_min, "reason", why))) !=
	    ST_OK)
		return rc;
	dispatch_policy sp; /* the station's own rule: by hand only, or on to the next outlet */
	if ((rc = dispatch_policy_resolve_tx(tx, o.tenant_id, o.org_id, o.type, o.priority, &sp)) != ST_OK)
		return rc;
	json_decref(sp.weights);
	if (!strcmp(sp.mode, "manual"))
		return ST_OK;
	rc = route_auto(tx, &sys, &o, why);
	if (rc == ST_OK)
		c->rerouted++;
	return rc == ST_CONFLICT || rc == ST_INVALID || rc == ST_FORBIDDEN ? ST_OK : rc; /* nobody else: the station decides */
}

#define SWEEP_BATCH 100

static int ids_fn(db_tx *tx, void *arg)
{
	void **a = arg;
	const char *sql = a[0];
	int64_t now = *(int64_t *)a[1];
	db_res **r = a[2];
	dbv p[] = {VI(now), VI(SWEEP_BATCH)};
	return db_query(tx, sql, p, 2, r) == DB_OK ? ST_OK : ST_DB;
}

static int each(db *d, const char *sql, int64_t now, int (*fn)(db_tx *, void *), struct sweep_ctx *c)
{
	db_res *r = NULL;
	void *args[] = {(void *)sql, &now, &r};
	int rc = db_read(d, ids_fn, args);
	for (int i = 0; rc == ST_OK && i < db_rows(r); i++) {
		c->id = db_int(r, i, 0);
		rc = db_write(d, fn, c);
		if (rc != ST_OK && rc != ST_DB) {
			log_msg("warn", "dispatch answers: order %lld left as it is (status %d)", (long long)c->id, rc);
			rc = ST_OK;
		}
	}
	db_res_free(r);
	return rc;
}

int store_dispatch_answers(db *d, int64_t now, int64_t *redispatched, int64_t *returned, int64_t *assigned)
{
	struct sweep_ctx c = {.now = now};
	int rc = each(d,
		      "SELECT id FROM work_orders WHERE accept_due_at IS NOT NULL AND accept_due_at <= ? AND status = "
		      "'dispatched' ORDER BY accept_due_at, id LIMIT ?",
		      now, timeout_fn, &c);
	if (rc == ST_OK)
		rc = each(d,
			  "SELECT id FROM work_orders WHERE route_due_at IS NOT NULL AND route_due_at <= ? AND assignee_id "
			  "IS NULL ORDER BY route_due_at, id LIMIT ?",
			  now, route_timeout_fn, &c);
	/* only tenants with an "auto" policy have orders to look at */
	if (rc == ST_OK)
		rc = each(d,
			  "SELECT w.id FROM work_orders w WHERE w.assignee_id IS NULL AND w.status IN ('new', "
			  "'accepted') AND (w.auto_next_at IS NULL OR w.auto_next_at <= ?) AND w.tenant_id IN (SELECT "
			  "tenant_id FROM dispatch_policies WHERE mode = 'auto') ORDER BY w.id LIMIT ?",
			  now, auto_fn, &c);
	*redispatched = c.redispatched;
	*returned = c.returned;
	*assigned = c.assigned + c.rerouted;
	return rc;
}

/* --- "I will be late" ------------------------------------------------------------------------ */

struct late_ctx {
	const actor *a;
	int64_t id, if_match;
	json_t *body, *out;
	st_info *info;
};

static int late_refuse(st_info *info, const char *field, const char *detail, int rc)
{
	snprintf(info->field, sizeof info->field, "%s", field);
	snprintf(info->detail, sizeof info->detail, "%s", detail);
	return rc;
}

/* The customer is told the new arrival ("HH:MM" in the tenant's zone). */
static int late_notify(db_tx *tx, const actor *a, json_t *order, int64_t eta)
{
	const char *phone = json_string_value(json_object_get(json_object_get(order, "customer"), "phone"));
	if (!phone)
		return ST_OK;
	int64_t local = eta / 1000 + (int64_t)a->who->tz_offset_min * 60;
	char hm[8];
	snprintf(hm, sizeof hm, "%02d:%02d", (int)(local / 3600 % 24), (int)(local / 60 % 60));
	json_t *data = json_pack("{s:O, s:O, s:s}", "number", json_object_get(order, "number"), "technician",
				 json_object_get(order, "assignee_name"), "eta_local", hm);
	json_set_time(data, "eta", eta);
	int rc = outbox_add(tx, a->who->tenant_id, "sms", phone, "wo_technician_late", data,
			    json_integer_value(json_object_get(order, "id")),
			    json_integer_value(json_object_get(order, "customer_id")));
	json_decref(data);
	return rc;
}

static int late_fn(db_tx *tx, void *arg)
{
	struct late_ctx *c = arg;
	const principal *who = c->a->who;
	json_t *before = NULL;
	int rc = wo_load_tx(tx, who, c->id, &before);
	if (rc != ST_OK)
		return rc;
	int64_t version = json_integer_value(json_object_get(before, "version"));
	const char *status = json_string_value(json_object_get(before, "status"));
	int64_t assignee = json_integer_value(json_object_get(before, "assignee_id"));
	bool dispatcher = who->roles & (1u << ROLE_ADMIN | 1u << ROLE_MANAGER | 1u << ROLE_DISPATCHER | 1u << ROLE_ADVISOR);
	bool handover = json_is_true(json_object_get(c->body, "handover"));
	const char *reason = json_string_value(json_object_get(c->body, "reason"));
	int64_t eta = 0, now = now_ms();
	ms_from_iso(json_string_value(json_object_get(c->body, "eta")), &eta);
	if (c->if_match && c->if_match != version) {
		c->info->current_version = version;
		c->info->current = before;
		return ST_STALE;
	}
	if (strcmp(status, "dispatched") && strcmp(status, "taken") && strcmp(status, "on_the_way")) {
		char d[120];
		snprintf(d, sizeof d, "only an order on its way to the customer can be late (it is %s)", status);
		rc = late_refuse(c->info, "status", d, ST_CONFLICT);
	} else if (assignee != who->user_id && !dispatcher) {
		rc = late_refuse(c->info, "assignee_id", "only the assigned technician (or a dispatcher) may say so",
				 ST_FORBIDDEN);
	} else if (!handover && (eta <= now || eta > now + 7 * 86400000LL)) {
		rc = late_refuse(c->info, "eta", "eta must be a time in the next 7 days", ST_INVALID);
	}
	if (rc != ST_OK) {
		json_decref(before);
		return rc;
	}
	json_t *data = json_pack("{s:s, s:b}", "reason", reason, "handover", handover);
	if (handover) {
		/* back to dispatch, remembered as "late" so that it is not offered to them again */
		char why[600];
		snprintf(why, sizeof why, "迟到交回 / late, handed back: %s", reason);
		json_t *body = json_pack("{s:s, s:b}", "reason", why, "late", 1), *out = NULL;
		rc = wo_transition_tx(tx, c->a, c->id, version, "decline", body, &out, c->info);
		json_decref(body);
		json_decref(out);
	} else {
		json_set_time(data, "eta", eta);
		/* the customer's appointment moves with the arrival, keeping its length */
		int64_t s = 0, e = 0;
		ms_from_iso(json_string_value(json_object_get(before, "appointment_start_at")), &s);
		ms_from_iso(json_string_value(json_object_get(before, "appointment_end_at")), &e);
		bool move = s && eta > s;
		if (move) {
			json_set_time(data, "appointment_was", s);
			json_set_time(data, "appointment_start", eta);
		}
		dbv p[] = {VI(eta), VI(move ? eta : s), move && e > s ? VI(eta + (e - s)) : e ? VI(e) : VN, VI(now),
			   VI(c->id), VI(version)};
		if (db_exec(tx,
			    "UPDATE work_orders SET late_eta_at = ?, appointment_start = nullif(CAST(? AS BIGINT), 0), "
			    "appointment_end = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
			    p, 6) != DB_OK)
			rc = ST_DB;
		else if (db_changes(tx) == 0)
			rc = ST_STALE;
	}
	if (rc == ST_OK)
		rc = wo_load_tx(tx, who, c->id, &c->out);
	if (rc == ST_NOT_FOUND && handover) { /* out of the technician's sight now */
		c->out = json_pack("{s:I, s:s}", "id", (json_int_t)c->id, "status", "accepted");
		rc = ST_OK;
	}
	if (rc == ST_OK)
		rc = wo_event_add(tx, c->a, c->id, "late", data, !handover);
	if (rc == ST_OK && !handover)
		rc = late_notify(tx, c->a, c->out, eta);
	if (rc == ST_OK && !handover)
		rc = audit_add(tx, c->a, "late", "work_order", c->id, before, c->out);
	if (rc == ST_OK)
		rc = idem_save(tx, c->a, 200, c->out, NULL);
	json_decref(data);
	json_decref(before);
	return rc;
}

int store_wo_late(db *d, const actor *a, int64_t id, int64_t if_match, json_t *body, json_t **out, st_info *info)
{
	struct late_ctx c = {.a = a, .id = id, .if_match = if_match, .body = body, .info = info};
	int rc = db_write(d, late_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}
