/*
 * dispatch.c — the dispatcher's questions (issue 5): which technicians for this order, and
 * what does the day look like. The engine is domain/dispatch.c; the data store/dispatch.c.
 */
#include "api/api.h"
#include "domain/warranty.h"
#include "store/store.h"

void order_query(req *r, verr *v, int64_t *order)
{
	const char *o = req_query(r, "order");
	if (!o || !parse_i64(o, 1, INT64_MAX, order))
		verr_add(v, "order", o ? "invalid" : "required", "order must be the id of a work order");
}

/* GET /api/v1/dispatch/suggestions?order={id}&limit=5 */
void h_dispatch_suggestions(req *r)
{
	const char *l = req_query(r, "limit");
	int64_t order = 0, limit = 5;
	verr v;
	verr_init(&v);
	order_query(r, &v, &order);
	if (l && !parse_i64(l, 1, 50, &limit))
		verr_add(&v, "limit", "invalid", "limit must be 1 to 50");
	if (verr_reply(&v, r))
		return;
	json_t *out = NULL;
	int rc = store_dispatch_suggest(r->db, &r->who, order, (int)limit, &out);
	if (rc != ST_OK) {
		reply_status(r, rc, "work order");
		return;
	}
	reply_json(r, 200, out);
}

typedef int (*day_view_fn)(db *d, const principal *who, int32_t day, int64_t org_id, json_t **out);

/* A view of a day: ?date=YYYY-MM-DD (default today in the tenant's zone) &org_id= */
static void day_view(req *r, day_view_fn fn, const char *what)
{
	const char *dt = req_query(r, "date"), *o = req_query(r, "org_id");
	int32_t day = (int32_t)((now_ms() + (int64_t)r->who.tz_offset_min * 60000) / 86400000);
	int64_t org = 0;
	verr v;
	verr_init(&v);
	if (dt && *dt && !wty_day_parse(dt, &day))
		verr_add(&v, "date", "invalid", "date must be YYYY-MM-DD");
	if (o && *o && !parse_i64(o, 1, INT64_MAX, &org))
		verr_add(&v, "org_id", "invalid", "org_id must be an id");
	if (verr_reply(&v, r))
		return;
	json_t *out = NULL;
	int rc = fn(r->db, &r->who, day, org, &out);
	if (rc != ST_OK) {
		reply_status(r, rc, what);
		return;
	}
	reply_json(r, 200, out);
}

/* GET /api/v1/dispatch/board */
void h_dispatch_board(req *r)
{
	day_view(r, store_dispatch_board, "organisation");
}

/* GET /api/v1/dispatch/routes: each technician's visits of the day in route order */
static const struct field late_fields[] = {
	{"eta", F_STR, false, 40, NULL, true},
	{"reason", F_STR, true, 500, NULL, false},
	{"handover", F_BOOL, false, 0, NULL, false},
	{0},
};

/* POST /api/v1/work-orders/{id}/late {eta, reason, handover?}: "I will be late" (迟到): the
 * new arrival time is told to the customer, or the order is handed back to dispatch. */
void h_wo_late(req *r)
{
	int64_t id, eta;
	if (!req_id_param(r, 0, &id) || !body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, late_fields, &v);
	const char *e = jstr(r->json, "eta"), *why = jstr(r->json, "reason");
	bool handover = json_is_true(json_object_get(r->json, "handover"));
	if (e && !ms_from_iso(e, &eta))
		verr_add(&v, "eta", "invalid", "eta must be an ISO 8601 time");
	else if (!e && !handover)
		verr_add(&v, "eta", "required", "say when you will arrive (eta), or hand the order back (handover)");
	if (why && !*why)
		verr_add(&v, "reason", "required", "a reason is required");
	if (!verr_reply(&v, r))
		api_update(r, id, store_wo_late, "work order");
}
