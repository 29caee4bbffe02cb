/*
 * wo_flow.c — state events on a work order (DOMAIN §3): gather the facts the state machine's
 * guards look at (src/domain/wo_fsm.c), ask it, and apply the answer in one transaction —
 * the new status, the bookkeeping of holds, rework and SLA times, the timeline row, the audit
 * row, the per-state counts, and the customer's notification in the outbox.
 */
#include "store/store.h"
#include "domain/perm.h"
#include "domain/wo_fsm.h"

#include <stdlib.h>
#include <string.h>

int wo_lock_tx(db_tx *tx, const principal *who, int64_t id, int64_t if_match, st_info *info, char *status,
	       size_t status_len)
{
	json_t *o = NULL;
	int rc = wo_load_tx(tx, who, id, &o);
	if (rc != ST_OK)
		return rc;
	int64_t version = json_integer_value(json_object_get(o, "version"));
	if (if_match && if_match != version) {
		if (info) {
			info->current_version = version;
			info->current = o;
		} else {
			json_decref(o);
		}
		return ST_STALE;
	}
	if (status)
		snprintf(status, status_len, "%s", json_string_value(json_object_get(o, "status")));
	json_decref(o);
	return ST_OK;
}

int wo_touch_tx(db_tx *tx, int64_t id)
{
	dbv p[] = {VI(now_ms()), VI(id)};
	return db_exec(tx, "UPDATE work_orders SET version = version + 1, updated_at = ? WHERE id = ?", p, 2) == DB_OK
		       ? ST_OK
		       : ST_DB;
}

static int count_q(db_tx *tx, const char *sql, int64_t tenant, int64_t order, int64_t *out)
{
	dbv p[] = {VI(tenant), VI(order)};
	return db_query_int(tx, sql, p, 2, out);
}

/* Customer-payable total of the lines the approval is about: the actual lines once there are
 * any, else the estimate. */
static int payable_total(db_tx *tx, int64_t tenant, int64_t order, int64_t *total)
{
	int64_t actual = 0;
	int rc = count_q(tx, "SELECT count(*) FROM wo_lines WHERE tenant_id = ? AND order_id = ? AND stage = 'actual'",
			 tenant, order, &actual);
	if (rc != ST_OK)
		return rc;
	dbv p[] = {VI(tenant), VI(order), VT(actual ? "actual" : "estimate")};
	return db_query_int(tx,
			    "SELECT coalesce(sum(amount_fen), 0) FROM wo_lines WHERE tenant_id = ? AND order_id = ? AND "
			    "stage = ? AND pay_type = 'self_pay'",
			    p, 3, total);
}

/* A technician the order may go to: an active user of the tenant with the technician role. */
static int assignee_ok(db_tx *tx, const principal *who, int64_t user_id)
{
	dbv p[] = {VI(user_id), VI(who->tenant_id)};
	db_res *r;
	if (db_query(tx, "SELECT roles, status FROM users WHERE id = ? AND tenant_id = ?", p, 2, &r) != DB_OK)
		return ST_DB;
	int rc = ST_NOT_FOUND;
	if (db_rows(r)) {
		uint32_t roles = 0;
		roles_parse_csv(db_text(r, 0, 0), &roles);
		const char *st = db_text(r, 0, 1);
		rc = (roles & (1u << ROLE_TECHNICIAN)) && st && !strcmp(st, "active") ? ST_OK : ST_NOT_FOUND;
	}
	db_res_free(r);
	return rc;
}

static bool checklist_unchecked(json_t *list)
{
	size_t i;
	json_t *it;
	json_array_foreach(list, i, it) if (!json_is_true(json_object_get(it, "checked"))) return true;
	return false;
}

struct facts_in {
	json_t *order, *body;
	int from, event;
	json_t *conflicts;  /* dispatch: the conflicts overridden with a reason */
	int64_t appt[2];    /* dispatch: the slot booked (ms), 0 if none given */
};

