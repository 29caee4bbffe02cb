/*
 * dispatch_plan.c — the day's plan of a team (issue 5 item 8, issue 6 item 4): GET
 * /dispatch/plan makes it with the route optimiser, POST /dispatch/plan/apply writes it, and
 * GET /dispatch/routes shows each technician's route of the day with the optimiser (or the
 * first heuristic with ?engine=heuristic, for comparison). A plan takes up to 2 s of one core,
 * so at most PLAN_MAX_CONCURRENT are made at once; the others are told to retry (429).
 */
#include "api/api.h"
#include "domain/dispatch_plan.h"
#include "domain/warranty.h"

#include <string.h>

#define PLAN_MAX_CONCURRENT 2
#define PLAN_MAX_ORDERS 500

static int planning;

/* Today in the tenant's zone, as a civil day. */
static int32_t today_of(const req *r)
{
	return (int32_t)((now_ms() + (int64_t)r->who.tz_offset_min * 60000) / 86400000);
}

/* ?date=YYYY-MM-DD (default today in the tenant's zone) and ?org_id= into v's errors. */
static void day_org_query(req *r, verr *v, int32_t *day, int64_t *org)
{
	const char *dt = req_query(r, "date"), *o = req_query(r, "org_id");
	*day = today_of(r);
	*org = 0;
	if (dt && *dt && !wty_day_parse(dt, day))
		verr_add(v, "date", "invalid", "date must be YYYY-MM-DD");
	if (o && *o && !parse_i64(o, 1, INT64_MAX, org))
		verr_add(v, "org_id", "invalid", "org_id must be an id");
}

/* A query flag out of a list of words; the index, or -1 (and an error) for another word. */
static int word_query(req *r, verr *v, const char *name, const char *const *words, const char *msg)
{
	const char *s = req_query(r, name);
	if (!s || !*s)
		return 0;
	for (int i = 0; words[i]; i++)
		if (!strcmp(s, words[i]))
			return i;
	verr_add(v, name, "invalid", msg);
	return -1;
}

static bool plan_begin(req *r)
{
	if (__atomic_add_fetch(&planning, 1, __ATOMIC_SEQ_CST) <= PLAN_MAX_CONCURRENT)
		return true;
	__atomic_sub_fetch(&planning, 1, __ATOMIC_SEQ_CST);
	reply_problem_x(r, 429, "rate_limited", "the route optimiser is busy with other plans; retry shortly",
			json_pack("{s:i}", "retry_after", 2));
	reply_header(r, "Retry-After", "2");
	return false;
}

static void plan_reply(req *r, const plan_opts *o)
{
	if (!plan_begin(r))
		return;
	json_t *out = NULL;
	st_info info = {0};
	int rc = store_dispatch_plan(r->db, &r->who, o, &out, &info);
	__atomic_sub_fetch(&planning, 1, __ATOMIC_SEQ_CST);
	if (rc != ST_OK) {
		reply_store(r, rc, &info, "organisation");
		return;
	}
	reply_json(r, 200, out);
}

static const char *const modes[] = {"keep", "team", NULL};
static const char *const flags[] = {"false", "true", NULL};
static const char *const engines[] = {"optimiser", "heuristic", NULL};

/* GET /api/v1/dispatch/plan?date=&org_id=&mode=keep|team&include_unassigned=true */
void h_dispatch_plan(req *r)
{
	plan_opts o = {.from_now = true};
	verr v;
	verr_init(&v);
	day_org_query(r, &v, &o.day, &o.org_id);
	o.mode = word_query(r, &v, "mode", modes, "mode must be keep (order each technician's visits) or team");
	o.with_unassigned = word_query(r, &v, "include_unassigned", flags, "include_unassigned must be true or false") == 1;
	if (o.day < today_of(r))
		verr_add(&v, "date", "past", "that day is over: plan today or a day to come");
	if (verr_reply(&v, r))
		return;
	o.mode = o.mode == 1 ? DPL_TEAM : DPL_KEEP;
	plan_reply(r, &o);
}

