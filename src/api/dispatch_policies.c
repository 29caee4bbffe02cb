/*
 * dispatch_policies.c — /api/v1/dispatch/policies: how orders are dispatched per organisation,
 * order type and priority (mode manual | suggest | auto, the technician's time to accept,
 * scoring weights), and which policy applies to an order (issue 5; rules in
 * store/dispatch_policies.c). Whoever dispatches reads them; settings.write replaces them.
 */
#include "api/api.h"

#include <string.h>

#define POLICIES_MAX 200

static const char *const modes[] = {"manual", "suggest", "auto", NULL};
static const char *const wo_types[] = {"repair", "install", "maintenance", "inspection", "return", "consultation", NULL};
static const char *const priorities[] = {"P1", "P2", "P3", "P4", NULL};
/* What the dispatch scorer weighs (0..100 each; DOMAIN §4). */
static const char *const weight_keys[] = {"distance", "load", "skill", "level", "score", NULL};

static const struct field item_fields[] = {
	{"org_id", F_INT, false, 0, NULL, true},
	{"order_type", F_STR, false, 16, wo_types, true},
	{"priority", F_STR, false, 2, priorities, true},
	{"mode", F_STR, true, 8, modes, false},
	{"accept_timeout_min", F_INT, false, 0, NULL, true},
	{"weights", F_OBJ, false, 0, NULL, true},
	{0},
};

static void check_weights(json_t *w, const char *field, verr *v)
{
	const char *k;
	json_t *x;
	json_object_foreach(w, k, x) {
		bool known = false;
		for (int i = 0; weight_keys[i]; i++)
			known = known || !strcmp(k, weight_keys[i]);
		if (!known || !json_is_integer(x) || json_integer_value(x) < 0 || json_integer_value(x) > 100) {
			verr_add(v, field, "invalid", "weights: distance, load, skill, level, score, each 0 to 100");
			return;
		}
	}
}

static bool same_key(json_t *a, json_t *b, const char *k)
{
	json_t *x = json_object_get(a, k), *y = json_object_get(b, k);
	if (!x || json_is_null(x) || !y || json_is_null(y))
		return (!x || json_is_null(x)) && (!y || json_is_null(y));
	return json_equal(x, y);
}

static void check_item(req *r, json_t *items, size_t i, verr *v)
{
	json_t *x = json_array_get(items, i);
	char pfx[32], f[64];
	snprintf(pfx, sizeof pfx, "items[%zu]", i);
	if (!item_check(r, x, item_fields, pfx, v))
		return;
	json_t *t = json_object_get(x, "accept_timeout_min");
	snprintf(f, sizeof f, "%s.accept_timeout_min", pfx);
	if (json_is_integer(t) && (json_integer_value(t) < 1 || json_integer_value(t) > 1440))
		verr_add(v, f, "range", "accept_timeout_min is 1 to 1440");
	snprintf(f, sizeof f, "%s.weights", pfx);
	check_weights(json_object_get(x, "weights"), f, v);
	for (size_t j = 0; j < i; j++) {
		json_t *y = json_array_get(items, j);
		if (json_is_object(y) && same_key(x, y, "org_id") && same_key(x, y, "order_type") &&
		    same_key(x, y, "priority")) {
			snprintf(f, sizeof f, "%s.org_id", pfx);
			verr_add(v, f, "duplicate", "one policy per organisation, order type and priority");
			return;
		}
	}
}

void h_dpolicy_list(req *r)
{
	json_t *o = NULL;
	int rc = store_dpolicy_list(r->db, &r->who, &o);
	if (rc != ST_OK) {
		reply_status(r, rc, "dispatch policies");
		return;
	}
	reply_json(r, 200, o);
}

void h_dpolicy_put(req *r)
{
	static const struct field fields[] = {{"items", F_ARR, true, 0, NULL, false}, {0}};
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, fields, &v);
	json_t *items = json_object_get(r->json, "items");
	if (array_check(items, "items", POLICIES_MAX, &v))
		for (size_t i = 0; i < json_array_size(items); i++)
			check_item(r, items, i, &v);
	if (verr_reply(&v, r))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_dpolicy_put(r->db, &a, r->json, &o, &info);
	if (rc != ST_OK) {
		reply_store(r, rc, &info, "dispatch policies");
		return;
	}
	reply_json(r, 200, o);
}

/* GET /dispatch/policies/resolve?org_id=&order_type=&priority= (org_id: the caller's own). */
void h_dpolicy_resolve(req *r)
{
	const char *o = req_query(r, "org_id"), *type = req_query(r, "order_type"), *prio = req_query(r, "priority");
	int64_t org = r->who.org_id;
	verr v;
	verr_init(&v);
	if (o && !parse_i64(o, 1, INT64_MAX, &org))
		verr_add(&v, "org_id", "invalid", "org_id must be an id");
	if (verr_reply(&v, r))
		return;
	json_t *out = NULL;
	int rc = store_dpolicy_resolve(r->db, &r->who, org, type && *type ? type : NULL, prio && *prio ? prio : NULL,
				       &out);
	if (rc != ST_OK) {
		reply_status(r, rc, "organisation");
		return;
	}
	reply_json(r, 200, out);
}