/* Dispatch onto a technician: in the caller's subtree (403), and free of conflicts for the
 * slot (skill, certificate, brand, area, shift, leave, double booking) unless the dispatcher
 * overrides them with a reason (409 dispatch_conflict naming them otherwise). */
static int dispatch_check(db_tx *tx, const principal *who, int64_t id, int64_t tech, struct facts_in *in,
			  st_info *info)
{
	const char *ov = json_string_value(json_object_get(in->body, "override_reason"));
	ms_from_iso(json_string_value(json_object_get(in->body, "appointment_start")), &in->appt[0]);
	ms_from_iso(json_string_value(json_object_get(in->body, "appointment_end")), &in->appt[1]);
	json_t *conf = NULL;
	/* a timed visit: concurrent bookings and dispatches of the same day are checked one by one */
	int64_t when = in->appt[0];
	if (!when)
		ms_from_iso(json_string_value(json_object_get(in->order, "appointment_start_at")), &when);
	int rc = when ? appt_day_lock_tx(tx, who, when) : ST_OK;
	if (rc == ST_OK)
		rc = dispatch_conflicts_tx(tx, who, id, tech, in->appt[0], in->appt[1], &conf);
	if (rc == ST_FORBIDDEN) {
		snprintf(info->detail, sizeof info->detail, "the technician is not in your organisation");
		return rc;
	}
	if (rc != ST_OK || !conf)
		return rc;
	if (ov && *ov) {
		in->conflicts = conf;
		return ST_OK;
	}
	buf b;
	buf_init(&b, 0);
	size_t i;
	json_t *v;
	json_array_foreach(conf, i, v) buf_printf(&b, "%s%s", i ? ", " : "", json_string_value(v));
	snprintf(info->detail, sizeof info->detail,
		 "the technician cannot take this order (%s); give override_reason to dispatch anyway", b.data);
	buf_free(&b);
	info->current = json_pack("{s:s, s:o}", "code", "dispatch_conflict", "conflicts", conf);
	return ST_CONFLICT;
}

