/*
 * dispatch_plan.c — the day's plan of a team over the store (issue 5 item 8, issue 6 item 4):
 * the technicians of an organisation's subtree (dispatch.c's pool: shifts, leave, skills,
 * position) and the day's orders dispatched or taken to them — with their appointment, and
 * any day's orders without one, as GET /dispatch/routes always took them — plus, on request,
 * the team's orders without a technician that have an appointment that day, planned by
 * domain/dispatch_plan.h; and the plan written back when the dispatcher applies it, in one
 * transaction: each order that changes technician re-dispatched through the state machine
 * (wo_transition_tx "dispatch", If-Match the version the plan was made with), each order
 * without an appointment given its planned visit as one; a customer's appointment never moves.
 *
 * The data is read in a read transaction and solved after it (up to PLAN_TIME_S), so no
 * transaction stays open while the optimiser runs. Times: ms in the database, s in the engine.
 */
#include "domain/dispatch_plan.h"
#include "domain/warranty.h"
#include "store/store.h"
#include "util/util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLAN_MAX_JOBS 500
#define PLAN_TIME_S 2.0
#define PLAN_ITERATIONS 3000
#define PLAN_VISIT_S 3600      /* an order without labour hours on its estimate */
#define PLAN_VISIT_MIN_S 1800
#define PLAN_VISIT_MAX_S 28800
#define PLAN_REASON "按路线规划调整 (route plan)"

/* Everything a plan is made of; strings point into the query results. */
struct plan_data {
	principal scoped; /* the caller narrowed to the organisation planned */
	tech_pool *tp;
	const dsp_tech *techs;
	size_t nt;
	bool *known;
	db_res *orders; /* the day's orders */
	dpl_job *jobs;
	int *rows; /* each job's row in orders */
	int nj;
	int64_t day_start;
	dpl_in in;
};

enum {
	COL_ID, COL_NUMBER, COL_VERSION, COL_STATUS, COL_ASSIGNEE, COL_LAT, COL_LON, COL_REGION, COL_APPT_START,
	COL_APPT_END, COL_PRIORITY, COL_CATEGORY, COL_BRAND, COL_CLASS, COL_TAGS, COL_CUSTOMER, COL_ADDRESS, COL_HOURS
};

static void plan_data_free(struct plan_data *p)
{
	tech_pool_free(p->tp);
	free(p->known);
	db_res_free(p->orders);
	free(p->jobs);
	free(p->rows);
	memset(p, 0, sizeof *p);
}

static int tech_of(const struct plan_data *p, int64_t user_id)
{
	for (size_t i = 0; i < p->nt; i++)
		if (p->techs[i].id == user_id)
			return (int)i;
	return -1;
}

static dsp_class class_of(const char *cls, const char *tags)
{
	if (tags && strstr(tags, "VIP"))
		return DSP_VIP;
	return cls && *cls == 'A' ? DSP_A : cls && *cls == 'B' ? DSP_B : DSP_C;
}

/* The job of order row i (its technician already known). */
static dpl_job job_of(const db_res *r, int i, int tech)
{
	const char *pr = db_text(r, i, COL_PRIORITY);
	int64_t hours = db_isnull(r, i, COL_HOURS) ? 0 : db_int(r, i, COL_HOURS);
	int64_t service = hours > 0 ? hours * 36 : PLAN_VISIT_S;
	service = service < PLAN_VISIT_MIN_S ? PLAN_VISIT_MIN_S : service > PLAN_VISIT_MAX_S ? PLAN_VISIT_MAX_S : service;
	dpl_job j = {.tech = tech, .service_s = service};
	dsp_order *o = &j.o;
	o->id = db_int(r, i, COL_ID);
	o->lat = db_isnull(r, i, COL_LAT) ? NAN : db_real(r, i, COL_LAT);
	o->lon = db_isnull(r, i, COL_LON) ? NAN : db_real(r, i, COL_LON);
	o->region = db_text(r, i, COL_REGION);
	o->category = db_text(r, i, COL_CATEGORY);
	o->brand = db_text(r, i, COL_BRAND);
	o->priority = pr && pr[0] == 'P' && pr[1] >= '1' && pr[1] <= '4' ? pr[1] - '0' : 3;
	o->sla_slack_s = INT64_MAX;
	o->cls = class_of(db_text(r, i, COL_CLASS), db_text(r, i, COL_TAGS));
	o->duration_s = service;
	if (!db_isnull(r, i, COL_APPT_START)) {
		o->win_start = db_int(r, i, COL_APPT_START) / 1000;
		o->win_end = db_isnull(r, i, COL_APPT_END) ? 0 : db_int(r, i, COL_APPT_END) / 1000;
	}
	return j;
}