/* GET /api/v1/dispatch/routes?date=&org_id=&engine=optimiser|heuristic: each technician's
 * visits of the day in route order (appointments keep their window), travel before and after. */
void h_dispatch_routes_engine(req *r)
{
	plan_opts o = {.mode = DPL_KEEP};
	verr v;
	verr_init(&v);
	day_org_query(r, &v, &o.day, &o.org_id);
	int engine = word_query(r, &v, "engine", engines, "engine must be optimiser or heuristic");
	if (verr_reply(&v, r))
		return;
	if (engine == 0) {
		plan_reply(r, &o);
		return;
	}
	json_t *out = NULL;
	int rc = store_dispatch_routes(r->db, &r->who, o.day, o.org_id, &out);
	if (rc != ST_OK) {
		reply_status(r, rc, "organisation");
		return;
	}
	json_object_set_new(out, "engine", json_string("heuristic"));
	reply_json(r, 200, out);
}

/* [{order_id, version}, …] at `field`: ids and versions ≥ 1, nothing else; adds to *count. */
static void orders_check(json_t *list, const char *field, verr *v, int *count)
{
	size_t i;
	json_t *it;
	json_array_foreach(list, i, it)
	{
		const char *key;
		json_t *x;
		bool ok = json_is_object(it) && json_object_size(it) == 2;
		json_object_foreach(it, key, x) ok = ok && (!strcmp(key, "order_id") || !strcmp(key, "version")) &&
						    json_is_integer(x) && json_integer_value(x) >= 1;
		if (!ok) {
			verr_add(v, field, "invalid", "each order is {\"order_id\": id, \"version\": the version planned}");
			return;
		}
		(*count)++;
	}
}

static const struct field apply_fields[] = {
	{"date", F_STR, true, 10, NULL, false},
	{"org_id", F_INT, false, 0, NULL, true},
	{"include_unassigned", F_BOOL, false, 0, NULL, false},
	{"routes", F_ARR, true, 0, NULL, false},
	{"unassigned", F_ARR, false, 0, NULL, false},
	{NULL, 0, false, 0, NULL, false},
};

static void apply_check(req *r, verr *v)
{
	int32_t day;
	const char *dt = jstr(r->json, "date");
	json_t *org = json_object_get(r->json, "org_id"), *rts = json_object_get(r->json, "routes");
	if (dt && !wty_day_parse(dt, &day))
		verr_add(v, "date", "invalid", "date must be YYYY-MM-DD");
	else if (dt && day < today_of(r))
		verr_add(v, "date", "past", "that day is over");
	if (json_is_integer(org) && json_integer_value(org) < 1)
		verr_add(v, "org_id", "invalid", "org_id must be an id");
	if (json_is_array(rts) && !json_array_size(rts))
		verr_add(v, "routes", "empty", "the plan has no route: nothing to apply");
	int count = 0;
	size_t i;
	json_t *rt;
	json_array_foreach(rts, i, rt)
	{
		json_t *t = json_object_get(rt, "technician_id"), *vis = json_object_get(rt, "visits");
		if (!json_is_object(rt) || json_object_size(rt) != 2 || !json_is_integer(t) || json_integer_value(t) < 1 ||
		    !json_is_array(vis)) {
			verr_add(v, "routes", "invalid", "each route is {\"technician_id\": id, \"visits\": [orders]}");
			break;
		}
		orders_check(vis, "routes", v, &count);
	}
	orders_check(json_object_get(r->json, "unassigned"), "unassigned", v, &count);
	if (count > PLAN_MAX_ORDERS)
		verr_add(v, "routes", "too_many", "at most 500 orders in one plan");
}

/* POST /api/v1/dispatch/plan/apply */
void h_dispatch_plan_apply(req *r)
{
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, apply_fields, &v);
	apply_check(r, &v);
	if (verr_reply(&v, r))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	json_t *out = NULL;
	int rc = store_dispatch_plan_apply(r->db, &a, r->json, &out, &info);
	if (rc != ST_OK) {
		reply_store(r, rc, &info, "work order");
		return;
	}
	reply_json(r, 200, out);
}