static int gather(db_tx *tx, const principal *who, struct facts_in *in, wo_facts *f, st_info *info)
{
	int64_t id = json_integer_value(json_object_get(in->order, "id"));
	int64_t tenant = who->tenant_id;
	memset(f, 0, sizeof *f);
	f->roles = who->roles;
	f->is_assignee = who->user_id && json_integer_value(json_object_get(in->order, "assignee_id")) == who->user_id;
	f->now_ms = now_ms();
	const char *reason = json_string_value(json_object_get(in->body, "reason"));
	f->has_reason = reason && *reason;
	const char *kind = json_string_value(json_object_get(in->body, "kind"));
	f->hold_kind = kind && !strcmp(kind, "parts") ? 1 : kind && !strcmp(kind, "customer") ? 2 : 0;
	int rc = ST_OK;
	switch (in->event) {
	case WE_DISPATCH: {
		json_t *aid = json_object_get(in->body, "assignee_id");
		if (json_is_integer(aid)) {
			rc = assignee_ok(tx, who, json_integer_value(aid));
			if (rc == ST_NOT_FOUND) {
				snprintf(info->field, sizeof info->field, "assignee_id");
				snprintf(info->detail, sizeof info->detail, "no active technician with this id");
				return ST_INVALID;
			}
			f->has_assignee = rc == ST_OK;
			if (rc == ST_OK)
				rc = dispatch_check(tx, who, id, json_integer_value(aid), in, info);
		}
		break;
	}
	case WE_COMPLETE: {
		int64_t pending = 0, total = 0;
		rc = count_q(tx,
			     "SELECT count(*) FROM wo_lines WHERE tenant_id = ? AND order_id = ? AND stage = 'actual' AND "
			     "additional = 1 AND consent_at IS NULL",
			     tenant, id, &pending);
		f->consents_pending = (int)pending;
		json_t *limit = json_object_get(in->order, "approval_limit_fen");
		if (rc == ST_OK && json_is_integer(limit) && (rc = payable_total(tx, tenant, id, &total)) == ST_OK) {
			json_t *approved = json_object_get(in->order, "approved_total_fen");
			f->approval_needed = total > json_integer_value(limit) &&
					     (!json_is_integer(approved) || total > json_integer_value(approved));
		}
		break;
	}
	case WE_QC_PASS: {
		int64_t undone = 0;
		rc = count_q(tx,
			     "SELECT count(*) FROM wo_lines WHERE tenant_id = ? AND order_id = ? AND stage = 'actual' AND done = 0",
			     tenant, id, &undone);
		f->lines_not_done = undone > 0 || checklist_unchecked(json_object_get(in->body, "checklist"));
		break;
	}
	case WE_SETTLE: {
		f->qc_required = settings_int_tx(tx, tenant, "qc_required", 1) != 0;
		dbv p[] = {VI(tenant), VI(id)};
		db_res *r;
		if (db_query(tx,
			     "SELECT total_fen - paid_fen + refunded_fen AS balance_fen, order_id, lines_json FROM bills "
			     "WHERE tenant_id = ? AND order_id = ? AND kind = 'bill' AND state <> 'void' ORDER BY id DESC LIMIT 1",
			     p, 2, &r) != DB_OK)
			return ST_DB;
		f->has_bill = db_rows(r) > 0;
		f->balance_fen = f->has_bill ? db_int(r, 0, 0) : 0;
		json_t *bill = f->has_bill ? row_json(r, 0) : NULL;
		db_res_free(r);
		if (bill)
			rc = bill_lines_changed_tx(tx, tenant, bill, &f->bill_outdated);
		json_decref(bill);
		break;
	}
	case WE_REOPEN: {
		f->reopen_period_ms = settings_int_tx(tx, tenant, "reopen_days", 30) * 86400000LL;
		int64_t closed = 0;
		json_t *c = json_object_get(in->order, "closed_at");
		if (json_is_string(c))
			ms_from_iso(json_string_value(c), &closed);
		f->closed_at_ms = closed;
		break;
	}
	default:
		break;
	}
	return rc;
}

static json_t *allowed_json(int from, uint32_t roles)
{
	json_t *a = json_array();
	uint32_t bits = wo_allowed(from, roles);
	for (int e = 0; e < WE_COUNT; e++)
		if (bits & (1u << e))
			json_array_append_new(a, json_string(wo_event_name(e)));
	return a;
}

/* Turn a guard's refusal into the store's answer. */
static int refuse(int g, int from, const principal *who, st_info *info)
{
	snprintf(info->detail, sizeof info->detail, "%s", wo_guard_detail(g));
	switch (g) {
	case WG_ROLE:
	case WG_NOT_ASSIGNEE:
		return ST_FORBIDDEN;
	case WG_NEED_ASSIGNEE:
		snprintf(info->field, sizeof info->field, "assignee_id");
		return ST_INVALID;
	case WG_NEED_REASON:
		snprintf(info->field, sizeof info->field, "reason");
		return ST_INVALID;
	case WG_NEED_HOLD_KIND:
		snprintf(info->field, sizeof info->field, "kind");
		return ST_INVALID;
	default:
		break;
	}
	if (g == WG_NO_ROW)
		snprintf(info->detail, sizeof info->detail, "not possible while the order is %s", wo_state_name(from));
	info->current = json_pack("{s:s, s:s, s:s, s:o}", "code", "invalid_transition", "state", wo_state_name(from),
				  "guard",
				  g == WG_NO_ROW ? "state"
				  : g == WG_CONSENT_PENDING ? "consent_pending"
				  : g == WG_APPROVAL_NEEDED ? "approval_needed"
				  : g == WG_LINES_NOT_DONE ? "lines_not_done"
				  : g == WG_QC_REQUIRED ? "qc_required"
				  : g == WG_NOT_PAID ? "not_paid"
				  : g == WG_BILL_OUTDATED ? "bill_outdated"
				  : g == WG_REOPEN_EXPIRED ? "reopen_expired"
							   : "guard",
				  "allowed", allowed_json(from, who->roles));
	return ST_CONFLICT;
}

