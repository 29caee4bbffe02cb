/*
 * work_orders.c — /api/v1/work-orders: the foundation slice of DOMAIN §3 (create, read,
 * update with If-Match, list with filters and cursor, timeline). The smallest create of
 * DESIGN.md must keep working as the model grows.
 */
#include "api/api.h"
#include "domain/perm.h"
#include "domain/phone.h"

#include <math.h>
#include <string.h>

static const char *const wo_types[] = {"repair", "install", "maintenance", "inspection", "return", "consultation", NULL};
static const char *const wo_priorities[] = {"P1", "P2", "P3", "P4", NULL};
static const char *const wo_channels[] = {"phone", "web", "wechat", "sms", "email", "walk_in", "api", NULL};
static const char *const wo_statuses[] = {"new", "accepted", "dispatched", "taken", "on_the_way", "in_service",
					  "waiting_parts", "waiting_customer", "completed", "qc_passed", "settled",
					  "closed", "followed_up", "cancelled", NULL};

static const char *const work_classes[] = {"major", "medium", "minor", NULL};
static const char *const payment_types[] = {"self_pay", "warranty", "claim", "insurance", NULL};

static const struct field wo_fields[] = {
	{"type", F_STR, true, 20, wo_types, false},
	{"priority", F_STR, false, 4, wo_priorities, false},
	{"channel", F_STR, false, 10, wo_channels, false},
	{"customer", F_OBJ, false, 0, NULL, false},
	{"customer_id", F_INT, false, 0, NULL, false},
	{"org_id", F_INT, false, 0, NULL, false},
	{"address", F_STR, false, 300, NULL, true},
	{"fault_description", F_STR, true, 2000, NULL, false},
	{"asset_id", F_INT, false, 0, NULL, true},
	{"fault_category_id", F_INT, false, 0, NULL, true},
	{"fault_code", F_STR, false, 40, NULL, true},
	{"work_class", F_STR, false, 10, work_classes, true},
	{"payment_type", F_STR, false, 10, payment_types, true},
	{"contract", F_STR, false, 60, NULL, true},
	{"region", F_STR, false, 60, NULL, true},
	{"lat", F_NUM, false, 0, NULL, true},
	{"lon", F_NUM, false, 0, NULL, true},
	{"appointment_start", F_STR, false, 40, NULL, true},
	{"appointment_end", F_STR, false, 40, NULL, true},
	{"mileage", F_INT, false, 0, NULL, true},
	{0},
};

static const char *const work_classes_p[] = {"major", "medium", "minor", NULL};
static const char *const payment_types_p[] = {"self_pay", "warranty", "claim", "insurance", NULL};

static const struct field wo_patch_fields[] = {
	{"type", F_STR, false, 20, wo_types, false},
	{"priority", F_STR, false, 4, wo_priorities, false},
	{"address", F_STR, false, 300, NULL, true},
	{"fault_description", F_STR, false, 2000, NULL, false},
	{"fault_category_id", F_INT, false, 0, NULL, true},
	{"fault_code", F_STR, false, 40, NULL, true},
	{"work_class", F_STR, false, 10, work_classes_p, true},
	{"payment_type", F_STR, false, 10, payment_types_p, true},
	{"contract", F_STR, false, 60, NULL, true},
	{"region", F_STR, false, 60, NULL, true},
	{"lat", F_NUM, false, 0, NULL, true},
	{"lon", F_NUM, false, 0, NULL, true},
	{"appointment_start", F_STR, false, 40, NULL, true},
	{"appointment_end", F_STR, false, 40, NULL, true},
	{0},
};

static const struct field customer_fields[] = {
	{"name", F_STR, true, 64, NULL, false},
	{"phone", F_STR, true, 32, NULL, false},
	{0},
};

/* Appointment window as ISO times (converted to ms for the store), coordinates in range,
 * mileage not negative. */