/* The day's orders of the team: dispatched or taken to one of its technicians (appointment that
 * day, or none), and with_unassigned: new or accepted with an appointment that day. Untimed
 * orders first, then by appointment: the technician's route as it is. */
#define PLAN_ORDERS_SQL                                                                                          \
	"SELECT w.id, w.number, w.version, w.status, w.assignee_id, w.lat, w.lon, w.region, w.appointment_start, "  \
	"w.appointment_end, w.priority, m.category, m.brand, c.class, c.tags_json, w.customer_name, w.address, "    \
	"(SELECT CAST(sum(l.hours_x100) AS BIGINT) FROM wo_lines l WHERE l.tenant_id = w.tenant_id AND "            \
	"l.order_id = w.id AND l.stage = 'estimate' AND l.kind = 'labour') "                                        \
	"FROM work_orders w JOIN organizations o ON o.id = w.org_id LEFT JOIN assets a ON a.id = w.asset_id "       \
	"LEFT JOIN product_models m ON m.id = a.model_id LEFT JOIN customers c ON c.id = w.customer_id "            \
	"WHERE w.tenant_id = ? AND o.path LIKE ? || '%' AND ((w.assignee_id IS NOT NULL AND w.status IN "           \
	"('dispatched', 'taken') AND (w.appointment_start IS NULL OR (w.appointment_start >= ? AND "                \
	"w.appointment_start < ?))) OR (? = 1 AND w.status IN ('new', 'accepted') AND w.appointment_start >= ? "   \
	"AND w.appointment_start < ?)) ORDER BY COALESCE(w.assignee_id, 0), COALESCE(w.appointment_start, 0), w.id " \
	"LIMIT 501"

static int orders_load(db_tx *tx, struct plan_data *p, bool with_unassigned, st_info *info)
{
	int64_t a = p->day_start * 1000, b = a + 86400000;
	dbv q[] = {VI(p->scoped.tenant_id), VT(p->scoped.org_path), VI(a), VI(b), VI(with_unassigned ? 1 : 0), VI(a),
		   VI(b)};
	if (db_query(tx, PLAN_ORDERS_SQL, q, 7, &p->orders) != DB_OK)
		return ST_DB;
	int rows = db_rows(p->orders);
	if (rows > PLAN_MAX_JOBS) {
		snprintf(info->field, sizeof info->field, "org_id");
		snprintf(info->detail, sizeof info->detail,
			 "more than %d orders that day: plan a smaller team (one outlet or department)", PLAN_MAX_JOBS);
		return ST_INVALID;
	}
	p->jobs = xcalloc((size_t)rows + 1, sizeof *p->jobs);
	p->rows = xcalloc((size_t)rows + 1, sizeof *p->rows);
	for (int i = 0; i < rows; i++) {
		/* an order of the team dispatched to someone outside it stays out of the plan */
		int t = db_isnull(p->orders, i, COL_ASSIGNEE) ? -1 : tech_of(p, db_int(p->orders, i, COL_ASSIGNEE));
		bool mine = !strcmp(db_text(p->orders, i, COL_STATUS), "dispatched") ||
			    !strcmp(db_text(p->orders, i, COL_STATUS), "taken");
		if (mine && t < 0)
			continue;
		p->rows[p->nj] = i;
		p->jobs[p->nj++] = job_of(p->orders, i, mine ? t : -1);
	}
	return ST_OK;
}