/* Work stops when the order leaves service (completed, on hold, cancelled, handed back):
 * a timer left running would count hours nobody worked. The entries stopped are named on
 * the timeline event. */
static int worklog_stop_running(db_tx *tx, int64_t tenant, int64_t order, int64_t now, json_t *data)
{
	dbv p[] = {VI(now), VI(tenant), VI(order)};
	if (db_exec(tx, "UPDATE wo_worklog SET stopped_at = ? WHERE tenant_id = ? AND order_id = ? AND stopped_at IS NULL",
		    p, 3) != DB_OK)
		return ST_DB;
	int64_t n = db_changes(tx);
	if (n > 0)
		json_object_set_new(data, "worklog_stopped", json_integer(n));
	return ST_OK;
}

static int store_checklist(db_tx *tx, const actor *a, int64_t id, json_t *list, const char *result, const char *note)
{
	if (!json_is_array(list))
		return ST_OK;
	char *items = json_dumps(list, JSON_COMPACT);
	int64_t now = now_ms();
	dbv p[] = {VI(a->who->tenant_id), VI(id), VT(items), VT(result), VT(note), VI(a->who->user_id), VI(now), VI(now)};
	int rc = db_exec(tx,
			 "INSERT INTO wo_checklists(tenant_id, order_id, kind, items_json, result, note, by_id, created_at, "
			 "updated_at) VALUES (?, ?, 'qc', ?, ?, ?, ?, ?, ?)",
			 p, 8);
	free(items);
	return rc == DB_OK ? ST_OK : ST_DB;
}

static int rework_add(db_tx *tx, const actor *a, json_t *order, const char *cause, const char *reason)
{
	json_t *tech = json_object_get(order, "assignee_id");
	dbv p[] = {VI(a->who->tenant_id), VI(json_integer_value(json_object_get(order, "id"))),
		   json_is_integer(tech) ? VI(json_integer_value(tech)) : VN, VT(cause), VT(reason),
		   a->who->user_id ? VI(a->who->user_id) : VN, VI(now_ms())};
	return db_exec(tx,
		       "INSERT INTO wo_reworks(tenant_id, order_id, technician_id, cause, reason, actor_id, at) "
		       "VALUES (?, ?, ?, ?, ?, ?, ?)",
		       p, 7) == DB_OK
		       ? ST_OK
		       : ST_DB;
}

/* The customer hears of the events that matter to them (the outbox; sent by a later issue). */
static int notify(db_tx *tx, const actor *a, json_t *order, int event, int64_t eta)
{
	const char *tmpl = event == WE_DISPATCH ? "wo_dispatched"
			   : event == WE_DEPART ? "wo_on_the_way"
			   : event == WE_CLOSE	? "wo_closed"
			   : event == WE_CANCEL ? "wo_cancelled"
						: NULL;
	const char *phone = json_string_value(json_object_get(json_object_get(order, "customer"), "phone"));
	if (!tmpl || !phone)
		return ST_OK;
	json_t *data = json_pack("{s:O, s:O, s:O}", "number", json_object_get(order, "number"), "status",
				 json_object_get(order, "status"), "technician", json_object_get(order, "assignee_name"));
	if (event == WE_DEPART && eta) { /* "arrives about 14:30" in the tenant's zone */
		int64_t local = eta / 1000 + (int64_t)a->who->tz_offset_min * 60;
		char hm[8];
		snprintf(hm, sizeof hm, "%02d:%02d", (int)(local / 3600 % 24), (int)(local / 60 % 60));
		json_set_time(data, "eta", eta);
		json_object_set_new(data, "eta_local", json_string(hm));
	}
	int rc = outbox_add(tx, a->who->tenant_id, "sms", phone, tmpl, data, json_integer_value(json_object_get(order, "id")),
			    json_integer_value(json_object_get(order, "customer_id")));
	json_decref(data);
	return rc;
}

