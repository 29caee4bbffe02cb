/*
 * work_orders.c — /api/v1/work-orders: the foundation slice of DOMAIN §3 (create, read,
 * update with If-Match, list with filters and cursor, timeline). The smallest create of
 * DESIGN.md must keep working as the model grows.
 */
#include "api/api.h"
#include "domain/phone.h"

#include <string.h>

static const char *const wo_types[] = {"repair", "install", "maintenance", "inspection", "return", "consultation", NULL};
static const char *const wo_priorities[] = {"P1", "P2", "P3", "P4", NULL};
static const char *const wo_channels[] = {"phone", "web", "wechat", "sms", "email", "walk_in", "api", NULL};
static const char *const wo_statuses[] = {"new", "accepted", "dispatched", "taken", "on_the_way", "in_service",
					  "waiting_parts", "waiting_customer", "completed", "qc_passed", "settled",
					  "closed", "followed_up", "cancelled", NULL};

static const struct field wo_fields[] = {
	{"type", F_STR, true, 20, wo_types, false},
	{"priority", F_STR, false, 4, wo_priorities, false},
	{"channel", F_STR, false, 10, wo_channels, false},
	{"customer", F_OBJ, false, 0, NULL, false},
	{"customer_id", F_INT, false, 0, NULL, false},
	{"org_id", F_INT, false, 0, NULL, false},
	{"address", F_STR, false, 300, NULL, true},
	{"fault_description", F_STR, true, 2000, NULL, false},
	{0},
};

static const struct field wo_patch_fields[] = {
	{"type", F_STR, false, 20, wo_types, false},
	{"priority", F_STR, false, 4, wo_priorities, false},
	{"address", F_STR, false, 300, NULL, true},
	{"fault_description", F_STR, false, 2000, NULL, false},
	{0},
};

static const struct field customer_fields[] = {
	{"name", F_STR, true, 64, NULL, false},
	{"phone", F_STR, true, 32, NULL, false},
	{0},
};

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