/* Nothing is planned before now on the day's own date (to the next whole minute). */
static int64_t plan_from(int64_t day_start)
{
	int64_t now = now_ms() / 1000;
	return now > day_start ? (now + 59) / 60 * 60 : 0;
}

static int row_of(const struct plan_data *p, int j)
{
	return p->rows[j];
}

static int64_t order_id(const struct plan_data *p, int j)
{
	return p->jobs[j].o.id;
}

/* The caller's scope narrowed to org_id (0: the caller's own subtree), the team's technicians
 * and the day's orders, and the engine's input. */
static int plan_load(db_tx *tx, const principal *who, int32_t day, int64_t org_id, bool with_unassigned,
		     struct plan_data *p, st_info *info)
{
	memset(p, 0, sizeof *p);
	p->scoped = *who;
	p->day_start = (int64_t)day * 86400 - (int64_t)who->tz_offset_min * 60;
	int rc = org_id ? org_in_scope(tx, who, org_id, p->scoped.org_path, sizeof p->scoped.org_path) : ST_OK;
	if (rc == ST_OK)
		rc = tech_pool_load(tx, &p->scoped, p->day_start, &p->tp);
	if (rc != ST_OK)
		return rc;
	p->techs = tech_pool_techs(p->tp, &p->nt);
	p->known = xcalloc(p->nt + 1, sizeof *p->known);
	for (size_t i = 0; i < p->nt; i++)
		p->known[i] = tech_pool_skills_known(p->tp, i);
	rc = orders_load(tx, p, with_unassigned, info);
	dpl_in *in = &p->in;
	in->techs = p->techs;
	in->skills_known = p->known;
	in->n_techs = (int)p->nt;
	in->jobs = p->jobs;
	in->n_jobs = p->nj;
	in->day_start = p->day_start;
	in->day_end = p->day_start + 86400;
	dsp_params_default(&in->prm);
	in->prm.tz_offset_min = who->tz_offset_min;
	in->time_limit = PLAN_TIME_S;
	in->iterations = PLAN_ITERATIONS;
	in->seed = 1;
	return rc;
}

/* --- the plan as JSON ------------------------------------------------------------------------ */

static json_t *num1(double x)
{
	return json_real(round(x * 10) / 10);
}

static json_int_t minutes(int64_t s)
{
	return (json_int_t)((s + 30) / 60);
}

static json_t *visit_json(const struct plan_data *p, int t, const dpl_stop *s)
{
	const db_res *r = p->orders;
	int row = row_of(p, s->job);
	int own = p->jobs[s->job].tech;
	json_t *o = json_pack("{s:I, s:s, s:I, s:s, s:s?, s:s?, s:o, s:o, s:I, s:o, s:o}", "order_id",
			      (json_int_t)db_int(r, row, COL_ID), "number", db_text(r, row, COL_NUMBER), "version",
			      (json_int_t)db_int(r, row, COL_VERSION), "status", db_text(r, row, COL_STATUS),
			      "customer_name", db_text(r, row, COL_CUSTOMER), "address", db_text(r, row, COL_ADDRESS),
			      "lat", db_isnull(r, row, COL_LAT) ? json_null() : json_real(db_real(r, row, COL_LAT)),
			      "lon", db_isnull(r, row, COL_LON) ? json_null() : json_real(db_real(r, row, COL_LON)),
			      "travel_min", minutes(s->travel_s), "km", num1(s->km), "from_technician_id",
			      own >= 0 && own != t ? json_integer(p->techs[own].id) : json_null());
	json_object_set_new(o, "moved", json_boolean(own != t));
	json_set_time(o, "arrival_at", s->arrival * 1000);
	json_set_time(o, "start_at", s->start * 1000);
	json_set_time(o, "end_at", s->end * 1000);
	json_set_time(o, "appointment_start_at", db_isnull(r, row, COL_APPT_START) ? 0 : db_int(r, row, COL_APPT_START));
	json_set_time(o, "appointment_end_at", db_isnull(r, row, COL_APPT_END) ? 0 : db_int(r, row, COL_APPT_END));
	return o;
}

