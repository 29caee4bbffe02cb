/*
 * care.c — customer care (客户关怀, DOMAIN §6, issue 3 item 8): the ABC contact plans as tenant
 * data (/api/v1/care-plans) and the contact tasks they generate (/api/v1/contact-tasks): the
 * list of what is due or overdue by owner and outlet, a task given to someone, a task done
 * with its outcome, and the generator (idempotent: one open task per customer) the
 * scheduler calls daily and a person may start at any time.
 */
#include "api/api.h"
#include "domain/care.h"
#include "domain/warranty.h"

#include <string.h>

static const char *const classes[] = {"A", "B", "C", NULL};
static const char *const outcomes[] = {"reached", "no_answer", "wrong_number", "refused", "visit_booked", NULL};

static const struct field plans_fields[] = {
	{"items", F_ARR, true, 0, NULL, false},
	{0},
};

static const struct field plan_fields[] = {
	{"class", F_STR, true, 1, classes, false},
	{"every_days", F_INT, false, 0, NULL, false},
	{"every_months", F_INT, false, 0, NULL, false},
	{0},
};

void h_care_plans_get(req *r)
{
	json_t *o;
	int rc = store_care_plans(r->db, &r->who, &o);
	if (rc != ST_OK) {
		reply_status(r, rc, "care plans");
		return;
	}
	reply_json(r, 200, o);
}

/* PUT {"items":[{"class":"A","every_days":7},{"class":"B","every_months":1},…]}: each class
 * named goes by days or by months (one of them, 1..366 days or 1..24 months). */
void h_care_plans_set(req *r)
{
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, plans_fields, &v);
	json_t *items = json_object_get(r->json, "items");
	size_t i;
	json_t *it;
	if (json_is_array(items) && (!json_array_size(items) || json_array_size(items) > 3))
		verr_add(&v, "items", "invalid", "one to three plans, for classes A, B and C");
	json_array_foreach(items, i, it) {
		char f[40];
		snprintf(f, sizeof f, "items[%zu]", i);
		if (!json_is_object(it)) {
			verr_add(&v, f, "type", "a plan is {class, every_days | every_months}");
			continue;
		}
		json_t *saved = r->json;
		verr sub;
		verr_init(&sub);
		r->json = it;
		body_check(r, plan_fields, &sub);
		r->json = saved;
		size_t k;
		json_t *e;
		json_array_foreach(sub.errors, k, e) {
			char ff[128];
			snprintf(ff, sizeof ff, "%s.%s", f, json_string_value(json_object_get(e, "field")));
			verr_add(&v, ff, json_string_value(json_object_get(e, "code")), json_string_value(json_object_get(e, "message")));
		}
		bool bad = json_array_size(sub.errors) > 0;
		json_decref(sub.errors);
		if (bad)
			continue;
		int64_t d = json_integer_value(json_object_get(it, "every_days")),
			m = json_integer_value(json_object_get(it, "every_months"));
		if (!care_plan_valid(d, m))
			verr_add(&v, f, "invalid", "give every_days (1..366) or every_months (1..24), one of them");
		for (size_t j = 0; j < i; j++)
			if (!strcmp(jstr(json_array_get(items, j), "class") ? jstr(json_array_get(items, j), "class") : "",
				    jstr(it, "class")))
				verr_add(&v, f, "duplicate", "a class is given twice");
		json_object_set_new(it, "every_days", json_integer(d > 0 ? d : 0));
		json_object_set_new(it, "every_months", json_integer(d > 0 ? 0 : m));
	}
	if (verr_reply(&v, r))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	json_t *o;
	int rc = store_care_plans_set(r->db, &a, r->json, &o, &info);
	if (rc != ST_OK) {
		reply_store(r, rc, &info, "care plans");
		return;
	}
	reply_json(r, 200, o);
}

