/*
 * appointments.c — appointments and capacity (issue 5 item 6; rules in store/appointments.c,
 * arithmetic in domain/slots.c): workshop bays (/bays), the free slots of a day offered on the
 * portal and to the agent on the phone, booking / moving / cancelling an order's appointment,
 * no-shows, the appointment board (预约看板) and the reminders of tomorrow's appointments.
 *
 * Who may: bays are read by staff (org.read) and set up with settings.write; slots and booking
 * are open to the customer for their own order (the store's scope) and to staff who change
 * orders (wo.update); the board and no-shows are staff's (wo.update).
 */
#include "api/api.h"
#include "domain/perm.h"
#include "domain/slots.h"
#include "domain/warranty.h"

#include <string.h>

static const char *const bay_kinds[] = {"mechanical", "bodywork", "paint", "quick", "wash", "other", NULL};

static const struct field bay_fields[] = {
    {"org_id", F_INT, false, 0, NULL, false},         {"name", F_STR, true, 40, NULL, false},
    {"kind", F_STR, false, 16, bay_kinds, false},     {"equipment", F_ARR, false, 0, NULL, true},
    {"daily_capacity", F_INT, false, 0, NULL, false}, {"open_min", F_INT, false, 0, NULL, true},
    {"close_min", F_INT, false, 0, NULL, true},       {"active", F_BOOL, false, 0, NULL, false},
    {"note", F_STR, false, 200, NULL, true},          {0},
};

static const struct field bay_patch_fields[] = {
    {"name", F_STR, false, 40, NULL, false},
    {"kind", F_STR, false, 16, bay_kinds, false},
    {"equipment", F_ARR, false, 0, NULL, true},
    {"daily_capacity", F_INT, false, 0, NULL, false},
    {"open_min", F_INT, false, 0, NULL, true},
    {"close_min", F_INT, false, 0, NULL, true},
    {"active", F_BOOL, false, 0, NULL, false},
    {"note", F_STR, false, 200, NULL, true},
    {0},
};

static bool is_customer(const req *r)
{
	return r->who.customer_id || (r->who.roles & (1u << ROLE_CUSTOMER));
}

static void bay_values_check(req *r, verr *v)
{
	json_t *b = r->json;
	const char *name = jstr(b, "name");
	if (name && !*name)
		verr_add(v, "name", "required", "the bay needs a name");
	json_t *cap = json_object_get(b, "daily_capacity");
	if (json_is_integer(cap) && (json_integer_value(cap) < 1 || json_integer_value(cap) > 200))
		verr_add(v, "daily_capacity", "invalid", "daily_capacity must be 1 to 200 orders a day");
	const char *mins[] = {"open_min", "close_min"};
	for (int i = 0; i < 2; i++) {
		json_t *m = json_object_get(b, mins[i]);
		if (json_is_integer(m) && (json_integer_value(m) < 0 || json_integer_value(m) > 1440))
			verr_add(v, mins[i], "invalid", "minutes of the day, 0 to 1440");
	}
	json_t *eq = json_object_get(b, "equipment");
	if (json_array_size(eq) > 30)
		verr_add(v, "equipment", "too_long", "at most 30 pieces of equipment");
	size_t i;
	json_t *e;
	json_array_foreach(eq, i,
	                   e) if (!json_is_string(e) || !*json_string_value(e) || utf8_chars(json_string_value(e)) > 60)
	{
		verr_add(v, "equipment", "invalid", "equipment is a list of names of 1 to 60 characters");
		break;
	}
}

void h_bays_list(req *r)
{
	const char *o = req_query(r, "org_id"), *act = req_query(r, "active");
	int64_t org = 0;
	verr v;
	verr_init(&v);
	if (o && *o && !parse_i64(o, 1, INT64_MAX, &org))
		verr_add(&v, "org_id", "invalid", "org_id must be an id");
	if (act && strcmp(act, "true") && strcmp(act, "false"))
		verr_add(&v, "active", "invalid", "active must be true or false");
	if (verr_reply(&v, r))
		return;
	json_t *items = NULL;
	int rc = store_bays_list(r->db, &r->who, org, act && !strcmp(act, "true"), &items);
	if (rc != ST_OK) {
		reply_status(r, rc, "bays");
		return;
	}
	reply_json(r, 200, page_json(items, 0));
}

void h_bay_get(req *r)
{
	api_get(r, store_bay_get, "bay");
}