static json_t *before_json(const struct plan_data *p, const dpl_route *rt)
{
	json_t *a = json_array();
	for (int k = 0; k < rt->n_before; k++) {
		int row = row_of(p, rt->before[k]);
		const db_res *r = p->orders;
		json_array_append_new(a, json_pack("{s:I, s:s, s:o, s:o}", "order_id", (json_int_t)db_int(r, row, COL_ID),
						   "number", db_text(r, row, COL_NUMBER), "lat",
						   db_isnull(r, row, COL_LAT) ? json_null() : json_real(db_real(r, row, COL_LAT)),
						   "lon",
						   db_isnull(r, row, COL_LON) ? json_null() : json_real(db_real(r, row, COL_LON))));
	}
	return a;
}

static json_t *route_json(const struct plan_data *p, const dpl_plan *pl, int t)
{
	const dpl_route *rt = &pl->routes[t];
	const dsp_tech *tk = &p->techs[t];
	json_t *visits = json_array(), *breaks = json_array(), *unplanned = json_array();
	for (int k = 0; k < rt->n_stops; k++)
		json_array_append_new(visits, visit_json(p, t, &rt->stops[k]));
	for (int b = 0; b < rt->n_breaks; b++) {
		json_t *o = json_pack("{s:s}", "kind", rt->breaks[b].kind == DPL_LEAVE ? "leave" : "lunch");
		json_set_time(o, "start_at", rt->breaks[b].start * 1000);
		json_set_time(o, "end_at", rt->breaks[b].end * 1000);
		json_array_append_new(breaks, o);
	}
	for (int u = 0; u < pl->n_ua; u++)
		if (p->jobs[pl->ua[u].job].tech == t)
			json_array_append_new(unplanned, json_integer(order_id(p, pl->ua[u].job)));
	json_t *o = json_pack("{s:I, s:s, s:I, s:o, s:o, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:b}",
			      "technician_id", (json_int_t)tk->id, "name", tech_pool_name(p->tp, (size_t)t), "org_id",
			      (json_int_t)tk->org_id, "lat", isnan(tk->lat) ? json_null() : json_real(tk->lat), "lon",
			      isnan(tk->lon) ? json_null() : json_real(tk->lon), "working", rt->working, "breaks", breaks,
			      "visits", visits, "before", before_json(p, rt), "unplanned", unplanned, "km_before",
			      num1(rt->km_before), "km_after", num1(rt->km_after), "travel_min_before",
			      minutes(rt->travel_before_s), "travel_min_after", minutes(rt->travel_after_s),
			      "before_feasible", rt->before_feasible);
	json_set_time(o, "work_start_at", rt->working ? rt->work_start * 1000 : 0);
	json_set_time(o, "work_end_at", rt->working ? rt->work_end * 1000 : 0);
	return o;
}

static json_t *unassigned_json(const struct plan_data *p, const dpl_unassigned *u)
{
	const db_res *r = p->orders;
	int row = row_of(p, u->job), own = p->jobs[u->job].tech;
	json_t *o = json_pack("{s:I, s:s, s:I, s:s, s:o, s:s?, s:s?, s:s, s:s, s:o, s:o}", "order_id",
			      (json_int_t)db_int(r, row, COL_ID), "number", db_text(r, row, COL_NUMBER), "version",
			      (json_int_t)db_int(r, row, COL_VERSION), "status", db_text(r, row, COL_STATUS),
			      "technician_id", own >= 0 ? json_integer(p->techs[own].id) : json_null(), "customer_name",
			      db_text(r, row, COL_CUSTOMER), "address", db_text(r, row, COL_ADDRESS), "reason_code",
			      dpl_reason_code(u->reason), "reason", dpl_reason_text(u->reason), "lat",
			      db_isnull(r, row, COL_LAT) ? json_null() : json_real(db_real(r, row, COL_LAT)), "lon",
			      db_isnull(r, row, COL_LON) ? json_null() : json_real(db_real(r, row, COL_LON)));
	json_set_time(o, "appointment_start_at", db_isnull(r, row, COL_APPT_START) ? 0 : db_int(r, row, COL_APPT_START));
	return o;
}