void h_tasks_list(req *r)
{
	int limit;
	int64_t cursor;
	if (!req_paging(r, &limit, &cursor))
		return;
	task_filter f = {0};
	verr v;
	verr_init(&v);
	const char *s;
	f.status = req_query(r, "status");
	if (f.status && strcmp(f.status, "open") && strcmp(f.status, "done") && strcmp(f.status, "cancelled") &&
	    strcmp(f.status, "all"))
		verr_add(&v, "status", "invalid", "status is open, done, cancelled or all");
	f.due = req_query(r, "due");
	if (f.due && strcmp(f.due, "overdue") && strcmp(f.due, "today") && strcmp(f.due, "week"))
		verr_add(&v, "due", "invalid", "due is overdue, today or week");
	if ((s = req_query(r, "owner_id"))) {
		if (!strcmp(s, "me"))
			f.mine = true;
		else if (!parse_i64(s, 1, INT64_MAX, &f.owner_id))
			verr_add(&v, "owner_id", "invalid", "owner_id is a user id or me");
	}
	if ((s = req_query(r, "org_id")) && !parse_i64(s, 1, INT64_MAX, &f.org_id))
		verr_add(&v, "org_id", "invalid", "org_id must be an id");
	if ((s = req_query(r, "customer_id")) && !parse_i64(s, 1, INT64_MAX, &f.customer_id))
		verr_add(&v, "customer_id", "invalid", "customer_id must be an id");
	if (verr_reply(&v, r))
		return;
	json_t *items;
	int64_t next;
	int rc = store_tasks_list(r->db, &r->who, &f, limit, cursor, &items, &next);
	if (rc != ST_OK) {
		reply_status(r, rc, f.org_id ? "organisation" : "contact tasks");
		return;
	}
	reply_json(r, 200, page_json(items, next));
}

static const struct field gen_fields[] = {
	{"horizon_days", F_INT, false, 0, NULL, false},
	{"date", F_STR, false, 10, NULL, false},
	{0},
};

/* POST {"horizon_days":7,"date":"2026-11-20"}: tasks due by date + horizon (default today, 7). */
void h_tasks_generate(req *r)
{
	verr v;
	verr_init(&v);
	int32_t day = 0;
	int64_t horizon = 7;
	if (r->json) {
		body_check(r, gen_fields, &v);
		json_t *h = json_object_get(r->json, "horizon_days");
		if (json_is_integer(h) && (json_integer_value(h) < 0 || json_integer_value(h) > 60))
			verr_add(&v, "horizon_days", "invalid", "horizon_days is 0..60");
		else if (json_is_integer(h))
			horizon = json_integer_value(h);
		const char *d = jstr(r->json, "date");
		if (d && !wty_day_parse(d, &day))
			verr_add(&v, "date", "invalid", "date is YYYY-MM-DD");
	}
	if (verr_reply(&v, r))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	int64_t created = 0;
	int rc = store_tasks_generate(r->db, &a, day, (int)horizon, &created);
	if (rc != ST_OK) {
		reply_status(r, rc, "contact tasks");
		return;
	}
	reply_json(r, 200, json_pack("{s:I, s:I}", "created", (json_int_t)created, "horizon_days", (json_int_t)horizon));
}

void h_task_get(req *r)
{
	api_get(r, store_task_get, "contact task");
}

static const struct field task_patch_fields[] = {
	{"owner_id", F_INT, false, 0, NULL, true},
	{"due_on", F_STR, false, 10, NULL, false},
	{"note", F_STR, false, 500, NULL, true},
	{0},
};

void h_task_update(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id) || !body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, task_patch_fields, &v);
	int32_t d;
	const char *due = jstr(r->json, "due_on");
	if (due && !wty_day_parse(due, &d))
		verr_add(&v, "due_on", "invalid", "due_on is a date YYYY-MM-DD");
	if (verr_reply(&v, r))
		return;
	api_update(r, id, store_task_update, "contact task");
}

static const struct field done_fields[] = {
	{"outcome", F_STR, true, 20, outcomes, false},
	{"note", F_STR, false, 500, NULL, true},
	{0},
};

void h_task_done(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id) || !body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, done_fields, &v);
	if (verr_reply(&v, r))
		return;
	api_update(r, id, store_task_done, "contact task");
}
