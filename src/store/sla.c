/*
 * sla.c — SLA deadlines of work orders (DOMAIN §5, issue 4 item 3): the tenant's working
 * calendar loaded for domain/sla.c, the policy that applies to an order, its four deadlines
 * stamped at create (sla_stamp_order, called by the order create), and the breach sweep the
 * scheduler runs: a deadline that passes unmet is recorded once on the order (sla_breached)
 * and on its timeline ("sla_breach"). Escalation is a later issue.
 *
 * The policy: the most specific sla_policies row of the order's priority — priority + contract
 * + region, then priority + contract, then priority + region, then priority alone — else the
 * built-in default of the priority (domain/sla.c, documented in docs/api.md).
 */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return x < y ? -1 : x > y;
}

int sla_cal_load_tx(db_tx *tx, int64_t tenant_id, int64_t from_ms, sla_cal_data *out)
{
	memset(out, 0, sizeof *out);
	sla_calendar_default(&out->cal);
	dbv p[] = {VI(tenant_id)};
	db_res *r;
	if (db_query(tx,
		     "SELECT t.tz_offset_min, c.weekdays, c.start_min, c.end_min FROM tenants t "
		     "LEFT JOIN work_calendars c ON c.tenant_id = t.id WHERE t.id = ?",
		     p, 1, &r) != DB_OK)
		return ST_DB;
	if (db_rows(r)) {
		out->cal.tz_offset_min = (int)db_int(r, 0, 0);
		if (!db_isnull(r, 0, 1)) {
			out->cal.weekdays = (unsigned)db_int(r, 0, 1) & 0x7fu;
			out->cal.start_min = (int)db_int(r, 0, 2);
			out->cal.end_min = (int)db_int(r, 0, 3);
		}
	}
	db_res_free(r);
	/* The day before the start's local day is enough history (and keeps the list short). */
	char from[11];
	sla_day_format(sla_local_day(&out->cal, from_ms) - 1, from);
	dbv pd[] = {VI(tenant_id), VT(from)};
	if (db_query(tx, "SELECT day, kind FROM calendar_days WHERE tenant_id = ? AND day >= ? ORDER BY day LIMIT 5000",
		     pd, 2, &r) != DB_OK)
		return ST_DB;
	int n = db_rows(r);
	out->holidays = xcalloc((size_t)n + 1, sizeof(int32_t));
	out->workdays = xcalloc((size_t)n + 1, sizeof(int32_t));
	for (int i = 0; i < n; i++) {
		int32_t day;
		if (!sla_day_parse(db_text(r, i, 0), &day))
			continue;
		if (!strcmp(db_text(r, i, 1), "holiday"))
			out->holidays[out->cal.n_holidays++] = day;
		else if (!strcmp(db_text(r, i, 1), "workday"))
			out->workdays[out->cal.n_workdays++] = day;
	}
	db_res_free(r);
	qsort(out->holidays, out->cal.n_holidays, sizeof(int32_t), cmp_i32);
	qsort(out->workdays, out->cal.n_workdays, sizeof(int32_t), cmp_i32);
	out->cal.holidays = out->holidays;
	out->cal.workdays = out->workdays;
	return ST_OK;
}

void sla_cal_free(sla_cal_data *c)
{
	free(c->holidays);
	free(c->workdays);
	c->holidays = c->workdays = NULL;
}

/* The policy of an order: *pol from the most specific row, else the built-in default; *row
 * gets the row as JSON (with "source") for previews, when asked for. */
static int policy_pick_tx(db_tx *tx, int64_t tenant_id, const char *priority, const char *contract,
			  const char *region, sla_policy *pol, json_t **row)
{
	if (contract && !*contract)
		contract = NULL;
	if (region && !*region)
		region = NULL;
	dbv p[] = {VI(tenant_id), VT(priority), VT(contract), VT(region)};
	db_res *r;
	if (db_query(tx,
		     "SELECT id, priority, contract, region, response_min, answer_min, onsite_min, resolve_min, calendar "
		     "FROM sla_policies WHERE tenant_id = ? AND priority = ? AND (contract IS NULL OR contract = ?) AND "
		     "(region IS NULL OR region = ?) ORDER BY (CASE WHEN contract IS NULL THEN 0 ELSE 2 END) + "
		     "(CASE WHEN region IS NULL THEN 0 ELSE 1 END) DESC, id LIMIT 1",
		     p, 4, &r) != DB_OK)
		return ST_DB;
	if (db_rows(r)) {
		for (int k = 0; k < SLA_KINDS; k++)
			pol->minutes[k] = db_int(r, 0, 4 + k);
		pol->working = strcmp(db_text(r, 0, 8), "24x7") != 0;
		if (row) {
			*row = row_json(r, 0);
			json_object_set_new(*row, "source", json_string("policy"));
		}
	} else {
		if (!sla_default_policy(priority, pol))
			sla_default_policy("P3", pol);
		if (row) {
			*row = json_pack("{s:n, s:s, s:n, s:n, s:I, s:I, s:I, s:I, s:s, s:s}", "id", "priority",
					 priority ? priority : "P3", "contract", "region", "response_min",
					 (json_int_t)pol->minutes[SLA_RESPONSE], "answer_min", (json_int_t)pol->minutes[SLA_ANSWER],
					 "onsite_min", (json_int_t)pol->minutes[SLA_ONSITE], "resolve_min",
					 (json_int_t)pol->minutes[SLA_RESOLVE], "calendar", pol->working ? "working" : "24x7",
					 "source", "default");
		}
	}
	db_res_free(r);
	return ST_OK;
}