static json_t *plan_json(const struct plan_data *p, const dpl_plan *pl, const char *mode)
{
	json_t *rts = json_array(), *ua = json_array();
	for (int t = 0; t < pl->n_routes; t++)
		if (pl->routes[t].n_before || pl->routes[t].n_stops)
			json_array_append_new(rts, route_json(p, pl, t));
	for (int u = 0; u < pl->n_ua; u++)
		json_array_append_new(ua, unassigned_json(p, &pl->ua[u]));
	char day[11];
	wty_day_format((int32_t)((p->day_start + (int64_t)p->scoped.tz_offset_min * 60) / 86400), day);
	json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:I, s:I, s:o, s:I, s:i, s:i, s:i, s:i, s:f, s:I}",
			      "date", day, "mode", mode, "engine", "optimiser", "routes", rts, "unassigned", ua,
			      "km_before", num1(pl->km_before), "km_after", num1(pl->km_after), "travel_min_before",
			      minutes(pl->travel_before_s), "travel_min_after", minutes(pl->travel_after_s), "saved_km",
			      num1(pl->km_before - pl->km_after), "saved_min",
			      minutes(pl->travel_before_s) - minutes(pl->travel_after_s), "orders", p->nj, "moved",
			      pl->moved, "assigned", pl->assigned, "technicians", (int)p->nt, "seconds",
			      round(pl->seconds * 1000) / 1000, "iterations", (json_int_t)pl->iterations);
	json_set_time(o, "day_start_at", p->day_start * 1000);
	json_set_time(o, "from_at", p->in.not_before * 1000);
	return o;
}

/* --- GET: the plan ---------------------------------------------------------------------------- */

struct plan_ctx {
	const principal *who;
	const plan_opts *opt;
	struct plan_data data;
	st_info *info;
};

static int plan_read_fn(db_tx *tx, void *arg)
{
	struct plan_ctx *c = arg;
	return plan_load(tx, c->who, c->opt->day, c->opt->org_id, c->opt->with_unassigned, &c->data, c->info);
}

int store_dispatch_plan(db *d, const principal *who, const plan_opts *opt, json_t **out, st_info *info)
{
	struct plan_ctx c = {.who = who, .opt = opt, .info = info};
	*out = NULL;
	int rc = db_read(d, plan_read_fn, &c);
	if (rc == ST_OK) {
		dpl_in *in = &c.data.in;
		in->mode = opt->mode;
		in->not_before = opt->from_now ? plan_from(in->day_start) : 0;
		dpl_plan pl;
		char err[200];
		if (dpl_plan_make(in, &pl, err, sizeof err)) {
			*out = plan_json(&c.data, &pl, opt->mode == DPL_TEAM ? "team" : "keep");
			json_object_set_new(*out, "include_unassigned", json_boolean(opt->with_unassigned));
			json_object_set_new(*out, "org_id", opt->org_id ? json_integer(opt->org_id) : json_null());
			dpl_plan_free(&pl);
		} else {
			log_msg("error", "dispatch plan: %s", err);
			rc = ST_DB;
		}
	}
	plan_data_free(&c.data);
	return rc;
}

/* --- POST: apply a plan ----------------------------------------------------------------------- */

struct apply_ctx {
	const actor *a;
	json_t *in, *out;
	st_info *info;
};

