/*
 * saved_filters.c — /api/v1/saved-filters: the caller's own saved work-order list filters
 * (issue 4 item 11). A filter is a name (at most 40 characters) and `query`, an object of the
 * list's filter parameters (GET /work-orders: status, q, type, priority, created_from,
 * created_to, customer_id, assignee_id, asset_id, late, org_id, and the console's from/to
 * dates) with string or whole-number values; at most 50 per user, names unique per user.
 */
#include "api/api.h"

#include <string.h>

static const struct field filter_fields[] = {
	{"name", F_STR, true, 40, NULL, false},
	{"query", F_OBJ, true, 0, NULL, false},
	{0},
};

/* The parameters a saved filter may hold: the list's filters (and the console's date range). */
static const char *const query_keys[] = {"status", "q", "type", "priority", "created_from", "created_to",
					 "customer_id", "from", "to", "late", "assignee_id", "asset_id", "org_id", NULL};

static bool known_key(const char *k)
{
	for (int i = 0; query_keys[i]; i++)
		if (!strcmp(k, query_keys[i]))
			return true;
	return false;
}

void h_filters_list(req *r)
{
	json_t *items = NULL;
	int rc = store_filters_list(r->db, &r->who, &items);
	if (rc != ST_OK) {
		reply_status(r, rc, "saved filters");
		return;
	}
	reply_json(r, 200, json_pack("{s:o}", "items", items));
}

void h_filters_create(req *r)
{
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, filter_fields, &v);
	const char *name = jstr(r->json, "name");
	if (name) {
		const char *p = name;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			verr_add(&v, "name", "required", "give the filter a name");
	}
	json_t *q = json_object_get(r->json, "query");
	if (json_is_object(q)) {
		const char *k;
		json_t *val;
		json_object_foreach(q, k, val) {
			char field[80];
			snprintf(field, sizeof field, "query.%s", k);
			if (!known_key(k)) {
				verr_add(&v, field, "unknown", "not a filter of the work-order list");
			} else if (json_is_string(val)) {
				if (utf8_chars(json_string_value(val)) > 200)
					verr_add(&v, field, "too_long", "at most 200 characters");
			} else if (!json_is_integer(val) && !json_is_null(val)) {
				verr_add(&v, field, "type", "a filter value is a string or a whole number");
			}
		}
	}
	if (!verr_reply(&v, r))
		api_create(r, store_filter_create, "saved filter", "/api/v1/saved-filters");
}

void h_filters_delete(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	int rc = store_filter_delete(r->db, &a, id);
	if (rc != ST_OK) {
		reply_status(r, rc, "saved filter");
		return;
	}
	reply_empty(r, 204);
}