static void check_times_and_place(req *r, verr *v)
{
	int64_t t[2] = {0, 0};
	const char *names[2] = {"appointment_start", "appointment_end"};
	for (int i = 0; i < 2; i++) {
		const char *s = json_string_value(json_object_get(r->json, names[i]));
		if (s && !ms_from_iso(s, &t[i]))
			verr_add(v, names[i], "invalid", "must be an ISO 8601 time such as 2026-11-24T09:00:00+08:00");
	}
	if (t[0] && t[1] && t[1] <= t[0])
		verr_add(v, "appointment_end", "invalid", "the appointment must end after it starts");
	json_t *lat = json_object_get(r->json, "lat"), *lon = json_object_get(r->json, "lon");
	if (json_is_number(lat) && fabs(json_number_value(lat)) > 90)
		verr_add(v, "lat", "invalid", "lat must be between -90 and 90");
	if (json_is_number(lon) && fabs(json_number_value(lon)) > 180)
		verr_add(v, "lon", "invalid", "lon must be between -180 and 180");
	json_t *km = json_object_get(r->json, "mileage");
	if (json_is_integer(km) && json_integer_value(km) < 0)
		verr_add(v, "mileage", "invalid", "mileage may not be negative");
}

void h_wo_create(req *r)
{
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, wo_fields, &v);
	json_t *cust = json_object_get(r->json, "customer");
	bool has_id = json_object_get(r->json, "customer_id") != NULL;
	if (!cust && !has_id && !(r->who.customer_id))
		verr_add(&v, "customer", "required", "give customer {name, phone} or customer_id");
	if (cust && has_id)
		verr_add(&v, "customer", "invalid", "give customer or customer_id, not both");
	if (json_is_object(cust)) {
		json_t *saved = r->json;
		r->json = cust;
		verr sub;
		verr_init(&sub);
		body_check(r, customer_fields, &sub);
		r->json = saved;
		size_t i;
		json_t *e;
		json_array_foreach(sub.errors, i, e) {
			char f[80];
			snprintf(f, sizeof f, "customer.%s", json_string_value(json_object_get(e, "field")));
			verr_add(&v, f, json_string_value(json_object_get(e, "code")),
				 json_string_value(json_object_get(e, "message")));
		}
		bool phone_ok = true;
		size_t k;
		json_t *se;
		json_array_foreach(sub.errors, k, se) if (!strcmp(json_string_value(json_object_get(se, "field")), "phone"))
			phone_ok = false;
		json_decref(sub.errors);
		const char *phone = jstr(cust, "phone");
		char norm[20];
		if (phone_ok && phone) {
			if (!phone_normalize(phone, norm))
				verr_add(&v, "customer.phone", "invalid", "customer.phone is not a valid Chinese phone number");
			else
				json_object_set_new(cust, "phone", json_string(norm));
		}
	}
	/* the channel says where the request came from: a customer's own request comes from the
	 * portal (web); anything else that does not say is the API (the screens always say) */
	if (!json_object_get(r->json, "channel"))
		json_object_set_new(r->json, "channel", json_string(r->who.roles & (1u << ROLE_CUSTOMER) ? "web" : "api"));
	check_times_and_place(r, &v);
	if (!verr_reply(&v, r))
		api_create(r, store_wo_create, "work order", "/api/v1/work-orders");
}

void h_wo_get(req *r)
{
	api_get(r, store_wo_get, "work order");
}

void h_wo_update(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id) || !body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, wo_patch_fields, &v);
	if (json_is_string(json_object_get(r->json, "fault_description")) && !*jstr(r->json, "fault_description"))
		verr_add(&v, "fault_description", "required", "fault_description may not be empty");
	check_times_and_place(r, &v);
	if (!verr_reply(&v, r))
		api_update(r, id, store_wo_update, "work order");
}

static bool one_of(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(s, *set))
			return true;
	return false;
}