int wo_transition_tx(db_tx *tx, const actor *a, int64_t id, int64_t if_match, const char *event, json_t *body,
		     json_t **out, st_info *info)
{
	const principal *who = a->who;
	*out = NULL;
	int ev = wo_event_parse(event);
	if (ev < 0) {
		snprintf(info->field, sizeof info->field, "event");
		snprintf(info->detail, sizeof info->detail, "unknown event");
		return ST_INVALID;
	}
	json_t *before = NULL;
	int rc = wo_load_tx(tx, who, id, &before);
	if (rc != ST_OK)
		return rc;
	int64_t version = json_integer_value(json_object_get(before, "version"));
	if (if_match && if_match != version) {
		info->current_version = version;
		info->current = before;
		return ST_STALE;
	}
	struct facts_in in = {.order = before, .body = body, .event = ev,
			      .from = wo_state_parse(json_string_value(json_object_get(before, "status")))};
	wo_facts f;
	int to = -1;
	rc = gather(tx, who, &in, &f, info);
	if (rc == ST_OK) {
		int g = wo_next(in.from, ev, &f, &to);
		if (g != WG_OK)
			rc = refuse(g, in.from, who, info);
	}
	if (rc != ST_OK) {
		json_decref(before);
		json_decref(in.conflicts);
		return rc;
	}
	int64_t now = f.now_ms, parts = json_integer_value(json_object_get(before, "hold_parts_ms")),
		cust = json_integer_value(json_object_get(before, "hold_customer_ms")), since = 0;
	json_t *ss = json_object_get(before, "state_since");
	if (json_is_string(ss))
		ms_from_iso(json_string_value(ss), &since);
	else
		ms_from_iso(json_string_value(json_object_get(before, "created_at")), &since);
	wo_hold_account(in.from, since, now, &parts, &cust);
	const char *reason = json_string_value(json_object_get(body, "reason"));
	json_t *aid = json_object_get(body, "assignee_id");
	int64_t assignee = json_integer_value(json_object_get(before, "assignee_id"));
	if (ev == WE_DISPATCH)
		assignee = json_integer_value(aid);
	else if (ev == WE_DECLINE)
		assignee = 0;
	bool rework = ev == WE_QC_FAIL || ev == WE_REOPEN;
	/* a dispatch waits for the assignee's answer until the policy's timeout */
	int64_t due = 0, timeout_min = 0, declined_by = json_integer_value(json_object_get(before, "assignee_id"));
	if (ev == WE_DISPATCH && (rc = dispatch_accept_due_tx(tx, who->tenant_id, id, now, &due, &timeout_min)) != ST_OK) {
		json_decref(before);
		json_decref(in.conflicts);
		return rc;
	}
	dbv p[] = {VT(wo_state_name(to)),
		   VI(now),
		   VI(now),
		   VI(parts),
		   VI(cust),
		   assignee ? VI(assignee) : VN,
		   VI(rework ? 1 : 0),
		   VT(ev == WE_CANCEL ? reason : NULL),
		   VI(ev == WE_ACCEPT || ev == WE_DISPATCH ? now : 0),
		   VI(ev == WE_DISPATCH || ev == WE_TAKE ? now : 0),
		   VI(ev == WE_ARRIVE ? now : 0),
		   VI(ev == WE_COMPLETE ? now : 0),
		   VI(ev == WE_CLOSE ? now : 0),
		   due ? VI(due) : VN,
		   VI(ev == WE_DISPATCH || ev == WE_DECLINE || ev == WE_ARRIVE ? 1 : 0),
		   VI(ev == WE_DISPATCH ? 1 : 0), /* an outlet dispatching has accepted the hand-over */
		   VI(id),
		   VI(version)};
	/* times met are kept once set (the first response stays the first); reopen clears the
	 * completion and closing so the order runs again */
	int e = db_exec(tx,
			"UPDATE work_orders SET status = ?, state_since = ?, updated_at = ?, version = version + 1, "
			"hold_parts_ms = ?, hold_customer_ms = ?, assignee_id = ?, rework_count = rework_count + ?, "
			"cancel_reason = coalesce(?, cancel_reason), "
			"responded_at = coalesce(responded_at, nullif(CAST(? AS BIGINT), 0)), answered_at = coalesce(answered_at, nullif(CAST(? AS BIGINT), 0)), "
			"onsite_at = coalesce(onsite_at, nullif(CAST(? AS BIGINT), 0)), "
			"completed_at = coalesce(nullif(CAST(? AS BIGINT), 0), completed_at), resolved_at = coalesce(resolved_at, completed_at), "
			"closed_at = coalesce(nullif(CAST(? AS BIGINT), 0), closed_at), accept_due_at = ?, auto_next_at = NULL, "
			"late_eta_at = CASE WHEN ? = 1 THEN NULL ELSE late_eta_at END, "
			"route_due_at = CASE WHEN ? = 1 THEN NULL ELSE route_due_at END WHERE id = ? AND version = ?",
			p, 18);
	if (e != DB_OK) {
		json_decref(before);
		json_decref(in.conflicts);
		return ST_DB;
	}
	if (db_changes(tx) == 0) {
		json_decref(before);
		json_decref(in.conflicts);
		return ST_STALE;
	}
	if (ev == WE_REOPEN || ev == WE_QC_FAIL) {
		dbv pr[] = {VI(id)};
		if (db_exec(tx,
			    ev == WE_REOPEN ? "UPDATE work_orders SET completed_at = NULL, resolved_at = NULL, closed_at = NULL WHERE id = ?"
					    : "UPDATE work_orders SET completed_at = NULL, resolved_at = NULL WHERE id = ?",
			    pr, 1) != DB_OK) {
			json_decref(before);
			json_decref(in.conflicts);
			return ST_DB;
		}
	}
	json_t *data = json_pack("{s:s, s:s}", "from", wo_state_name(in.from), "to", wo_state_name(to));
	if (reason && *reason)
		json_object_set_new(data, "reason", json_string(reason));
	if (ev == WE_DISPATCH) {
		json_object_set(data, "assignee_id", aid);
		if (in.conflicts) {
			json_object_set_new(data, "conflicts", in.conflicts);
			json_object_set(data, "override_reason", json_object_get(body, "override_reason"));
			in.conflicts = NULL;
		}
		if (in.appt[0]) {
			json_set_time(data, "appointment_start", in.appt[0]);
			dbv pa[] = {VI(in.appt[0]), in.appt[1] > in.appt[0] ? VI(in.appt[1]) : VN, VI(id)};
			if (db_exec(tx, "UPDATE work_orders SET appointment_start = ?, appointment_end = ? WHERE id = ?", pa, 3) !=
			    DB_OK)
				rc = ST_DB;
		}
	}
	if (ev == WE_DISPATCH && due) {
		json_set_time(data, "accept_due_at", due);
		json_object_set_new(data, "accept_timeout_min", json_integer(timeout_min));
	}
	if (json_is_true(json_object_get(body, "auto")))
		json_object_set_new(data, "auto", json_true());
	if (ev == WE_DECLINE && declined_by) {
		json_object_set_new(data, "declined_by", json_integer(declined_by));
		/* a person declining (the scheduler records its own timeouts) */
		const char *outcome = json_is_true(json_object_get(body, "late")) ? "late" : "declined";
		if (who->user_id && rc == ST_OK)
			rc = dispatch_attempt_add_tx(tx, who->tenant_id, id, declined_by, 0, outcome, reason);
	}
	int64_t eta = 0;
	if (ev == WE_DEPART && ms_from_iso(json_string_value(json_object_get(body, "eta")), &eta))
		json_set_time(data, "eta", eta);
	const char *sig = json_string_value(json_object_get(body, "signature"));
	if (ev == WE_COMPLETE && sig && rc == ST_OK) {
		/* the customer signs for the work on the technician's phone */
		const char *by = json_string_value(json_object_get(body, "signed_by"));
		int64_t att = 0;
		rc = sig_store_tx(tx, a, id, sig, by, &att, info);
		json_object_set_new(data, "signature_id", json_integer(att));
		if (by)
			json_object_set_new(data, "signed_by", json_string(by));
	}
	if (ev == WE_HOLD)
		json_object_set(data, "kind", json_object_get(body, "kind"));
	if (in.from == WS_WAITING_PARTS || in.from == WS_WAITING_CUSTOMER)
		json_object_set_new(data, "held_ms", json_integer(now > since ? now - since : 0));
	if (rc == ST_OK && in.from != to && to != WS_IN_SERVICE)
		rc = worklog_stop_running(tx, who->tenant_id, id, now, data);
	if (rc == ST_OK && (ev == WE_QC_PASS || ev == WE_QC_FAIL))
		rc = store_checklist(tx, a, id, json_object_get(body, "checklist"), ev == WE_QC_PASS ? "pass" : "fail", reason);
	if (rc == ST_OK && rework)
		rc = rework_add(tx, a, before, ev == WE_QC_FAIL ? "qc_fail" : "reopen", reason);
	if (rc == ST_OK)
		rc = wo_load_tx(tx, who, id, out);
	if (rc == ST_NOT_FOUND && ev == WE_DECLINE) {
		/* a technician of an outlet handing back an order held above it no longer sees it:
		 * the answer is the order as it now stands, read for the tenant */
		principal tenant_wide = *who;
		tenant_wide.org_id = tenant_wide.root_org_id;
		tenant_wide.customer_id = 0;
		rc = wo_load_tx(tx, &tenant_wide, id, out);
		if (rc == ST_OK)
			json_object_set_new(*out, "allowed_events", json_array());
	}
	if (rc == ST_OK)
		json_object_set_new(data, "assignee_name", json_deep_copy(json_object_get(*out, "assignee_name")));
	/* internal matters (a QC failure, a technician declining) stay off the customer's view */
	if (rc == ST_OK)
		rc = wo_event_add(tx, a, id, event, data, ev != WE_QC_FAIL && ev != WE_DECLINE);
	json_decref(data);
	if (rc == ST_OK)
		rc = audit_add(tx, a, event, "work_order", id, before, *out);
	if (rc == ST_OK)
		rc = wo_counts_move(tx, who->tenant_id, json_integer_value(json_object_get(before, "org_id")),
				    wo_state_name(in.from), wo_state_name(to));
	if (rc == ST_OK)
		rc = notify(tx, a, *out, ev, eta);
	json_decref(before);
	if (rc != ST_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

struct tr_ctx {
	const actor *a;
	int64_t id, if_match;
	const char *event;
	json_t *body, *out;
	st_info *info;
};

static int transition_fn(db_tx *tx, void *arg)
{
	struct tr_ctx *c = arg;
	int rc = wo_transition_tx(tx, c->a, c->id, c->if_match, c->event, c->body, &c->out, c->info);
	return rc == ST_OK ? idem_save(tx, c->a, 200, c->out, NULL) : rc;
}

int store_wo_transition(db *d, const actor *a, int64_t id, int64_t if_match, const char *event, json_t *body,
			json_t **out, st_info *info)
{
	struct tr_ctx c = {.a = a, .id = id, .if_match = if_match, .event = event, .body = body, .info = info};
	int rc = db_write(d, transition_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}