/* The four deadlines on the tenant's calendar; a calendar without working time falls back to
 * the 24x7 clock rather than leaving an order without deadlines. */
static int deadlines_tx(db_tx *tx, int64_t tenant_id, const sla_policy *pol, int64_t created, int64_t due[SLA_KINDS])
{
	sla_cal_data cd;
	int rc = sla_cal_load_tx(tx, tenant_id, created, &cd);
	if (rc == ST_OK && !sla_deadlines(&cd.cal, pol, created, due)) {
		sla_policy flat = *pol;
		flat.working = false;
		sla_deadlines(&cd.cal, &flat, created, due);
	}
	sla_cal_free(&cd);
	return rc;
}

int sla_stamp_order(db_tx *tx, const principal *who, int64_t order_id)
{
	dbv p[] = {VI(order_id), VI(who->tenant_id)};
	db_res *r;
	if (db_query(tx, "SELECT created_at, priority, contract, region FROM work_orders WHERE id = ? AND tenant_id = ?",
		     p, 2, &r) != DB_OK)
		return ST_DB;
	if (!db_rows(r)) {
		db_res_free(r);
		return ST_NOT_FOUND;
	}
	int64_t created = db_int(r, 0, 0);
	sla_policy pol;
	int64_t due[SLA_KINDS];
	int rc = policy_pick_tx(tx, who->tenant_id, db_text(r, 0, 1), db_text(r, 0, 2), db_text(r, 0, 3), &pol, NULL);
	db_res_free(r);
	if (rc == ST_OK)
		rc = deadlines_tx(tx, who->tenant_id, &pol, created, due);
	if (rc != ST_OK)
		return rc;
	dbv pu[] = {VI(due[SLA_RESPONSE]), VI(due[SLA_ANSWER]), VI(due[SLA_ONSITE]), VI(due[SLA_RESOLVE]), VI(order_id),
		    VI(who->tenant_id)};
	return db_exec(tx,
		       "UPDATE work_orders SET sla_response_due = ?, sla_answer_due = ?, sla_onsite_due = ?, "
		       "sla_resolve_due = ? WHERE id = ? AND tenant_id = ?",
		       pu, 6) == DB_OK
		       ? ST_OK
		       : ST_DB;
}

struct preview_ctx {
	const principal *who;
	const char *priority, *contract, *region;
	int64_t created;
	json_t *out;
};

static int preview_fn(db_tx *tx, void *arg)
{
	struct preview_ctx *c = arg;
	sla_policy pol;
	json_t *row = NULL;
	int64_t due[SLA_KINDS];
	int rc = policy_pick_tx(tx, c->who->tenant_id, c->priority, c->contract, c->region, &pol, &row);
	if (rc == ST_OK)
		rc = deadlines_tx(tx, c->who->tenant_id, &pol, c->created, due);
	if (rc != ST_OK) {
		json_decref(row);
		return rc;
	}
	c->out = json_object();
	json_object_set_new(c->out, "policy", row);
	json_set_time(c->out, "created_at", c->created);
	for (int k = 0; k < SLA_KINDS; k++) {
		char key[32];
		snprintf(key, sizeof key, "%s_due", sla_kind_name(k));
		json_set_time(c->out, key, due[k]);
	}
	return ST_OK;
}

int store_sla_preview(db *d, const principal *who, const char *priority, const char *contract, const char *region,
		      int64_t created_ms, json_t **out)
{
	struct preview_ctx c = {.who = who, .priority = priority, .contract = contract, .region = region,
				.created = created_ms};
	int rc = db_read(d, preview_fn, &c);
	*out = c.out;
	return rc;
}

/* --- the breach sweep ------------------------------------------------------------------ */

/* Per kind: the deadline column and the column that says it was met. The WHERE terms repeat
 * the predicates of the partial indexes of migration 0006 so both engines use them. */