void h_wo_list(req *r)
{
	int limit;
	int64_t cursor;
	if (!req_paging(r, &limit, &cursor))
		return;
	wo_filter f = {0};
	verr v;
	verr_init(&v);
	f.status = req_query(r, "status");
	f.q = req_query(r, "q");
	f.type = req_query(r, "type");
	f.priority = req_query(r, "priority");
	if (f.status && *f.status) {
		char tmp[400];
		snprintf(tmp, sizeof tmp, "%s", f.status);
		for (char *s = tmp, *comma; s; s = comma ? comma + 1 : NULL) {
			comma = strchr(s, ',');
			if (comma)
				*comma = '\0';
			if (!one_of(s, wo_statuses)) {
				verr_add(&v, "status", "invalid", "unknown status in the status filter");
				break;
			}
		}
	} else {
		f.status = NULL;
	}
	if (f.type && !one_of(f.type, wo_types))
		verr_add(&v, "type", "invalid", "unknown type");
	if (f.priority && !one_of(f.priority, wo_priorities))
		verr_add(&v, "priority", "invalid", "priority must be P1..P4");
	if (f.q && (!*f.q || utf8_chars(f.q) > 100)) {
		if (*f.q)
			verr_add(&v, "q", "too_long", "q is too long (at most 100 characters)");
		else
			f.q = NULL;
	}
	const char *from = req_query(r, "created_from"), *to = req_query(r, "created_to");
	if (from && !ms_from_iso(from, &f.created_from))
		verr_add(&v, "created_from", "invalid", "created_from must be a date (2026-11-01) or ISO 8601 time");
	if (to && !ms_from_iso(to, &f.created_to))
		verr_add(&v, "created_to", "invalid", "created_to must be a date (2026-11-30) or ISO 8601 time");
	else if (to && strlen(to) == 10)
		f.created_to += 86400000; /* a date includes its whole day */
	const char *cid = req_query(r, "customer_id");
	if (cid && !parse_i64(cid, 1, INT64_MAX, &f.customer_id))
		verr_add(&v, "customer_id", "invalid", "customer_id must be an id");
	const char *aid = req_query(r, "assignee_id");
	if (aid && !strcmp(aid, "me"))
		f.assignee_id = r->who.user_id;
	else if (aid && !parse_i64(aid, 1, INT64_MAX, &f.assignee_id))
		verr_add(&v, "assignee_id", "invalid", "assignee_id must be an id or me");
	const char *asid = req_query(r, "asset_id");
	if (asid && !parse_i64(asid, 1, INT64_MAX, &f.asset_id))
		verr_add(&v, "asset_id", "invalid", "asset_id must be an id");
	const char *late = req_query(r, "late");
	if (late && strcmp(late, "true") && strcmp(late, "false"))
		verr_add(&v, "late", "invalid", "late must be true or false");
	f.late = late && !strcmp(late, "true");
	if (verr_reply(&v, r))
		return;
	json_t *items;
	int64_t next;
	int rc = store_wo_list(r->db, &r->who, &f, limit, cursor, &items, &next);
	if (rc != ST_OK) {
		reply_status(r, rc, "work orders");
		return;
	}
	reply_json(r, 200, page_json(items, next));
}

void h_wo_timeline(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id))
		return;
	json_t *items;
	int rc = store_wo_timeline(r->db, &r->who, id, &items);
	if (rc != ST_OK) {
		reply_status(r, rc, "work order");
		return;
	}
	reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static const char *const hold_kinds[] = {"parts", "customer", NULL};

static const struct field event_fields[] = {
	{"reason", F_STR, false, 500, NULL, true},
	{"assignee_id", F_INT, false, 0, NULL, true},
	{"kind", F_STR, false, 10, hold_kinds, true},
	{"checklist", F_ARR, false, 0, NULL, true},
	{"appointment_start", F_STR, false, 40, NULL, true},
	{"appointment_end", F_STR, false, 40, NULL, true},
	{"override_reason", F_STR, false, 200, NULL, true},
	{"signature", F_STR, false, 900000, NULL, true}, /* complete: the customer's signature */
	{"signed_by", F_STR, false, 100, NULL, true},
	{"eta", F_STR, false, 40, NULL, true}, /* depart: the expected arrival, told to the customer */
	{0},
};

