/*
 * authorizations.c — /api/v1/authorizations: 网签 between a manufacturer or station and an
 * outlet for a brand and category over a period (issue 5 item 4; rules in
 * store/authorizations.c). Reading needs org.read; proposing, accepting, suspending, resuming
 * and ending need authz.write, and the caller's organisation must be one of the two sides.
 */
#include "api/api.h"
#include "domain/warranty.h"

#include <string.h>

static const char *const statuses[] = {"proposed", "active", "suspended", "ended", NULL};

static const struct field create_fields[] = {
	{"principal_org_id", F_INT, true, 0, NULL, false},
	{"outlet_org_id", F_INT, true, 0, NULL, false},
	{"brand", F_STR, true, 64, NULL, false},
	{"category", F_STR, true, 40, NULL, false},
	{"valid_from", F_STR, true, 10, NULL, false},
	{"valid_to", F_STR, true, 10, NULL, false},
	{0},
};
static const struct field action_fields[] = {
	{"reason", F_STR, false, 200, NULL, true},
	{0},
};

/* A store refusal; ST_FORBIDDEN keeps the store's reason (reply_store has none for it). */
static void reply_refused(req *r, int rc, st_info *info)
{
	if (rc == ST_FORBIDDEN)
		reply_problem(r, 403, "forbidden", info->detail[0] ? info->detail : "not allowed");
	else
		reply_store(r, rc, info, "authorisation");
}

static bool day_ok(const char *s)
{
	int32_t d;
	return s && wty_day_parse(s, &d);
}

void h_authz_list(req *r)
{
	int limit;
	int64_t cursor;
	if (!req_paging(r, &limit, &cursor))
		return;
	authz_filter f = {.brand = req_query(r, "brand"), .category = req_query(r, "category"),
			  .status = req_query(r, "status"), .valid_on = req_query(r, "valid_on")};
	const char *o = req_query(r, "outlet_org_id"), *p = req_query(r, "principal_org_id");
	verr v;
	verr_init(&v);
	if (o && !parse_i64(o, 1, INT64_MAX, &f.outlet_org_id))
		verr_add(&v, "outlet_org_id", "invalid", "outlet_org_id must be an id");
	if (p && !parse_i64(p, 1, INT64_MAX, &f.principal_org_id))
		verr_add(&v, "principal_org_id", "invalid", "principal_org_id must be an id");
	if (f.valid_on && !day_ok(f.valid_on))
		verr_add(&v, "valid_on", "invalid", "valid_on must be a date YYYY-MM-DD");
	bool known = !f.status;
	for (int i = 0; f.status && statuses[i]; i++)
		known = known || !strcmp(f.status, statuses[i]);
	if (!known)
		verr_add(&v, "status", "invalid", "status is one of proposed, active, suspended, ended");
	if (verr_reply(&v, r))
		return;
	json_t *items;
	int64_t next;
	int rc = store_authz_list(r->db, &r->who, &f, limit, cursor, &items, &next);
	if (rc != ST_OK) {
		reply_status(r, rc, "authorisations");
		return;
	}
	reply_json(r, 200, page_json(items, next));
}

void h_authz_get(req *r)
{
	api_get(r, store_authz_get, "authorisation");
}

void h_authz_create(req *r)
{
	if (!body_required(r))
		return;
	verr v;
	verr_init(&v);
	body_check(r, create_fields, &v);
	const char *from = jstr(r->json, "valid_from"), *to = jstr(r->json, "valid_to");
	if (from && *from && !day_ok(from))
		verr_add(&v, "valid_from", "invalid", "valid_from must be a date YYYY-MM-DD");
	if (to && *to && !day_ok(to))
		verr_add(&v, "valid_to", "invalid", "valid_to must be a date YYYY-MM-DD");
	else if (day_ok(from) && day_ok(to) && strcmp(from, to) > 0)
		verr_add(&v, "valid_to", "invalid", "valid_to may not be before valid_from");
	if (verr_reply(&v, r))
		return;
	actor a;
	char hash[65];
	if (!actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_authz_create(r->db, &a, r->json, &o, &info);
	if (rc != ST_OK) {
		if (!idem_replay_after_race(r, &a, rc, &info))
			reply_refused(r, rc, &info);
		return;
	}
	char loc[64];
	snprintf(loc, sizeof loc, "/api/v1/authorizations/%lld", (long long)json_integer_value(json_object_get(o, "id")));
	reply_record(r, 201, o, loc);
}

/* POST /authorizations/{id}/{accept|suspend|resume|end}: the verb is the path's last part. */
void h_authz_action(req *r)
{
	int64_t id;
	if (!req_id_param(r, 0, &id))
		return;
	const char *verb = strrchr(r->path, '/') + 1;
	bool needs_reason = !strcmp(verb, "suspend") || !strcmp(verb, "end");
	verr v;
	verr_init(&v);
	if (r->json)
		body_check(r, action_fields, &v);
	const char *reason = r->json ? jstr(r->json, "reason") : NULL;
	if (needs_reason && (!reason || !*reason))
		verr_add(&v, "reason", "required", "give the reason");
	if (verr_reply(&v, r))
		return;
	int64_t ver = req_if_match(r);
	actor a;
	char hash[65];
	if (ver < 0 || !actor_begin(r, &a, hash))
		return;
	st_info info = {0};
	json_t *o = NULL;
	int rc = store_authz_action(r->db, &a, id, ver, verb, reason && *reason ? reason : NULL, &o, &info);
	if (rc != ST_OK) {
		reply_refused(r, rc, &info);
		return;
	}
	reply_record(r, 200, o, NULL);
}