void h_bay_create(req *r)
{
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, bay_fields, &v);
	bay_values_check(r, &v);
	if (!verr_reply(&v, r))
		api_create(r, store_bay_create, "bay", "/api/v1/bays");
}

void h_bay_update(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id) || !body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, bay_patch_fields, &v);
	bay_values_check(r, &v);
	if (!verr_reply(&v, r))
		api_update(r, id, store_bay_update, "bay");
}

void h_bay_delete(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id))
		return;
	int64_t ver = req_if_match(r);
	if (ver < 0)
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	int rc = store_bay_delete(r->db, &a, id, ver, &info);
	if (rc != ST_OK) {
		reply_store(r, rc, &info, "bay");
		return;
	}
	reply_empty(r, 204);
}

/* GET /api/v1/appointments/slots?date=&org_id=&order_id=&category=&bay_kind=&duration_min=60 */
void h_appt_slots(req *r)
{
	appt_query q = {.duration_s = 3600};
	const char *dt = req_query(r, "date"), *o = req_query(r, "org_id"), *w = req_query(r, "order_id"),
	           *dur = req_query(r, "duration_min");
	q.category = req_query(r, "category");
	q.bay_kind = req_query(r, "bay_kind");
	verr v;
	verr_init(&v);
	if (!dt || !wty_day_parse(dt, &q.day))
		verr_add(&v, "date", dt ? "invalid" : "required", "date must be a real day, YYYY-MM-DD");
	if (o && *o && !parse_i64(o, 1, INT64_MAX, &q.org_id))
		verr_add(&v, "org_id", "invalid", "org_id must be an id");
	if (q.org_id && is_customer(r))
		verr_add(&v, "org_id", "invalid", "a customer sees the slots of their own request (order_id)");
	if (w && *w && !parse_i64(w, 1, INT64_MAX, &q.order_id))
		verr_add(&v, "order_id", "invalid", "order_id must be an id");
	int64_t m = 60;
	if (dur && (!parse_i64(dur, 1, SLOT_MAX_DURATION_S / 60, &m) || m % (SLOT_STEP_S / 60)))
		verr_add(&v, "duration_min", "invalid", "duration_min must be 30 to 720 minutes in steps of 30");
	q.duration_s = m * 60;
	if (q.category && !*q.category)
		q.category = NULL;
	else if (q.category && utf8_chars(q.category) > 40)
		verr_add(&v, "category", "invalid", "category is at most 40 characters");
	if (q.bay_kind) {
		bool known = false;
		for (int i = 0; bay_kinds[i]; i++)
			known = known || !strcmp(q.bay_kind, bay_kinds[i]);
		if (!known)
			verr_add(&v, "bay_kind", "invalid",
			         "bay_kind is one of mechanical, bodywork, paint, quick, wash, other");
	}
	if (verr_reply(&v, r))
		return;
	st_info info = {0};
	json_t *out = NULL;
	int rc = store_appt_slots(r->db, &r->who, &q, &out, &info);
	if (rc != ST_OK) {
		reply_store(r, rc, &info, "work order");
		return;
	}
	reply_json(r, 200, out);
}

/* GET /api/v1/appointments?date=&org_id= : the board (预约看板) of a day. */
void h_appt_board(req *r)
{
	const char *dt = req_query(r, "date"), *o = req_query(r, "org_id");
	int32_t day = (int32_t)((now_ms() + (int64_t)r->who.tz_offset_min * 60000) / 86400000);
	int64_t org = 0;
	verr v;
	verr_init(&v);
	if (dt && *dt && !wty_day_parse(dt, &day))
		verr_add(&v, "date", "invalid", "date must be a real day, YYYY-MM-DD");
	if (o && *o && !parse_i64(o, 1, INT64_MAX, &org))
		verr_add(&v, "org_id", "invalid", "org_id must be an id");
	if (verr_reply(&v, r))
		return;
	json_t *out = NULL;
	int rc = store_appt_board(r->db, &r->who, day, org, &out);
	if (rc != ST_OK) {
		reply_status(r, rc, "organisation");
		return;
	}
	reply_json(r, 200, out);
}

static const struct field book_fields[] = {
    {"start", F_STR, true, 40, NULL, false},
    {"end", F_STR, false, 40, NULL, true},
    {"duration_min", F_INT, false, 0, NULL, true},
    {"bay_id", F_INT, false, 0, NULL, true},
    {0},
};

/* Staff who change orders, or the customer (their own order: the store's scope). */
static bool may_book(req *r)
{
	return is_customer(r) || req_can(r, P_WO_UPDATE);
}