static const struct {
	const char *kind, *sql;
} breach_q[SLA_KINDS] = {
	{"response", "SELECT id, tenant_id, sla_response_due FROM work_orders WHERE sla_response_due <= ? AND "
		     "responded_at IS NULL AND status <> 'cancelled' AND status NOT IN ('completed', 'qc_passed', "
		     "'settled', 'closed', 'followed_up') AND (sla_breached IS NULL OR ',' || sla_breached || ',' NOT "
		     "LIKE '%,response,%') ORDER BY sla_response_due LIMIT 500"},
	{"answer", "SELECT id, tenant_id, sla_answer_due FROM work_orders WHERE sla_answer_due <= ? AND "
		   "answered_at IS NULL AND status <> 'cancelled' AND status NOT IN ('completed', 'qc_passed', "
		   "'settled', 'closed', 'followed_up') AND (sla_breached IS NULL OR ',' || sla_breached || ',' NOT "
		   "LIKE '%,answer,%') ORDER BY sla_answer_due LIMIT 500"},
	{"onsite", "SELECT id, tenant_id, sla_onsite_due FROM work_orders WHERE sla_onsite_due <= ? AND "
		   "onsite_at IS NULL AND status <> 'cancelled' AND status NOT IN ('completed', 'qc_passed', "
		   "'settled', 'closed', 'followed_up') AND (sla_breached IS NULL OR ',' || sla_breached || ',' NOT "
		   "LIKE '%,onsite,%') ORDER BY sla_onsite_due LIMIT 500"},
	{"resolve", "SELECT id, tenant_id, sla_resolve_due FROM work_orders WHERE sla_resolve_due <= ? AND "
		    "resolved_at IS NULL AND status <> 'cancelled' AND status NOT IN ('completed', 'qc_passed', "
		    "'settled', 'closed', 'followed_up') AND (sla_breached IS NULL OR ',' || sla_breached || ',' NOT "
		    "LIKE '%,resolve,%') ORDER BY sla_resolve_due LIMIT 500"},
};

struct sweep_ctx {
	int64_t now, recorded;
};

/* Mark one breach; a concurrent sweep (a lease handed over mid-run) finds it marked already and
 * writes nothing. The order's version is left alone: a clock running out is not an edit, and
 * nobody's If-Match should fail because of it. */
static int breach_one(db_tx *tx, int64_t tenant_id, int64_t id, const char *kind, int64_t due, int64_t *done)
{
	char pat[24];
	snprintf(pat, sizeof pat, "%%,%s,%%", kind);
	dbv p[] = {VT(kind), VT(kind), VI(id), VI(tenant_id), VT(pat)};
	if (db_exec(tx,
		    "UPDATE work_orders SET sla_breached = CASE WHEN sla_breached IS NULL OR sla_breached = '' THEN ? "
		    "ELSE sla_breached || ',' || ? END WHERE id = ? AND tenant_id = ? AND "
		    "(sla_breached IS NULL OR ',' || sla_breached || ',' NOT LIKE ?)",
		    p, 5) != DB_OK)
		return ST_DB;
	if (db_changes(tx) == 0)
		return ST_OK;
	principal sys = {.tenant_id = tenant_id};
	snprintf(sys.login, sizeof sys.login, "scheduler");
	actor a = {.who = &sys, .req_id = "scheduler"};
	char iso[32];
	iso_from_ms(due, iso);
	json_t *data = json_pack("{s:s, s:s}", "kind", kind, "due", iso);
	int rc = wo_event_add(tx, &a, id, "sla_breach", data, false);
	if (rc == ST_OK)
		rc = audit_add(tx, &a, "sla_breach", "work_order", id, NULL, data);
	json_decref(data);
	if (rc == ST_OK)
		(*done)++;
	return rc;
}

static int sweep_fn(db_tx *tx, void *arg)
{
	struct sweep_ctx *c = arg;
	c->recorded = 0;
	for (int k = 0; k < SLA_KINDS; k++) {
		dbv p[] = {VI(c->now)};
		db_res *r;
		if (db_query(tx, breach_q[k].sql, p, 1, &r) != DB_OK)
			return ST_DB;
		int rc = ST_OK;
		for (int i = 0; rc == ST_OK && i < db_rows(r); i++)
			rc = breach_one(tx, db_int(r, i, 1), db_int(r, i, 0), breach_q[k].kind, db_int(r, i, 2), &c->recorded);
		db_res_free(r);
		if (rc != ST_OK)
			return rc;
	}
	return ST_OK;
}

int store_sla_sweep(db *d, int64_t now, int64_t *recorded)
{
	struct sweep_ctx c = {.now = now};
	int rc = db_write(d, sweep_fn, &c);
	*recorded = rc == ST_OK ? c.recorded : 0;
	return rc;
}