static int refuse(st_info *info, const char *code, json_t *extra, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A 409 with a stable code, extra members and the detail. */
static int refuse(st_info *info, const char *code, json_t *extra, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(info->detail, sizeof info->detail, fmt, ap);
	va_end(ap);
	info->current = extra ? extra : json_object();
	json_object_set_new(info->current, "code", json_string(code));
	return ST_CONFLICT;
}

static int job_by_order(const struct plan_data *p, int64_t id)
{
	for (int j = 0; j < p->nj; j++)
		if (order_id(p, j) == id)
			return j;
	return -1;
}

/* Every order sent is in scope and at the version the plan was made with (else 404 / 412),
 * and one of the team's day; every order of the day was in the plan. */
static int apply_match(db_tx *tx, const principal *who, const struct plan_data *p, json_t *orders, st_info *info)
{
	uint8_t *seen = xcalloc((size_t)p->nj + 1, 1);
	int rc = ST_OK;
	size_t i;
	json_t *v;
	json_array_foreach(orders, i, v)
	{
		int64_t id = json_integer_value(json_object_get(v, "order_id"));
		rc = wo_lock_tx(tx, who, id, json_integer_value(json_object_get(v, "version")), info, NULL, 0);
		int j = rc == ST_OK ? job_by_order(p, id) : -1;
		if (rc == ST_OK && j < 0)
			rc = refuse(info, "plan_outdated", json_pack("{s:I}", "order_id", (json_int_t)id),
				    "order %lld is no longer one of the day's orders of the team: plan again", (long long)id);
		if (rc == ST_OK && seen[j]) {
			snprintf(info->field, sizeof info->field, "routes");
			snprintf(info->detail, sizeof info->detail, "order %lld is sent twice", (long long)id);
			rc = ST_INVALID;
		}
		if (rc != ST_OK)
			break;
		seen[j] = 1;
	}
	for (int j = 0; rc == ST_OK && j < p->nj; j++)
		if (!seen[j])
			rc = refuse(info, "plan_outdated", json_pack("{s:I}", "order_id", (json_int_t)order_id(p, j)),
				    "order %s joined the day since the plan was made: plan again",
				    db_text(p->orders, row_of(p, j), COL_NUMBER));
	free(seen);
	return rc;
}

static const char *const time_rules[] = {"outside_shift", "double_booked", "no_free_slot", "on_leave", NULL};

static bool time_rule(const char *code)
{
	for (int k = 0; time_rules[k]; k++)
		if (code && !strcmp(code, time_rules[k]))
			return true;
	return false;
}

/* Re-dispatch order j to technician t for [s, e) (seconds): the rules of a manual dispatch hold,
 * except the time ones the plan has settled itself (said on the timeline with the reason). */
static int apply_move(db_tx *tx, const actor *a, const struct plan_data *p, int j, int t, int64_t version,
		      const dpl_stop *s, json_t **done, st_info *info)
{
	int64_t id = order_id(p, j), tech = p->techs[t].id;
	bool timed = p->jobs[j].o.win_start != 0;
	json_t *conf = NULL;
	int rc = dispatch_conflicts_tx(tx, a->who, id, tech, timed ? 0 : s->start * 1000, timed ? 0 : s->end * 1000,
				       &conf);
	size_t k;
	json_t *c;
	bool hard = false;
	json_array_foreach(conf, k, c) hard = hard || !time_rule(json_string_value(c));
	if (rc == ST_OK && hard)
		return refuse(info, "dispatch_conflict", json_pack("{s:I, s:I, s:o}", "order_id", (json_int_t)id,
								   "technician_id", (json_int_t)tech, "conflicts", conf),
			      "order %s cannot go to this technician any more (see conflicts): plan again",
			      db_text(p->orders, row_of(p, j), COL_NUMBER));
	json_t *body = json_pack("{s:I, s:s}", "assignee_id", (json_int_t)tech, "reason", PLAN_REASON);
	if (conf)
		json_object_set_new(body, "override_reason", json_string(PLAN_REASON));
	json_decref(conf);
	if (!timed) {
		json_set_time(body, "appointment_start", s->start * 1000);
		json_set_time(body, "appointment_end", s->end * 1000);
	}
	if (rc == ST_OK)
		rc = wo_transition_tx(tx, a, id, version, "dispatch", body, done, info);
	json_decref(body);
	return rc;
}

/* An order staying with its technician and without an appointment gets its planned visit. */
static int apply_time(db_tx *tx, const actor *a, int64_t id, int64_t version, const dpl_stop *s, json_t **done)
{
	json_t *before = NULL;
	int rc = wo_load_tx(tx, a->who, id, &before);
	dbv q[] = {VI(s->start * 1000), VI(s->end * 1000), VI(now_ms()), VI(id), VI(version)};
	if (rc == ST_OK && db_exec(tx,
				   "UPDATE work_orders SET appointment_start = ?, appointment_end = ?, updated_at = ?, "
				   "version = version + 1 WHERE id = ? AND version = ? AND appointment_start IS NULL",
				   q, 5) != DB_OK)
		rc = ST_DB;
	if (rc == ST_OK && db_changes(tx) != 1)
		rc = ST_STALE;
	if (rc == ST_OK)
		rc = wo_load_tx(tx, a->who, id, done);
	if (rc == ST_OK) {
		json_t *data = json_pack("{s:s}", "by", "plan");
		json_set_time(data, "start_at", s->start * 1000);
		json_set_time(data, "end_at", s->end * 1000);
		rc = wo_event_add(tx, a, id, "appointment", data, true);
		json_decref(data);
	}
	if (rc == ST_OK)
		rc = audit_add(tx, a, "appointment", "work_order", id, before, *done);
	json_decref(before);
	return rc;
}

static json_t *applied_json(const struct plan_data *p, int j, int t, const dpl_stop *s, json_t *order, const char *what)
{
	json_t *o = json_pack("{s:I, s:s, s:I, s:s, s:I}", "order_id", (json_int_t)order_id(p, j), "number",
			      db_text(p->orders, row_of(p, j), COL_NUMBER), "technician_id", (json_int_t)p->techs[t].id,
			      "change", what, "version",
			      order ? json_integer_value(json_object_get(order, "version"))
				    : (json_int_t)db_int(p->orders, row_of(p, j), COL_VERSION));
	json_set_time(o, "start_at", s->start * 1000);
	json_set_time(o, "end_at", s->end * 1000);
	return o;
}

/* Write the checked plan: moves, then planned times; nothing if any refuses. */
static int apply_write(db_tx *tx, const actor *a, const struct plan_data *p, const dpl_plan *pl, json_t *items,
		       st_info *info)
{
	int rc = ST_OK;
	for (int t = 0; t < pl->n_routes && rc == ST_OK; t++)
		for (int k = 0; k < pl->routes[t].n_stops && rc == ST_OK; k++) {
			const dpl_stop *s = &pl->routes[t].stops[k];
			int j = s->job;
			int64_t version = db_int(p->orders, row_of(p, j), COL_VERSION);
			json_t *done = NULL;
			const char *what = "none";
			if (p->jobs[j].tech != t) {
				rc = apply_move(tx, a, p, j, t, version, s, &done, info);
				what = p->jobs[j].tech < 0 ? "dispatched" : "moved";
			} else if (!p->jobs[j].o.win_start) {
				rc = apply_time(tx, a, order_id(p, j), version, s, &done);
				what = "timed";
			}
			if (rc == ST_OK)
				json_array_append_new(items, applied_json(p, j, t, s, done, what));
			json_decref(done);
		}
	return rc;
}

/* The routes sent, as the engine's sequences; refusals name the technician or order. */
static int apply_seqs(const struct plan_data *p, json_t *rts, int **seq, int *n, st_info *info)
{
	size_t i;
	json_t *r;
	json_array_foreach(rts, i, r)
	{
		int64_t tid = json_integer_value(json_object_get(r, "technician_id"));
		int t = tech_of(p, tid);
		if (t < 0) {
			snprintf(info->detail, sizeof info->detail, "technician %lld is not in this team", (long long)tid);
			return ST_FORBIDDEN;
		}
		if (n[t]) {
			snprintf(info->field, sizeof info->field, "routes");
			snprintf(info->detail, sizeof info->detail, "technician %lld has two routes", (long long)tid);
			return ST_INVALID;
		}
		size_t k;
		json_t *v;
		json_array_foreach(json_object_get(r, "visits"), k, v)
			seq[t][n[t]++] = job_by_order(p, json_integer_value(json_object_get(v, "order_id")));
	}
	return ST_OK;
}

static int apply_check(const struct plan_data *p, int rc_fixed, int bt, int bj, st_info *info)
{
	const char *tname = bt >= 0 ? tech_pool_name(p->tp, (size_t)bt) : "";
	json_t *x = json_pack("{s:o, s:o}", "technician_id", bt >= 0 ? json_integer(p->techs[bt].id) : json_null(),
			      "order_id", bj >= 0 ? json_integer(order_id(p, bj)) : json_null());
	switch (rc_fixed) {
	case DPL_OK:
		json_decref(x);
		return ST_OK;
	case DPL_NOT_WORKING:
		return refuse(info, "not_working", x, "%s does not work that day any more: plan again", tname);
	case DPL_NOT_ALLOWED:
		return refuse(info, "dispatch_conflict", x, "%s may not take one of the orders sent (skill, brand or area)",
			      tname);
	case DPL_LATE:
		return refuse(info, "plan_late", x, "the route sent for %s misses an appointment or the end of the day",
			      tname);
	default:
		json_decref(x);
		snprintf(info->field, sizeof info->field, "routes");
		snprintf(info->detail, sizeof info->detail, "an order is in two routes");
		return ST_INVALID;
	}
}

static int apply_fn(db_tx *tx, void *arg)
{
	struct apply_ctx *c = arg;
	const principal *who = c->a->who;
	int32_t day = 0;
	wty_day_parse(jstr(c->in, "date"), &day);
	json_t *rts = json_object_get(c->in, "routes"), *all = json_array();
	struct plan_data p;
	int rc = plan_load(tx, who, day, json_integer_value(json_object_get(c->in, "org_id")),
			   json_is_true(json_object_get(c->in, "include_unassigned")), &p, c->info);
	size_t i, k;
	json_t *r, *v;
	json_array_foreach(rts, i, r)
	{
		json_array_extend(all, json_object_get(r, "visits"));
	}
	json_array_extend(all, json_object_get(c->in, "unassigned"));
	if (rc == ST_OK)
		rc = apply_match(tx, who, &p, all, c->info);
	json_decref(all);
	int **seq = xcalloc(p.nt + 1, sizeof *seq), *n = xcalloc(p.nt + 1, sizeof *n);
	for (size_t t = 0; t < p.nt; t++)
		seq[t] = xcalloc((size_t)p.nj + 1, sizeof **seq);
	dpl_plan pl = {0};
	if (rc == ST_OK)
		rc = apply_seqs(&p, rts, seq, n, c->info);
	if (rc == ST_OK) {
		int bt, bj;
		p.in.not_before = plan_from(p.day_start);
		int fixed = dpl_plan_fixed(&p.in, seq, n, &pl, &bt, &bj);
		rc = apply_check(&p, fixed, bt, bj, c->info);
	}
	json_t *items = json_array();
	if (rc == ST_OK)
		rc = apply_write(tx, c->a, &p, &pl, items, c->info);
	if (rc == ST_OK) {
		int moved = 0, timed = 0;
		json_array_foreach(items, k, v)
		{
			const char *w = jstr(v, "change");
			moved += !strcmp(w, "moved") || !strcmp(w, "dispatched");
			timed += !strcmp(w, "timed");
		}
		c->out = json_pack("{s:o, s:i, s:i, s:i}", "orders", items, "moved", moved, "timed", timed, "unchanged",
				   (int)json_array_size(items) - moved - timed);
		rc = idem_save(tx, c->a, 200, c->out, NULL);
	} else {
		json_decref(items);
	}
	for (size_t t = 0; t < p.nt; t++)
		free(seq[t]);
	free(seq);
	free(n);
	dpl_plan_free(&pl);
	plan_data_free(&p);
	return rc;
}

int store_dispatch_plan_apply(db *d, const actor *a, json_t *in, json_t **out, st_info *info)
{
	struct apply_ctx c = {.a = a, .in = in, .info = info};
	int rc = db_write(d, apply_fn, &c);
	if (rc != ST_OK) {
		json_decref(c.out);
		c.out = NULL;
	}
	*out = c.out;
	return rc;
}