/* POST /api/v1/work-orders/{id}/appointment {start, end? | duration_min?, bay_id?} */
void h_appt_book(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id) || !may_book(r) || !body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, book_fields, &v);
	int64_t s = 0, e = 0, now = now_ms();
	const char *start = jstr(r->json, "start"), *end = jstr(r->json, "end");
	json_t *dur = json_object_get(r->json, "duration_min"), *bay = json_object_get(r->json, "bay_id");
	if (start && !ms_from_iso(start, &s))
		verr_add(&v, "start", "invalid", "start must be an ISO 8601 time such as 2026-11-24T09:00:00+08:00");
	else if (start && (s % 1000 || !slots_on_grid(s / 1000, r->who.tz_offset_min)))
		verr_add(&v, "start", "not_on_grid", "appointments start on the half hour (09:00, 09:30 …)");
	else if (start && s < now)
		verr_add(&v, "start", "past", "the slot has already begun");
	if (end && json_is_integer(dur))
		verr_add(&v, "end", "invalid", "give end or duration_min, not both");
	else if (end && !ms_from_iso(end, &e))
		verr_add(&v, "end", "invalid", "end must be an ISO 8601 time");
	else if (json_is_integer(dur))
		e = s + json_integer_value(dur) * 60000;
	else if (!end)
		e = s + 3600000;
	if (s && e &&
	    (e <= s || e - s > (int64_t)SLOT_MAX_DURATION_S * 1000 || (e - s) % ((int64_t)SLOT_STEP_S * 1000)))
		verr_add(&v, json_is_integer(dur) ? "duration_min" : "end", "invalid",
		         "an appointment lasts 30 minutes to 12 hours, in steps of 30 minutes");
	if (json_is_integer(bay) && json_integer_value(bay) <= 0)
		verr_add(&v, "bay_id", "invalid", "bay_id must be an id");
	if (verr_reply(&v, r))
		return;
	int64_t ver = req_if_match(r);
	if (ver < 0)
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_appt_book(r->db, &a, id, ver, s, e, json_integer_value(bay), &o, &info);
	if (rc != ST_OK) {
		reply_store(r, rc, &info, "work order");
		return;
	}
	reply_record(r, 200, o, NULL);
}

/* DELETE /api/v1/work-orders/{id}/appointment */
void h_appt_cancel(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id) || !may_book(r))
		return;
	int64_t ver = req_if_match(r);
	if (ver < 0)
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_appt_cancel(r->db, &a, id, ver, &o, &info);
	if (rc != ST_OK) {
		reply_store(r, rc, &info, "work order");
		return;
	}
	reply_record(r, 200, o, NULL);
}

static const struct field no_show_fields[] = {
    {"reason", F_STR, false, 200, NULL, true},
    {0},
};

/* POST /api/v1/work-orders/{id}/no-show {reason?} */
void h_appt_no_show(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id))
		return;
	if (!r->json && r->body.len == 0)
		r->json = json_object();
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, no_show_fields, &v);
	if (verr_reply(&v, r))
		return;
	int64_t ver = req_if_match(r);
	if (ver < 0)
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_appt_no_show(r->db, &a, id, ver, jstr(r->json, "reason"), &o, &info);
	if (rc != ST_OK) {
		reply_store(r, rc, &info, "work order");
		return;
	}
	reply_record(r, 200, o, NULL);
}

static const struct field remind_fields[] = {
    {"date", F_STR, false, 10, NULL, true},
    {0},
};

/* POST /api/v1/appointments/reminders {date?}: what the scheduler does every hour, now. */
void h_appt_reminders(req *r)
{
	if (!r->json && r->body.len == 0)
		r->json = json_object();
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, remind_fields, &v);
	int32_t day = (int32_t)((now_ms() + (int64_t)r->who.tz_offset_min * 60000) / 86400000) + 1;
	const char *dt = jstr(r->json, "date");
	if (dt && !wty_day_parse(dt, &day))
		verr_add(&v, "date", "invalid", "date must be a real day, YYYY-MM-DD");
	if (verr_reply(&v, r))
		return;
	int64_t sent = 0;
	int rc = store_appt_reminders(r->db, r->who.tenant_id, day, &sent);
	if (rc != ST_OK) {
		reply_status(r, rc, "reminders");
		return;
	}
	char d[11];
	wty_day_format(day, d);
	reply_json(r, 200, json_pack("{s:s, s:I}", "date", d, "sent", (json_int_t)sent));
}
