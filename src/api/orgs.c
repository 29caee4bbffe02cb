/*
 * orgs.c — /api/v1/organizations: the organisation tree (DOMAIN §1–2).
 */
#include "api/api.h"

#include <string.h>

static const char *const org_types[] = {"platform", "manufacturer", "station", "outlet", "department", "team", NULL};

static const struct field org_fields[] = {
	{"parent_id", F_INT, false, 0, NULL, true},
	{"type", F_STR, true, 20, org_types, false},
	{"name", F_STR, true, 100, NULL, false},
	{"code", F_STR, false, 32, NULL, true},
	{"region", F_OBJ, false, 0, NULL, true},
	{"address", F_STR, false, 300, NULL, true},
	{"lat", F_NUM, false, 0, NULL, true},
	{"lon", F_NUM, false, 0, NULL, true},
	{0},
};

static const struct field region_fields[] = {
	{"province", F_STR, false, 50, NULL, true},
	{"city", F_STR, false, 50, NULL, true},
	{"district", F_STR, false, 50, NULL, true},
	{0},
};

/* Checks shared by create and update; `partial` lets required fields be absent. */
static bool check_org_body(req *r, bool partial)
{
	if (!body_required(r))
		return false;
	verr v;
	verr_init(&v);
	struct field spec[ARRAY_LEN(org_fields)];
	memcpy(spec, org_fields, sizeof spec);
	for (size_t i = 0; partial && spec[i].name; i++)
		spec[i].required = false;
	body_check(r, spec, &v);
	json_t *region = json_object_get(r->json, "region");
	if (json_is_object(region)) {
		json_t *saved = r->json;
		r->json = region;
		verr sub;
		verr_init(&sub);
		body_check(r, region_fields, &sub);
		r->json = saved;
		size_t i;
		json_t *e;
		json_array_foreach(sub.errors, i, e) {
			char f[80];
			snprintf(f, sizeof f, "region.%s", json_string_value(json_object_get(e, "field")));
			verr_add(&v, f, json_string_value(json_object_get(e, "code")),
				 json_string_value(json_object_get(e, "message")));
		}
		json_decref(sub.errors);
	}
	json_t *lat = json_object_get(r->json, "lat"), *lon = json_object_get(r->json, "lon");
	if (json_is_number(lat) && (json_number_value(lat) < -90 || json_number_value(lat) > 90))
		verr_add(&v, "lat", "range", "lat must be between -90 and 90");
	if (json_is_number(lon) && (json_number_value(lon) < -180 || json_number_value(lon) > 180))
		verr_add(&v, "lon", "range", "lon must be between -180 and 180");
	if (partial && json_is_string(json_object_get(r->json, "name")) && !*jstr(r->json, "name"))
		verr_add(&v, "name", "required", "name may not be empty");
	return !verr_reply(&v, r);
}

void h_orgs_list(req *r)
{
	int limit;
	int64_t cursor, next, parent = 0;
	if (!req_paging_default(r, 500, &limit, &cursor))
		return;
	const char *p = req_query(r, "parent_id");
	if (p && !parse_i64(p, 1, INT64_MAX, &parent)) {
		reply_problem(r, 400, "validation_failed", "parent_id must be an id");
		return;
	}
	json_t *items;
	int rc = store_orgs_list(r->db, &r->who, req_query(r, "type"), parent, req_query(r, "q"), limit, cursor, &items,
				 &next);
	if (rc != ST_OK) {
		reply_status(r, rc, "organisations");
		return;
	}
	reply_json(r, 200, page_json(items, next));
}

void h_orgs_get(req *r)
{
	api_get(r, store_org_get, "organisation");
}

void h_orgs_create(req *r)
{
	if (check_org_body(r, false))
		api_create(r, store_org_create, "organisation", "/api/v1/organizations");
}

void h_orgs_update(req *r)
{
	int64_t id;
	if (req_id_param(r, 0, &id) && check_org_body(r, true))
		api_update(r, id, store_org_update, "organisation");
}

void h_orgs_delete(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	int rc = store_org_delete(r->db, &a, id, &info);
	if (rc != ST_OK) {
		reply_store(r, rc, &info, "organisation");
		return;
	}
	reply_empty(r, 204);
}