/* POST /api/v1/work-orders/{id}/{event}: the event is the last path segment. */
void h_wo_event(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id))
		return;
	const char *slash = strrchr(r->path, '/');
	const char *event = slash ? slash + 1 : "";
	if (!r->json && r->body.len == 0)
		r->json = json_object();
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, event_fields, &v);
	int64_t appt[2] = {0, 0};
	const char *as = jstr(r->json, "appointment_start"), *ae = jstr(r->json, "appointment_end");
	if (as && !ms_from_iso(as, &appt[0]))
		verr_add(&v, "appointment_start", "invalid", "appointment_start must be an ISO 8601 time");
	if (ae && (!ms_from_iso(ae, &appt[1]) || !as || appt[1] <= appt[0]))
		verr_add(&v, "appointment_end", "invalid", "appointment_end must be a time after appointment_start");
	int64_t eta;
	const char *et = jstr(r->json, "eta");
	if (et && (strcmp(event, "depart") || !ms_from_iso(et, &eta)))
		verr_add(&v, "eta", "invalid", "eta is the expected arrival (ISO 8601) of a depart event");
	if (json_object_get(r->json, "signature") && strcmp(event, "complete"))
		verr_add(&v, "signature", "invalid", "only the complete event takes the customer's signature");
	json_t *list = json_object_get(r->json, "checklist");
	size_t i;
	json_t *it;
	if (json_array_size(list) > 200)
		verr_add(&v, "checklist", "too_long", "at most 200 checklist items");
	json_array_foreach(list, i, it) {
		if (!json_is_object(it) || !json_is_string(json_object_get(it, "label")) ||
		    utf8_chars(json_string_value(json_object_get(it, "label"))) > 200 ||
		    (json_object_get(it, "checked") && !json_is_boolean(json_object_get(it, "checked")))) {
			verr_add(&v, "checklist", "invalid", "checklist items are {key, label, checked, note}");
			break;
		}
	}
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
	int rc = store_wo_transition(r->db, &a, id, ver, event, r->json, &o, &info);
	if (rc != ST_OK) {
		reply_store(r, rc, &info, "work order");
		return;
	}
	reply_record(r, 200, o, NULL);
}

static const struct field comment_fields[] = {
	{"text", F_STR, true, 2000, NULL, false},
	{"public", F_BOOL, false, 0, NULL, false},
	{0},
};

/* POST /api/v1/work-orders/{id}/comments: an internal comment, or a note the customer sees. */
void h_wo_comment(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id) || !body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, comment_fields, &v);
	const char *text = jstr(r->json, "text");
	if (text && !*text)
		verr_add(&v, "text", "required", "the comment is empty");
	if (verr_reply(&v, r))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	/* a customer's words are always visible to the customer */
	bool pub = json_is_true(json_object_get(r->json, "public")) || (r->who.roles & (1u << ROLE_CUSTOMER));
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_wo_comment(r->db, &a, id, text, pub, &o, &info);
	if (rc != ST_OK) {
		reply_store(r, rc, &info, "work order");
		return;
	}
	reply_json(r, 201, o);
}

void h_wo_outbox(req *r)
{
	int64_t id;
	int limit;
	int64_t cursor;
	if (!req_id_param(r, 0, &id) || !req_paging(r, &limit, &cursor))
		return;
	json_t *order = NULL;
	int rc = store_wo_get(r->db, &r->who, id, &order);
	json_decref(order);
	if (rc != ST_OK) {
		reply_status(r, rc, "work order");
		return;
	}
	json_t *items;
	int64_t next;
	rc = store_outbox_list(r->db, &r->who, id, NULL, limit, cursor, &items, &next);
	if (rc != ST_OK) {
		reply_status(r, rc, "outbox");
		return;
	}
	reply_json(r, 200, page_json(items, next));
}
